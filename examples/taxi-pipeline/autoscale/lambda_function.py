"""autoscale: sets a Kinesis stream's shard count from its recent incoming bytes.

Invoked by a CloudWatch alarm on AWS/Kinesis IncomingBytes (the alarm event names the
stream in its metric's StreamName dimension; STREAM_NAME overrides it), on ALARM (a spike)
and on OK (quiet) alike. It reads the stream's IncomingBytes per minute over the last
LOOKBACK_MINUTES (GetMetricStatistics, Sum), takes the busiest minute's bytes per second
and asks for ceil(that / TARGET_BYTES_PER_SHARD) shards, bounded by MIN_SHARDS and
MAX_SHARDS and by what one UpdateShardCount may do (at most double, at least half). After
a change it tags the stream with the time (tag COOLDOWN_TAG) and changes nothing again
until COOLDOWN_SECONDS have passed. UpdateShardCount (UNIFORM_SCALING) splits and merges
shards with their lineage, so each key's records stay in order across the change.

Returns {"stream", "action": "scaled"|"unchanged"|"cooldown"|"busy", "from", "to",
"bytes_per_second"}.
"""
import datetime
import math
import os
import time

import boto3

TARGET_BYTES_PER_SHARD = float(os.environ.get("TARGET_BYTES_PER_SHARD", str(512 * 1024)))  # half of 1 MiB/s
MIN_SHARDS = int(os.environ.get("MIN_SHARDS", "1"))
MAX_SHARDS = int(os.environ.get("MAX_SHARDS", "8"))
LOOKBACK_MINUTES = int(os.environ.get("LOOKBACK_MINUTES", "5"))
COOLDOWN_SECONDS = int(os.environ.get("COOLDOWN_SECONDS", "300"))
COOLDOWN_TAG = os.environ.get("COOLDOWN_TAG", "autoscale-last-change")

kinesis = boto3.client("kinesis")
cloudwatch = boto3.client("cloudwatch")


def stream_of(event):
    if os.environ.get("STREAM_NAME"):
        return os.environ["STREAM_NAME"]
    for m in event["alarmData"]["configuration"]["metrics"]:
        dims = m.get("metricStat", {}).get("metric", {}).get("dimensions", {})
        if "StreamName" in dims:
            return dims["StreamName"]
    raise ValueError("the alarm's metric has no StreamName dimension")


def busiest_bytes_per_second(stream, now):
    dps = cloudwatch.get_metric_statistics(
        Namespace="AWS/Kinesis", MetricName="IncomingBytes", Dimensions=[{"Name": "StreamName", "Value": stream}],
        StartTime=now - datetime.timedelta(minutes=LOOKBACK_MINUTES), EndTime=now + datetime.timedelta(minutes=1),
        Period=60, Statistics=["Sum"])["Datapoints"]
    return max((d["Sum"] for d in dps), default=0.0) / 60.0


def desired(current, bytes_per_second):
    want = max(1, math.ceil(bytes_per_second / TARGET_BYTES_PER_SHARD))
    want = min(max(want, MIN_SHARDS), MAX_SHARDS)
    return min(max(want, math.ceil(current / 2)), current * 2)


def lambda_handler(event, context):
    stream = stream_of(event)
    now = datetime.datetime.now(datetime.timezone.utc)
    summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    current = summary["OpenShardCount"]
    out = {"stream": stream, "from": current, "to": current}
    if summary["StreamStatus"] != "ACTIVE":
        return dict(out, action="busy")
    tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=stream)["Tags"]}
    last = float(tags.get(COOLDOWN_TAG, "0"))
    if time.time() - last < COOLDOWN_SECONDS:
        return dict(out, action="cooldown")
    rate = busiest_bytes_per_second(stream, now)
    target = desired(current, rate)
    out["bytes_per_second"] = rate
    if target == current:
        return dict(out, action="unchanged")
    kinesis.update_shard_count(StreamName=stream, TargetShardCount=target, ScalingType="UNIFORM_SCALING")
    kinesis.add_tags_to_stream(StreamName=stream, Tags={COOLDOWN_TAG: "%d" % time.time()})
    return dict(out, action="scaled", to=target)
