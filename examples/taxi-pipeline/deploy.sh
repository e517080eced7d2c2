#!/usr/bin/env bash
# Creates the two stacks, as the reference's scripts do: validate-template, create-stack,
# wait stack-create-complete, aws s3 cp of the packages between them. A stack that
# already exists is left as it is (update.sh updates it).
#   ./deploy.sh [--builtin] [dev|prod|test]     (default dev; or STAGE=...)
# Against sluice: AWS_ENDPOINT_URL=http://127.0.0.1:4566 ./deploy.sh
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh

exists() { aws cloudformation describe-stacks --stack-name "$1" >/dev/null 2>&1; }

if exists "data-sources-$STAGE"; then
  echo "stack data-sources-$STAGE exists"
else
  aws cloudformation validate-template --template-body file://data-sources.yml >/dev/null
  aws cloudformation create-stack --stack-name "data-sources-$STAGE" \
    --template-body file://data-sources.yml \
    --parameters $(parameters data-sources)
  aws cloudformation wait stack-create-complete --stack-name "data-sources-$STAGE"
  echo "stack data-sources-$STAGE created"
fi

if exists "stream-$STAGE"; then
  echo "stack stream-$STAGE exists"
  exit 0
fi
CODE_PARAMETERS=()
[ "$TEMPLATE" = stream-builtin.yml ] || upload_packages
aws cloudformation validate-template --template-body "file://$TEMPLATE" >/dev/null
aws cloudformation create-stack --stack-name "stream-$STAGE" \
  --template-body "file://$TEMPLATE" \
  --capabilities CAPABILITY_IAM \
  --parameters $(parameters stream) "${CODE_PARAMETERS[@]}"
aws cloudformation wait stack-create-complete --stack-name "stream-$STAGE"
echo "stack stream-$STAGE created from $TEMPLATE"
