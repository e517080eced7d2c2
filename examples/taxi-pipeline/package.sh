#!/usr/bin/env bash
# Packages each consumer in functions/<name>/ into <dist>/<name>-<hash>.zip (the hash is
# the sources', so a changed function gets a new code key and update-stack sees it) and
# prints "<name> <zip>" per function. <dist> is $DIST, else dist/ here. functions/shared/
# holds modules every function imports (schema_check.py): packaged into each zip.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p "${DIST:=dist}"
DIST=$(cd "$DIST" && pwd)
for dir in functions/*/; do
  name=$(basename "$dir")
  [ "$name" = shared ] && continue
  hash=$(cat "$dir"*.py functions/shared/*.py | sha256sum | cut -c1-12)
  zip="$DIST/${name}-${hash}.zip"
  if [ ! -f "$zip" ]; then
    shared=$(cd functions/shared && pwd)
    (cd "$dir" && python3 -m zipfile -c "$zip.tmp" *.py "$shared"/*.py)
    mv "$zip.tmp" "$zip"
  fi
  echo "$name $zip"
done
