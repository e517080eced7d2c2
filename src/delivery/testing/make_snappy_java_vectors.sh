#!/usr/bin/env bash
# Regenerates snappy_java/: inputs, and what snappy-java writes for them (SnappyOutputStream
# = Firehose's Snappy, SnappyHadoopCompatibleOutputStream = HADOOP_SNAPPY). Needs a JDK and
# Debian's libsnappy-java (apt-get install libsnappy-java); run by hand, not by the build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/snappy_java"
mkdir -p "$out"
/usr/bin/python3 - "$out" <<'PY'
import random, sys
out = sys.argv[1]
rng = random.Random(12)
lines = []
for i in range(600):
    lines.append('{"trip_id":"T%d","call_type":"%s","taxi_id":%d,"timestamp":%d,'
                 '"polyline":[[-8.6186%02d,41.1414%02d],[-8.6184%02d,41.1413%02d]]}\n'
                 % (i, "ABC"[i % 3], 20000000 + rng.randrange(448), 1372636858 + 15 * i,
                    rng.randrange(100), rng.randrange(100), rng.randrange(100), rng.randrange(100)))
inputs = {
    "empty": b"",
    "hello": b"hello\n",
    "records": "".join(lines).encode(),                       # several 32 KiB blocks
    "random": bytes(rng.randrange(256) for _ in range(40000)),  # incompressible
}
for name, data in inputs.items():
    with open("%s/%s.in" % (out, name), "wb") as f:
        f.write(data)
PY
for input in "$out"/*.in; do
  name="${input%.in}"
  java -cp /usr/share/java/snappy-java.jar "$here/SnappyJavaVectors.java" \
    "$input" "$name.snappy-java" "$name.hadoop-snappy"
done
ls -l "$out"
