"""write_to_s3: one S3 object per batch of Kinesis records, a JSON array of the trips.

Each element is the record's JSON object. The producer's `event_id` is kept (it is the
trip's unique id across retries); a record without one gets its sequence number. Keys are
context=write_to_s3/date=YYYY-MM-DD/YYYY_MM_DD_HH_<id>.json, with date and hour of the
first record's arrival and <id> the MD5 of "<shard>:<first seq>-<last seq>", so a retried
batch overwrites its own object instead of adding a copy (as the built-in does).
With SCHEMA_S3_URI set, invalid records go to the dead-letter prefix (schema_check.py).
"""
import base64
import datetime
import hashlib
import json
import os

import boto3

import schema_check

OUTPUT_BUCKET = os.environ["OUTPUT_BUCKET"]
DEAD_LETTER_BUCKET = os.environ.get("DEAD_LETTER_BUCKET") or OUTPUT_BUCKET
s3 = boto3.client("s3")
cloudwatch = boto3.client("cloudwatch") if schema_check.enabled() else None


def trip(record):
    kinesis = record["kinesis"]
    row = json.loads(base64.b64decode(kinesis["data"]))
    if not isinstance(row, dict):
        raise ValueError("record %s is not a JSON object" % kinesis["sequenceNumber"])
    row.setdefault("event_id", kinesis["sequenceNumber"])
    return row


def object_key(records):
    first, last = records[0], records[-1]
    shard = first["eventID"].split(":", 1)[0]
    batch = "%s:%s-%s" % (shard, first["kinesis"]["sequenceNumber"], last["kinesis"]["sequenceNumber"])
    arrival = datetime.datetime.fromtimestamp(first["kinesis"]["approximateArrivalTimestamp"],
                                              tz=datetime.timezone.utc)
    return "context=write_to_s3/date=%s/%s_%s.json" % (
        arrival.strftime("%Y-%m-%d"), arrival.strftime("%Y_%m_%d_%H"), hashlib.md5(batch.encode()).hexdigest())


def lambda_handler(event, context):
    records = event.get("Records", [])
    if records and schema_check.enabled():
        records = schema_check.keep_valid(records, context.function_name, DEAD_LETTER_BUCKET, s3, cloudwatch)
    if not records:
        return {"objects": 0}
    body = json.dumps([trip(r) for r in records], separators=(",", ":"))
    key = object_key(records)
    s3.put_object(Bucket=OUTPUT_BUCKET, Key=key, Body=body.encode(), ContentType="application/json")
    return {"objects": 1, "records": len(records), "key": key}
