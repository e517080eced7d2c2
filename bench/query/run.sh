#!/bin/sh
# bench/query: sluice's engine and DuckDB over the same generated taxi JSON lines.
#   bench/query/run.sh [MB] [OBJECTS]      (defaults 1024 MB in 64 objects)
# Needs a build (query_bench) and, for the DuckDB side, tests/node's npm install.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mb=${1:-1024}
objects=${2:-64}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$root/build/bench/query/query_bench" --dir "$dir" --mb "$mb" --objects "$objects"
# query_bench leaves the JSON lines it stored in trips.json for the peer; gzip a copy.
gzip -k -1 "$dir/trips.json"
if [ -d "$root/tests/node/node_modules/@duckdb/node-api" ]; then
  cp "$here/duckdb_peer.mjs" "$root/tests/node/.duckdb_peer.mjs"
  node "$root/tests/node/.duckdb_peer.mjs" "$dir/trips.json"
  echo "(gzip)"
  node "$root/tests/node/.duckdb_peer.mjs" "$dir/trips.json.gz"
  rm -f "$root/tests/node/.duckdb_peer.mjs"
else
  echo "DuckDB side skipped: run npm ci in tests/node"
fi
