#!/usr/bin/env bash
# End to end: N taxi trips -> sluice produce -> the 2-shard stream -> both consumers
# (write_to_s3 and send_to_firehose -> the delivery stream) -> the lake, everything
# durable (fsync=always), timed from the producer's start until the last record is in the
# lake (write_to_s3's last object, the delivery stream flushed). Once with the built-in
# consumers, once with the Python ones, each on a fresh server and data dir; the trips
# are generated beforehand (not timed). Prints one JSON line per variant (MB/s counts the
# trips as JSON lines, each once; CPU seconds of the producer and of the server tell
# where the time goes on a shared machine) and the load before and after. On demand only.
#   bench/e2e/run.sh [--trips N] [--python-trips N] [--only builtin|python] [--perf DIR]
# --perf DIR: also samples the server with `perf record` (flat, 499 Hz) into
# DIR/<variant>.perf.data, for `perf report -i … --sort dso,symbol`.
# Defaults: 1,000,000 trips with the built-ins (the goal: <= 20 s), 100,000 with Python.
set -euo pipefail
cd "$(dirname "$0")/../.."
TRIPS=1000000
PYTHON_TRIPS=100000
ONLY=""
PERF=""
while [ $# -gt 0 ]; do
  case "$1" in
    --trips) TRIPS="$2"; shift ;;
    --python-trips) PYTHON_TRIPS="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    --perf) PERF="$2"; shift ;;
    *) echo "usage: bench/e2e/run.sh [--trips N] [--python-trips N] [--only builtin|python] [--perf DIR]" >&2; exit 2 ;;
  esac
  shift
done
SLUICE=${SLUICE_BIN:-build/sluice}
WORK=$(mktemp -d -t sluice-e2e-XXXXXX)
pid=""
trap '[ -z "$pid" ] || { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; }; rm -rf "$WORK"' EXIT INT TERM
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=us-east-1 AWS_PAGER="" DIST="$WORK/dist"

run() {  # run VARIANT TRIPS
  local variant=$1 trips=$2 flag="" csv="$WORK/trips-$2.csv"
  [ "$variant" = builtin ] && flag=--builtin
  [ -f "$csv" ] || "$SLUICE" gen taxi --trips "$trips" -o "$csv"
  rm -rf "$WORK/data"
  local port url
  port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port"
  "$SLUICE" serve --data-dir "$WORK/data" --port "$port" 2>"$WORK/serve.log" >/dev/null &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "$url/health" >/dev/null 2>&1 && break
    kill -0 $pid || { echo "bench/e2e: sluice did not start" >&2; cat "$WORK/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  AWS_ENDPOINT_URL="$url" examples/taxi-pipeline/deploy.sh $flag >/dev/null
  local perf_pid=""
  if [ -n "$PERF" ]; then
    mkdir -p "$PERF"
    perf record -F 499 -p "$pid" -o "$PERF/$variant.perf.data" 2>/dev/null &
    perf_pid=$!
  fi
  echo "== $variant, $trips trips; load: $(uptime | sed 's/.*load average: //')"
  /usr/bin/python3 scripts/lib/pipeline_demo.py "$url" "$csv" --sluice "$SLUICE" --quiet --timeout 3600 \
    --stream streaming-pipeline-dev-ingress --delivery streaming-pipeline-dev-delivery \
    --bucket streaming-pipeline-dev-output | sed "s/^{/{\"variant\": \"$variant\", /"
  [ -z "$perf_pid" ] || { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
  # The server's CPU seconds (user + system) over its whole life, deploy included.
  local cpu
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$pid/stat")
  echo "   sluice serve cpu_s: $cpu; load after: $(uptime | sed 's/.*load average: //'); data dir: $(du -sh "$WORK/data" | cut -f1)"
  kill -TERM $pid; wait $pid || true; pid=""
}

[ "$ONLY" = python ] || run builtin "$TRIPS"
[ "$ONLY" = builtin ] || run python "$PYTHON_TRIPS"
