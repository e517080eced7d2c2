#!/bin/sh
# sluice produce against the reference producer's approach, on one sluice server.
#
#   bench/produce/run.sh BUILD_DIR [TRIPS] [REFERENCE_RECORDS] [BASE_DIR]
#
# Starts BUILD_DIR/sluice serve (--fsync always) on a free loopback port with a fresh
# data dir, generates TRIPS taxi trips (default 1000000), produces them into a 2-shard
# stream with `sluice produce` (defaults: uuid keys, 4 requests in flight), then sends
# the first REFERENCE_RECORDS rows (default 10000) one `put_record` call each from 32
# Python threads (bench/produce/reference_put_record.py, Debian's python3-boto3) into
# another 2-shard stream of the same server. Prints both rates and their ratio.
# BASE_DIR (default: mktemp's choice) holds the CSV and the data dir, then is removed.
set -eu
build=${1:?usage: run.sh BUILD_DIR [TRIPS] [REFERENCE_RECORDS] [BASE_DIR]}
trips=${2:-1000000}
ref_records=${3:-10000}
base=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
sluice="$build/sluice"
[ -x "$sluice" ] || { echo "run.sh: no $sluice" >&2; exit 2; }
if [ -n "$base" ]; then work=$(mktemp -d "$base/produce.XXXXXX"); else work=$(mktemp -d -t produce.XXXXXX); fi
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$sluice" serve --data-dir "$work/data" --port 0 --fsync always >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's|.*serving on \(http://[0-9.]*:[0-9]*\).*|\1|p' "$work/serve.out")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "run.sh: sluice did not start" >&2; exit 1; }

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=us-east-1
/usr/bin/python3 - "$url" <<'PY'
import sys, boto3
k = boto3.client("kinesis", endpoint_url=sys.argv[1])
for name in ("bench", "reference"):
    k.create_stream(StreamName=name, ShardCount=2)
    k.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})
PY

echo "sluice gen taxi --trips $trips"
"$sluice" gen taxi --trips "$trips" --seed 1 -o "$work/trips.csv"
# Write the generated CSV back to disk now, so its writeback does not compete with the
# server's fdatasyncs during the measured run.
sync
echo "  $(du -m "$work/trips.csv" | cut -f1) MB of CSV"

echo "sluice produce --stream bench (server: --fsync always, 2 shards)"
"$sluice" produce --stream bench --csv "$work/trips.csv" --endpoint "$url" --progress off 2>"$work/produce.err" \
  || { cat "$work/produce.err" >&2; exit 1; }
summary=$(grep '^produce: sent' "$work/produce.err")
echo "  $summary"
# "produce: sent N records (X MB) in T s: R records/s, M MB/s; ..."
sluice_rps=$(echo "$summary" | sed -n 's/.*: \([0-9.]*\) records\/s.*/\1/p')
sluice_mbs=$(echo "$summary" | sed -n 's/.*records\/s, \([0-9.]*\) MB\/s.*/\1/p')

echo "reference: boto3 put_record per record, 32 threads, $ref_records records"
ref=$(/usr/bin/python3 "$here/reference_put_record.py" "$url" reference "$work/trips.csv" "$ref_records")
echo "  $ref"
echo "$ref" | awk -v rps="$sluice_rps" -v mbs="$sluice_mbs" '{
  for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  ref_rps = v["records"] / v["seconds"]; ref_mbs = v["bytes"] / v["seconds"] / 1e6
  printf "\nsluice produce:      %10.0f records/s  %7.1f MB/s\n", rps, mbs
  printf "reference approach:  %10.0f records/s  %7.1f MB/s\n", ref_rps, ref_mbs
  printf "ratio:               %10.1fx\n", rps / ref_rps
}'
