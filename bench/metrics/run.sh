#!/usr/bin/env bash
# The cost of metrics on the hot path: PutRecords throughput of sluice with metrics on,
# against a build with them compiled out (SLUICE_BENCH_METRICS_COMPILED_OUT=ON, built
# into BASELINE_BUILD_DIR if missing) and against `--metrics off` (no-op handles, still
# called), side by side in one run. Three servers run at once, each with its own data
# dir; wrk loads one at a time, in turn, for ROUNDS rounds of DURATION seconds, so drift
# in the machine's load hits all alike. Prints each round and the medians of
# two measures: requests per second, and the server's CPU time (user + system, from
# /proc) per request, which a busy machine disturbs far less than throughput.
# Usage: bench/metrics/run.sh [BUILD_DIR] [BASELINE_BUILD_DIR]
#        (env: DURATION=10 ROUNDS=5 FSYNC=never)
# Instructions per request, which load does not disturb: bench/metrics/instructions.sh.
# FSYNC=never by default: without a disk sync per request the CPU work of a request,
# which metrics add to, is the larger share of its cost.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build}"
baseline="${2:-$repo/build-metrics-out}"
sluice="$build/sluice"
kin="$repo/bench/kinesis"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-5}"
FSYNC="${FSYNC:-never}"
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/setup" >&2; exit 1; }
[ -x "$sluice" ] || { echo "no sluice binary at $sluice: build first" >&2; exit 1; }
source "$here/build_baseline.sh"
build_baseline "$repo" "$baseline"

# shellcheck source=../lib.sh
source "$here/../lib.sh"

started_port=""
started_pid=""
start() { # LABEL BINARY METRICS; sets started_port and started_pid (not in a subshell:
          # the pid must reach cleanup)
  local port; port=$(free_port)
  "$2" serve --data-dir "$work/$1" --port "$port" --fsync "$FSYNC" --metrics "$3" --log-level warn \
    > "$work/$1.out" 2>&1 &
  pids+=($!)
  started_pid=$!
  wait_port "$port"
  create_stream "http://127.0.0.1:$port" bench 2
  started_port=$port
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, clock ticks

/usr/bin/python3 "$kin/make_body.py" bench 500 "$work/body.json" >/dev/null
declare -A port_of pid_of
labels=(on off out)
start on "$sluice" on; port_of[on]=$started_port; pid_of[on]=$started_pid
start off "$sluice" off; port_of[off]=$started_port; pid_of[off]=$started_pid
start out "$baseline/sluice" on; port_of[out]=$started_port; pid_of[out]=$started_pid
hz=$(getconf CLK_TCK)
echo "load before: $(uptime)"
for r in $(seq 1 "$ROUNDS"); do
  for label in "${labels[@]}"; do
    port=${port_of[$label]}; pid=${pid_of[$label]}
    t0=$(cpu_ticks "$pid")
    BODY_FILE="$work/body.json" wrk -t2 -c4 -d"${DURATION}s" -s "$kin/putrecords.lua" \
      "http://127.0.0.1:$port/" > "$work/$label.$r.wrk"
    t1=$(cpu_ticks "$pid")
    rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$label.$r.wrk")
    n=$(grep '^requests=' "$work/$label.$r.wrk" | sed 's/requests=\([0-9]*\).*/\1/')
    cpu=$(echo "($t1 - $t0) * 1000 / $hz / $n" | bc -l)
    check=$(grep '^requests=' "$work/$label.$r.wrk")
    printf 'round %s %s: %s req/s, %.3f ms server CPU per request (%s)\n' "$r" "$label" "$rps" "$cpu" "$check"
    echo "$rps" >> "$work/$label.rps"
    echo "$cpu" >> "$work/$label.cpu"
  done
done
echo "load after: $(uptime)"
# The metrics-on server really recorded: its /metrics shows the records it took.
curl -fsS "http://127.0.0.1:${port_of[on]}/metrics" | grep '^sluice_aws_kinesis_incoming_records{' || true
median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
report() { # WHAT FILE-SUFFIX UNIT
  local on off out
  on=$(median "$work/on.$2"); off=$(median "$work/off.$2"); out=$(median "$work/out.$2")
  printf 'median %s: metrics on %.3f, --metrics off %.3f, compiled out %.3f %s\n' "$1" "$on" "$off" "$out" "$3"
  printf '  on/compiled-out %.4f (%+.2f %%), off/compiled-out %.4f (%+.2f %%)\n' \
    "$(echo "$on / $out" | bc -l)" "$(echo "($on / $out - 1) * 100" | bc -l)" \
    "$(echo "$off / $out" | bc -l)" "$(echo "($off / $out - 1) * 100" | bc -l)"
}
report "PutRecords throughput" rps req/s
report "server CPU per PutRecords" cpu ms
