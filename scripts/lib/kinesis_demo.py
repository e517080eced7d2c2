"""Kinesis steps of scripts/demo, with Debian's boto3 (installed by scripts/setup).

  kinesis_demo.py URL ensure-stream NAME SHARDS   create NAME unless it exists; wait for ACTIVE
  kinesis_demo.py URL per-shard NAME SINCE        read every shard from TRIM_HORIZON; print, per
                                                  shard, records that arrived at or after SINCE
                                                  (unix seconds) and records stored in all
"""
import json
import sys
import time

import boto3
from botocore.config import Config


def client(url):
    # sluice checks the shape of the signature, not the keys: placeholders do.
    return boto3.client("kinesis", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="demo", aws_secret_access_key="demo",
                        config=Config(retries={"max_attempts": 3}))


def ensure_stream(kinesis, name, shards):
    try:
        s = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        print("stream %s exists (%d open shards)" % (name, s["OpenShardCount"]))
    except kinesis.exceptions.ResourceNotFoundException:
        kinesis.create_stream(StreamName=name, ShardCount=shards)
        print("created stream %s with %d shards" % (name, shards))
    kinesis.get_waiter("stream_exists").wait(
        StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})


def per_shard(kinesis, name, since):
    total_new = total_all = 0
    sample = None
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        sid = shard["ShardId"]
        it = kinesis.get_shard_iterator(StreamName=name, ShardId=sid,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        new = stored = 0
        while it:
            page = kinesis.get_records(ShardIterator=it, Limit=10000)
            for r in page["Records"]:
                stored += 1
                if r["ApproximateArrivalTimestamp"].timestamp() >= since:
                    new += 1
                    if sample is None:
                        sample = (sid, r["PartitionKey"], r["Data"])
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            it = page.get("NextShardIterator")
        print("  %s  %8d records from this run   %8d stored in all" % (sid, new, stored))
        total_new += new
        total_all += stored
    print("  %-20s  %8d records from this run   %8d stored in all" % ("total", total_new, total_all))
    if sample:
        rec = json.loads(sample[2])
        if len(rec.get("POLYLINE", "")) > 60:
            rec["POLYLINE"] = rec["POLYLINE"][:60] + "...]"
        print("one record (%s, partition key %s):\n  %s" % (sample[0], sample[1], json.dumps(rec)))


def main():
    url, cmd, name = sys.argv[1], sys.argv[2], sys.argv[3]
    kinesis = client(url)
    if cmd == "ensure-stream":
        ensure_stream(kinesis, name, int(sys.argv[4]))
    elif cmd == "per-shard":
        per_shard(kinesis, name, float(sys.argv[4]))
    else:
        sys.exit("kinesis_demo.py: unknown command %s" % cmd)


if __name__ == "__main__":
    main()
