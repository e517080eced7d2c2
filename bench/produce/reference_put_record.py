"""The reference producer's approach, for comparison: one boto3 `put_record` call per
record from a pool of 32 threads. Reads the first N rows of a taxi CSV, turns each into
the same JSON object `sluice produce` sends (header keys plus event_id) and prints one
line: records=N seconds=S bytes=B.

  reference_put_record.py URL STREAM CSV N
"""
import csv
import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def main():
    url, stream, path, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for _, row in zip(range(n), reader)]
    records = []
    for row in rows:
        rec = dict(zip(header, row))
        rec["event_id"] = str(uuid.uuid4())
        # A key per record, so the comparison measures one call per record, not the
        # reference's single hot key (which sluice does not throttle).
        records.append((json.dumps(rec).encode(), rec["event_id"]))
    # boto3 clients are thread-safe; the pool needs a connection per thread.
    client = boto3.client("kinesis", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="bench", aws_secret_access_key="bench",
                          config=Config(max_pool_connections=32, retries={"max_attempts": 10}))

    def put(rec):
        client.put_record(StreamName=stream, Data=rec[0], PartitionKey=rec[1])

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for _ in pool.map(put, records):
            pass
    seconds = time.monotonic() - start
    nbytes = sum(len(d) + len(k) for d, k in records)
    print("records=%d seconds=%.3f bytes=%d" % (len(records), seconds, nbytes))


if __name__ == "__main__":
    main()
