# Shell helpers the benchmark scripts share; source it after `set -euo pipefail`.
# Gives a scratch dir $work and a pid list `pids` that are cleaned up at exit, and:
#   free_port                     a free loopback TCP port
#   wait_port PORT                waits (10 s at most) until something listens on it
#   create_stream URL NAME SHARDS a Kinesis CreateStream with a placeholder signature
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
create_stream() {
  curl -fsS -X POST "$1/" -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'X-Amz-Target: Kinesis_20131202.CreateStream' -H 'X-Amz-Date: 20260101T000000Z' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00' \
    -d "{\"StreamName\":\"$2\",\"ShardCount\":$3}" >/dev/null
}
