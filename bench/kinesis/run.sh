#!/usr/bin/env bash
# Kinesis benchmark, sluice and kinesalite side by side on the same workload:
#  1. wrk POSTs one fixed PutRecords body (500 taxi-like JSON records of ~1.2 KB) with
#     4 connections for DURATION seconds against each server;
#  2. one plain client drains everything written with GetRecords (Limit 10000);
#  3. sluice alone ingests INGEST_GB of record data while its peak RSS is recorded.
# Usage: bench/kinesis/run.sh [BUILD_DIR]   (env: DURATION=20 INGEST_GB=5)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build}"
sluice="$build/sluice"
kinesalite="$repo/tests/node/node_modules/kinesalite/cli.js"
DURATION="${DURATION:-20}"
INGEST_GB="${INGEST_GB:-5}"
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/setup" >&2; exit 1; }
[ -x "$sluice" ] || { echo "no sluice binary at $sluice: build first" >&2; exit 1; }
[ -f "$kinesalite" ] || { echo "kinesalite missing: run scripts/setup" >&2; exit 1; }

# shellcheck source=../lib.sh
source "$here/../lib.sh"
create() { create_stream "$@"; }

data_bytes=$(/usr/bin/python3 "$here/make_body.py" bench 500 "$work/body.json")
body_bytes=$(stat -c %s "$work/body.json")
echo "body: 500 records, $data_bytes bytes of record data ($((data_bytes / 500)) per record), $body_bytes bytes on the wire"

# One server at a time, so each has the machine to itself.
measure() { # LABEL URL
  create "$2" bench 2
  BODY_FILE="$work/body.json" wrk -t2 -c4 -d"${DURATION}s" --latency -s "$here/putrecords.lua" "$2/" > "$work/$1.wrk"
  local rps; rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$1.wrk")
  local check; check=$(grep '^requests=' "$work/$1.wrk")
  local p99; p99=$(awk '$1 == "99%" {print $2}' "$work/$1.wrk")
  local drain; drain=$(/usr/bin/python3 "$here/drain.py" "$2" bench)
  local n secs; read -r n secs <<<"$drain"
  local bytes; bytes=$(echo "$n * $data_bytes / 500" | bc)
  printf '%s put: %.1f req/s = %.0f records/s = %.1f MB/s of record data (p99 %s; %s)\n' "$1" "$rps" \
    "$(echo "$rps * 500" | bc -l)" "$(echo "$rps * $data_bytes / 1000000" | bc -l)" "$p99" "$check"
  printf '%s get: drained %d records (%.1f MB) in %.2f s = %.0f records/s = %.1f MB/s\n' "$1" "$n" \
    "$(echo "$bytes / 1000000" | bc -l)" "$secs" "$(echo "$n / $secs" | bc -l)" "$(echo "$bytes / $secs / 1000000" | bc -l)"
  echo "$rps $n $secs" > "$work/$1.sum"
}

port=$(free_port)
"$sluice" serve --data-dir "$work/sluice" --port "$port" --fsync always --log-level warn > "$work/sluice.out" 2>&1 &
pids+=($!); sluice_pid=$!
wait_port "$port"
measure sluice "http://127.0.0.1:$port"
kill -TERM "$sluice_pid"; wait "$sluice_pid" || true

kport=$(free_port)
node "$kinesalite" --port "$kport" --createStreamMs 0 > "$work/kinesalite.out" 2>&1 &
pids+=($!); kin_pid=$!
wait_port "$kport"
measure kinesalite "http://127.0.0.1:$kport"
kill "$kin_pid"; wait "$kin_pid" 2>/dev/null || true

read -r s_rps s_n s_secs < "$work/sluice.sum"
read -r k_rps k_n k_secs < "$work/kinesalite.sum"
printf 'ratio sluice/kinesalite: PutRecords %.1fx, GetRecords drain %.1fx (records/s)\n' \
  "$(echo "$s_rps / $k_rps" | bc -l)" "$(echo "($s_n / $s_secs) / ($k_n / $k_secs)" | bc -l)"

# Peak RSS while INGEST_GB of record data goes in.
rm -rf "$work/sluice"
port=$(free_port)
"$sluice" serve --data-dir "$work/sluice" --port "$port" --fsync always --log-level warn > "$work/sluice2.out" 2>&1 &
pids+=($!); sluice_pid=$!
wait_port "$port"
create "http://127.0.0.1:$port" bench 2
need=$(echo "$INGEST_GB * 1000000000 / $data_bytes + 1" | bc)
t0=$(date +%s.%N)
BODY_FILE="$work/body.json" wrk -t2 -c4 -d600s -s "$here/putrecords.lua" "http://127.0.0.1:$port/" > "$work/ingest.wrk" &
wrk_pid=$!
while kill -0 "$wrk_pid" 2>/dev/null; do
  sleep 1
  used=$(du -sb "$work/sluice/streams" | cut -f1)
  if [ "$used" -ge $((INGEST_GB * 1000000000)) ]; then kill -INT "$wrk_pid"; break; fi
done
wait "$wrk_pid" 2>/dev/null || true
t1=$(date +%s.%N)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$sluice_pid/status")
printf 'ingest: %.1f GB stored in %.1f s; sluice peak RSS (VmHWM) %.1f MB\n' \
  "$(echo "$(du -sb "$work/sluice/streams" | cut -f1) / 1000000000" | bc -l)" "$(echo "$t1 - $t0" | bc -l)" "$(echo "$hwm / 1024" | bc -l)"
kill -TERM "$sluice_pid"; wait "$sluice_pid" || true
