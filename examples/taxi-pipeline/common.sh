# Shared by deploy.sh and update.sh: the stage, the AWS CLI (with --endpoint-url when
# AWS_ENDPOINT_URL is set, for CLIs older than the variable), the parameters, and the
# package upload. PROJECT_NAME (bucket names are global on AWS) and RUNTIME override the
# templates' defaults (streaming-pipeline, python3.12).
STAGE="${STAGE:-dev}"
TEMPLATE=stream.yml
for arg in "$@"; do
  case "$arg" in
    --builtin) TEMPLATE=stream-builtin.yml ;;
    dev|prod|test) STAGE="$arg" ;;
    *) echo "usage: $(basename "$0") [--builtin] [dev|prod|test]" >&2; exit 2 ;;
  esac
done
# Stage, ProjectName, Runtime and SchemaS3Uri as --parameters arguments (the last two only
# for stream-*).
parameters() {
  echo "ParameterKey=Stage,ParameterValue=$STAGE"
  [ -z "${PROJECT_NAME:-}" ] || echo "ParameterKey=ProjectName,ParameterValue=$PROJECT_NAME"
  [ "$1" = data-sources ] || [ -z "${RUNTIME:-}" ] || echo "ParameterKey=Runtime,ParameterValue=$RUNTIME"
  [ "$1" = data-sources ] || [ -z "${SCHEMA_S3_URI:-}" ] || echo "ParameterKey=SchemaS3Uri,ParameterValue=$SCHEMA_S3_URI"
}
aws() { command aws ${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"} "$@"; }

# Uploads the packages to the deployment bucket; sets CODE_PARAMETERS to the code keys.
upload_packages() {
  local bucket name zip key
  bucket=$(aws cloudformation describe-stacks --stack-name "data-sources-$STAGE" \
    --query "Stacks[0].Outputs[?OutputKey=='DeploymentBucket'].OutputValue" --output text)
  CODE_PARAMETERS=()
  while read -r name zip; do
    key="lambda/$(basename "$zip")"
    aws s3 cp --no-progress "$zip" "s3://$bucket/$key"
    case "$name" in
      write_to_s3) CODE_PARAMETERS+=("ParameterKey=WriteToS3CodeKey,ParameterValue=$key") ;;
      send_to_firehose) CODE_PARAMETERS+=("ParameterKey=SendToFirehoseCodeKey,ParameterValue=$key") ;;
    esac
  done < <(./package.sh)
}
