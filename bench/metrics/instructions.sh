#!/usr/bin/env bash
# The cost of metrics on the PutRecords path in instructions, which a busy machine does
# not disturb: each server runs under callgrind with instrumentation off until the
# stream exists, on while N PutRecords (500 records, 2 shards) are sent one at a time,
# and off again before shutdown. Three servers, each started and measured in turn:
#   in/on   the normal build, metrics on (the default)
#   in/off  the normal build with --metrics off (no-op handles, still called)
#   out     a build with metrics compiled out (SLUICE_BENCH_METRICS_COMPILED_OUT=ON)
# Prints instructions per request for each and the ratios to `out`.
# Usage: bench/metrics/instructions.sh [BUILD_DIR] [BASELINE_BUILD_DIR]  (env: N=300)
# BASELINE_BUILD_DIR (default build-metrics-out) is configured and built if missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build}"
baseline="${2:-$repo/build-metrics-out}"
N="${N:-300}"
command -v valgrind >/dev/null || { echo "valgrind is missing: run scripts/setup" >&2; exit 1; }
source "$here/build_baseline.sh"
build_baseline "$repo" "$baseline"

# shellcheck source=../lib.sh
source "$here/../lib.sh"
/usr/bin/python3 "$repo/bench/kinesis/make_body.py" bench 500 "$work/body.json" >/dev/null

measure() { # LABEL BINARY METRICS -> prints instructions per request
  local label=$1 bin=$2 metrics=$3 port pid out
  port=$(free_port)
  out="$work/callgrind.$label"
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
    "$bin" serve --data-dir "$work/data-$label" --port "$port" --fsync never --metrics "$metrics" \
    --log-level warn > "$work/$label.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  create_stream "http://127.0.0.1:$port" bench 2
  /usr/bin/python3 "$here/put_n.py" "$port" "$work/body.json" 5 >/dev/null  # warm up
  callgrind_control -i on "$pid" >/dev/null 2>&1
  /usr/bin/python3 "$here/put_n.py" "$port" "$work/body.json" "$N" >/dev/null
  callgrind_control -i off "$pid" >/dev/null 2>&1
  kill -TERM "$pid"; wait "$pid" || true
  local total
  total=$(awk '/^totals:/ {print $2; exit}' "$out")
  echo "$total / $N" | bc -l
}

echo "load before: $(uptime)"
on=$(measure in-on "$build/sluice" on)
off=$(measure in-off "$build/sluice" off)
out=$(measure out "$baseline/sluice" on)
echo "load after: $(uptime)"
printf 'instructions per PutRecords (500 records): metrics on %.0f, --metrics off %.0f, compiled out %.0f\n' "$on" "$off" "$out"
printf 'on/compiled-out %.4f (%+.2f %%), off/compiled-out %.4f (%+.2f %%)\n' \
  "$(echo "$on / $out" | bc -l)" "$(echo "($on / $out - 1) * 100" | bc -l)" \
  "$(echo "$off / $out" | bc -l)" "$(echo "($off / $out - 1) * 100" | bc -l)"
