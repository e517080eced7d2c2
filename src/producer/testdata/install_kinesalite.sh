#!/bin/sh
# Installs kinesalite (a Kinesis implementation on Node.js, from npm) into
# DIR/node_modules for the producer's integration test. Idempotent: does nothing
# when the pinned version is already there. Needs npm and the npm registry.
set -eu
dir="${1:?usage: install_kinesalite.sh DIR}"
version="3.3.3"
pkg="$dir/node_modules/kinesalite/package.json"
if [ -f "$pkg" ] && grep -q "\"version\": \"$version\"" "$pkg"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install_kinesalite.sh: npm is not installed" >&2
  exit 1
fi
mkdir -p "$dir"
# A lock directory keeps two test processes from installing into one tree at once.
lock="$dir/.install-lock"
tries=0
until mkdir "$lock" 2>/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -gt 300 ]; then
    echo "install_kinesalite.sh: $lock held for 5 minutes; remove it if stale" >&2
    exit 1
  fi
  sleep 1
done
trap 'rmdir "$lock"' EXIT
if [ -f "$pkg" ] && grep -q "\"version\": \"$version\"" "$pkg"; then
  exit 0
fi
npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "kinesalite@$version" >&2
