#!/usr/bin/env bash
# Firehose benchmark, in one sluice run:
#  1. ROUNDS times: wrk POSTs one fixed PutRecords body (500 taxi-like JSON records of
#     ~1.2 KB, the Kinesis benchmark's) with 4 connections for DURATION seconds, then the
#     same records as one PutRecordBatch body to a delivery stream (SizeInMBs SIZE_MB,
#     900 s), and compares the MB/s of record data; after each phase, the server's CPU
#     seconds by thread name (http-io, delivery, log-sync, ...); the delivery backlog
#     left when the load stopped is printed and flushed; then the median ratio;
#  2. the average object size is compared with SizeInMBs (every object but the flushed
#     last one of each round is cut at the size hint);
#  3. data freshness: a second delivery stream with IntervalInSeconds 0 gets about 2.5
#     batches a second (a 0.2 s pause and a stats call each); `sluice firehose ls`
#     reports DeliveryToS3.DataFreshness after each batch; then one
#     batch a second at IntervalInSeconds 60, per object (FRESH60_OBJECTS, 3 by default:
#     3 minutes).
# Usage: bench/firehose/run.sh [BUILD_DIR]
#   env: DURATION=20 (per phase) ROUNDS=3 SIZE_MB=5 SHARDS=2 (the Kinesis stream's) FRESH60_OBJECTS=3
#        FSYNC=always (serve --fsync) SERVE_ARGS (more `sluice serve` flags)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build}"
sluice="$build/sluice"
DURATION="${DURATION:-20}"
SIZE_MB="${SIZE_MB:-5}"
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/setup" >&2; exit 1; }
[ -x "$sluice" ] || { echo "no sluice binary at $sluice: build first" >&2; exit 1; }

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
call() { # URL TARGET JSON
  local service=kinesis; [[ "$2" == Firehose* ]] && service=firehose
  curl -fsS -X POST "$1/" -H 'Content-Type: application/x-amz-json-1.1' -H "X-Amz-Target: $2" \
    -H 'X-Amz-Date: 20260101T000000Z' \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/$service/aws4_request, SignedHeaders=host, Signature=00" \
    -d "$3"
}

data_bytes=$(/usr/bin/python3 "$repo/bench/kinesis/make_body.py" bench 500 "$work/kinesis.json")
/usr/bin/python3 - "$work/kinesis.json" "$work/firehose.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))
json.dump({"DeliveryStreamName": "bench", "Records": [{"Data": r["Data"]} for r in k["Records"]]},
          open(sys.argv[2], "w"))
PY
echo "bodies: 500 records, $data_bytes bytes of record data ($((data_bytes / 500)) per record)"

port=$(free_port)
url="http://127.0.0.1:$port"
"$sluice" serve --data-dir "$work/sluice" --port "$port" --fsync "${FSYNC:-always}" --log-level warn ${SERVE_ARGS:-} > "$work/sluice.out" 2>&1 &
pids+=($!); sluice_pid=$!
wait_port "$port"
call "$url" Kinesis_20131202.CreateStream "{\"StreamName\":\"bench\",\"ShardCount\":${SHARDS:-2}}" >/dev/null
curl -fsS -X PUT "$url/bench-lake" >/dev/null
dest() { # INTERVAL SIZE
  echo "\"ExtendedS3DestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::000000000000:role/r\",\"BucketARN\":\"arn:aws:s3:::bench-lake\",\"Prefix\":\"$3/\",\"BufferingHints\":{\"SizeInMBs\":$2,\"IntervalInSeconds\":$1}}"
}
call "$url" Firehose_20150804.CreateDeliveryStream "{\"DeliveryStreamName\":\"bench\",$(dest 900 "$SIZE_MB" size)}" >/dev/null

# CPU seconds of the server's threads, summed by thread name, and of wrk, during each
# phase: where the two cores went.
thread_cpu() { # PID OUT
  /usr/bin/python3 - "$1" > "$2" <<'PY'
import os, sys
pid = sys.argv[1]
for t in os.listdir("/proc/%s/task" % pid):
    try:
        stat = open("/proc/%s/task/%s/stat" % (pid, t)).read()
    except OSError:
        continue
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    f = stat[stat.rindex(")") + 2:].split()
    print(t, comm, int(f[11]) + int(f[12]))
PY
}
cpu_report() { # BEFORE AFTER
  /usr/bin/python3 - "$1" "$2" <<'PY'
import collections, os, sys
hz = os.sysconf("SC_CLK_TCK")
def load(p):
    return {l.split()[0]: (l.split()[1], int(l.split()[2])) for l in open(p)}
a, b = load(sys.argv[1]), load(sys.argv[2])
by = collections.Counter()
for t, (comm, ticks) in b.items():
    by[comm] += ticks - a.get(t, (comm, 0))[1]
print("  server CPU s by thread: " + ", ".join("%s %.1f" % (c, v / hz) for c, v in by.most_common() if v),
      "(total %.1f)" % (sum(by.values()) / hz))
PY
}

measure() { # LABEL TARGET BODY
  thread_cpu "$sluice_pid" "$work/$1.cpu0"
  BODY_FILE="$2" TARGET="$3" wrk -t2 -c4 -d"${DURATION}s" --latency -s "$here/putrecordbatch.lua" "$url/" > "$work/$1.wrk"
  local rps; rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$1.wrk")
  local p99; p99=$(awk '$1 == "99%" {print $2}' "$work/$1.wrk")
  local check; check=$(grep '^requests=' "$work/$1.wrk")
  printf '%s: %.1f req/s = %.0f records/s = %.1f MB/s of record data (p99 %s; %s)\n' "$1" "$rps" \
    "$(echo "$rps * 500" | bc -l)" "$(echo "$rps * $data_bytes / 1000000" | bc -l)" "$p99" "$check"
  echo "$rps" > "$work/$1.sum"
  thread_cpu "$sluice_pid" "$work/$1.cpu1"
  cpu_report "$work/$1.cpu0" "$work/$1.cpu1"
}
# ROUNDS alternating rounds of both phases, each PutRecordBatch phase followed by a flush,
# so no round starts while the delivery thread still works off the last one's backlog.
# One ratio per round; the median is the result (two 10 s phases apart in time move by
# more than the difference under test on a shared machine).
ratios=()
for round in $(seq 1 "${ROUNDS:-3}"); do
  echo "round $round"
  measure PutRecords "$work/kinesis.json" Kinesis_20131202.PutRecords
  measure PutRecordBatch "$work/firehose.json" Firehose_20150804.PutRecordBatch
  ratio=$(echo "100 * $(cat "$work/PutRecordBatch.sum") / $(cat "$work/PutRecords.sum")" | bc -l)
  ratios+=("$ratio")
  printf 'PutRecordBatch / PutRecords: %.0f%% (MB/s of record data)\n' "$ratio"
  # What the delivery thread had not yet written when the load stopped: up to one object
  # (SizeInMBs) is normal; more means the ingest rate above outran delivery.
  backlog=$(call "$url" Firehose_20150804.SluiceListDeliveryStreamStats '{}' |
    /usr/bin/python3 -c 'import json,sys; print([s for s in json.load(sys.stdin)["DeliveryStreams"] if s["DeliveryStreamName"]=="bench"][0]["BufferedBytes"])')
  flush_start=$(date +%s.%N)
  "$sluice" firehose flush bench --endpoint "$url" >/dev/null
  printf 'delivery backlog when PutRecordBatch stopped: %.1f MiB buffered (SizeInMBs %d), delivered by the flush in %.2f s\n' \
    "$(echo "$backlog / 1048576" | bc -l)" "$SIZE_MB" "$(echo "$(date +%s.%N) - $flush_start" | bc -l)"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "PutRecordBatch / PutRecords, median of %d rounds: %.0f%% (from %.0f%% to %.0f%%)\n", NR, m, a[1], a[NR]}'
/usr/bin/python3 - "$url" "$SIZE_MB" "${ROUNDS:-3}" <<'PY'
import sys, urllib.request, xml.etree.ElementTree as ET
url, size_mb, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
sizes, token = [], None
while True:
    q = "?list-type=2&prefix=size/" + ("&continuation-token=" + token if token else "")
    root = ET.fromstring(urllib.request.urlopen(url + "/bench-lake" + q).read())
    sizes += [int(e.text) for e in root.findall("s3:Contents/s3:Size", ns)]
    t = root.find("s3:NextContinuationToken", ns)
    if t is None:
        break
    token = t.text
# Each round's flushed remainder is not cut by size: the smallest `rounds` objects.
full = sorted(sizes)[rounds:] if len(sizes) > rounds else sizes
avg = sum(full) / len(full)
print("objects: %d, average of the size-cut ones %.2f MiB = %.1f%% of SizeInMBs %d" %
      (len(sizes), avg / 2**20, 100 * avg / (size_mb * 2**20), size_mb))
PY

# Freshness at a fixed input rate: one 500-record batch every 0.2 s for 10 s, zero buffering.
call "$url" Firehose_20150804.CreateDeliveryStream "{\"DeliveryStreamName\":\"fresh\",$(dest 0 5 fresh)}" >/dev/null
/usr/bin/python3 - "$work/firehose.json" <<'PY' > "$work/fresh.json"
import json, sys
b = json.load(open(sys.argv[1])); b["DeliveryStreamName"] = "fresh"; print(json.dumps(b))
PY
fresh=()
for _ in $(seq 1 50); do
  call "$url" Firehose_20150804.PutRecordBatch "@$work/fresh.json" >/dev/null
  sleep 0.2
  f=$(call "$url" Firehose_20150804.SluiceListDeliveryStreamStats '{}' |
      /usr/bin/python3 -c 'import json,sys; print([s for s in json.load(sys.stdin)["DeliveryStreams"] if s["DeliveryStreamName"]=="fresh"][0]["DeliveryToS3.DataFreshness"])')
  fresh+=("$f")
done
printf '%s\n' "${fresh[@]}" | sort -n | awk '{a[NR]=$1} END {printf "data freshness, IntervalInSeconds 0, 2.5 batches/s: p50 %d ms, p99 %d ms\n", a[int(NR*0.5)], a[int(NR*0.99)]}'

# Freshness at IntervalInSeconds 60: the same batch once a second into a stream that
# buffers for 60 s (SizeInMBs 128, which 35 MB a minute never reaches); each object's
# DeliveryToS3.DataFreshness is read once it is written. FRESH60_OBJECTS objects, about
# a minute each; 0 skips this part.
if [ "${FRESH60_OBJECTS:-3}" -gt 0 ]; then
  call "$url" Firehose_20150804.CreateDeliveryStream "{\"DeliveryStreamName\":\"fresh60\",$(dest 60 128 fresh60)}" >/dev/null
  /usr/bin/python3 - "$url" "$work/firehose.json" "${FRESH60_OBJECTS:-3}" <<'PY'
import json, sys, time, urllib.request
url, body_file, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = json.load(open(body_file)); body["DeliveryStreamName"] = "fresh60"
body = json.dumps(body).encode()
def call(target, data):
    req = urllib.request.Request(url + "/", data=data, method="POST", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target,
        "X-Amz-Date": "20260101T000000Z",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/firehose/aws4_request, SignedHeaders=host, Signature=00"})
    return json.load(urllib.request.urlopen(req))
fresh, written, deadline = [], 0, time.time() + 60 * (want + 1) + 30
next_put = time.time()
while len(fresh) < want and time.time() < deadline:
    call("Firehose_20150804.PutRecordBatch", body)
    next_put += 1
    time.sleep(max(0.0, next_put - time.time()))
    st = [s for s in call("Firehose_20150804.SluiceListDeliveryStreamStats", b"{}")["DeliveryStreams"]
          if s["DeliveryStreamName"] == "fresh60"][0]
    if st["ObjectsWritten"] > written:
        written = st["ObjectsWritten"]
        fresh.append(st["DeliveryToS3.DataFreshness"])
        print("  object %d: DataFreshness %.3f s" % (written, fresh[-1] / 1000), flush=True)
if len(fresh) < want:
    sys.exit("only %d of %d objects within the deadline" % (len(fresh), want))
fresh.sort()
print("data freshness, IntervalInSeconds 60, 1 batch/s, %d objects: min %.3f s, median %.3f s, max %.3f s"
      % (len(fresh), fresh[0] / 1000, fresh[len(fresh) // 2] / 1000, fresh[-1] / 1000))
PY
fi

kill -TERM "$sluice_pid"; wait "$sluice_pid" || true
