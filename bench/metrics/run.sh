#!/usr/bin/env bash
# The cost of metrics on the hot path: PutRecords throughput of one sluice binary with
# metrics on and with `--metrics off` (every module's handles are then shared no-ops),
# side by side in one run. Two servers run at once, each with its own data dir; wrk
# loads one at a time, alternating on/off for ROUNDS rounds of DURATION seconds, so
# drift in the machine's load hits both alike. Prints each round and the medians of
# two measures: requests per second, and the server's CPU time (user + system, from
# /proc) per request, which a busy machine disturbs far less than throughput.
# Usage: bench/metrics/run.sh [BUILD_DIR]   (env: DURATION=10 ROUNDS=5 FSYNC=never)
# FSYNC=never by default: without a disk sync per request the CPU work of a request,
# which metrics add to, is the larger share of its cost.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build}"
sluice="$build/sluice"
kin="$repo/bench/kinesis"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-5}"
FSYNC="${FSYNC:-never}"
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/setup" >&2; exit 1; }
[ -x "$sluice" ] || { echo "no sluice binary at $sluice: build first" >&2; exit 1; }

# shellcheck source=../lib.sh
source "$here/../lib.sh"

started_port=""
started_pid=""
start() { # LABEL METRICS; sets started_port and started_pid (not in a subshell: the pid
          # must reach cleanup)
  local port; port=$(free_port)
  "$sluice" serve --data-dir "$work/$1" --port "$port" --fsync "$FSYNC" --metrics "$2" --log-level warn \
    > "$work/$1.out" 2>&1 &
  pids+=($!)
  started_pid=$!
  wait_port "$port"
  create_stream "http://127.0.0.1:$port" bench 2
  started_port=$port
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, clock ticks

/usr/bin/python3 "$kin/make_body.py" bench 500 "$work/body.json" >/dev/null
start on on; on_port=$started_port; on_pid=$started_pid
start off off; off_port=$started_port; off_pid=$started_pid
hz=$(getconf CLK_TCK)
echo "load before: $(uptime)"
for r in $(seq 1 "$ROUNDS"); do
  for label in on off; do
    port=$on_port; pid=$on_pid
    [ "$label" = off ] && { port=$off_port; pid=$off_pid; }
    t0=$(cpu_ticks "$pid")
    BODY_FILE="$work/body.json" wrk -t2 -c4 -d"${DURATION}s" -s "$kin/putrecords.lua" \
      "http://127.0.0.1:$port/" > "$work/$label.$r.wrk"
    t1=$(cpu_ticks "$pid")
    rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$label.$r.wrk")
    n=$(grep '^requests=' "$work/$label.$r.wrk" | sed 's/requests=\([0-9]*\).*/\1/')
    cpu=$(echo "($t1 - $t0) * 1000 / $hz / $n" | bc -l)
    check=$(grep '^requests=' "$work/$label.$r.wrk")
    printf 'round %s metrics=%s: %s req/s, %.3f ms server CPU per request (%s)\n' "$r" "$label" "$rps" "$cpu" "$check"
    echo "$rps" >> "$work/$label.rps"
    echo "$cpu" >> "$work/$label.cpu"
  done
done
echo "load after: $(uptime)"
# The metrics-on server really recorded: its /metrics shows the records it took.
curl -fsS "http://127.0.0.1:$on_port/metrics" | grep '^sluice_aws_kinesis_incoming_records{' || true
median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m_on=$(median "$work/on.rps")
m_off=$(median "$work/off.rps")
printf 'median PutRecords: metrics on %.1f req/s, off %.1f req/s, on/off %.4f (%+.2f %%)\n' \
  "$m_on" "$m_off" "$(echo "$m_on / $m_off" | bc -l)" "$(echo "($m_on / $m_off - 1) * 100" | bc -l)"
c_on=$(median "$work/on.cpu")
c_off=$(median "$work/off.cpu")
printf 'median server CPU per PutRecords: metrics on %.3f ms, off %.3f ms, on/off %.4f (%+.2f %%)\n' \
  "$c_on" "$c_off" "$(echo "$c_on / $c_off" | bc -l)" "$(echo "($c_on / $c_off - 1) * 100" | bc -l)"
