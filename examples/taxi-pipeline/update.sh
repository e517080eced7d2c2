#!/usr/bin/env bash
# Updates the stream stack, as the reference's update script does: packages and uploads
# the functions under new code keys, update-stack, wait stack-update-complete. With
# --builtin it switches the stack to the built-in consumers (and back without it).
#   ./update.sh [--builtin] [dev|prod|test]
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh

CODE_PARAMETERS=()
[ "$TEMPLATE" = stream-builtin.yml ] || upload_packages
aws cloudformation validate-template --template-body "file://$TEMPLATE" >/dev/null
if ! out=$(aws cloudformation update-stack --stack-name "stream-$STAGE" \
    --template-body "file://$TEMPLATE" \
    --capabilities CAPABILITY_IAM \
    --parameters $(parameters stream) "${CODE_PARAMETERS[@]}" 2>&1); then
  case "$out" in
    *"No updates are to be performed"*) echo "stack stream-$STAGE is up to date"; exit 0 ;;
    *) echo "$out" >&2; exit 1 ;;
  esac
fi
aws cloudformation wait stack-update-complete --stack-name "stream-$STAGE"
echo "stack stream-$STAGE updated from $TEMPLATE"
