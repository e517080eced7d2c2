"""send_to_firehose: each Kinesis record's trip, as one JSON line, into the delivery stream.

Fixes over the reference's consumer: lines are valid JSON (json.dumps, not str(dict)),
each ending in a newline so the delivered objects are JSON lines; records go in
PutRecordBatch calls of at most 500 records and 4 MiB (not one PutRecord per record);
the producer's `event_id` stays in the line. Records Firehose refuses in a batch
(FailedPutCount) are sent again; after the last attempt the invocation fails, so the
event-source mapping retries the batch. With SCHEMA_S3_URI set, invalid records go to
the dead-letter prefix of DEAD_LETTER_BUCKET instead (schema_check.py).
"""
import base64
import json
import os
import time

import boto3

import schema_check

DELIVERY_STREAM_NAME = os.environ["DELIVERY_STREAM_NAME"]
DEAD_LETTER_BUCKET = os.environ.get("DEAD_LETTER_BUCKET", "")
MAX_RECORDS = 500
MAX_BYTES = 4 * 1024 * 1024
ATTEMPTS = 5
firehose = boto3.client("firehose")
s3 = boto3.client("s3") if schema_check.enabled() else None
cloudwatch = boto3.client("cloudwatch") if schema_check.enabled() else None


def line(record):
    row = json.loads(base64.b64decode(record["kinesis"]["data"]))
    if not isinstance(row, dict):
        raise ValueError("record %s is not a JSON object" % record["kinesis"]["sequenceNumber"])
    return (json.dumps(row, separators=(",", ":")) + "\n").encode()


def put_batch(lines):
    for attempt in range(ATTEMPTS):
        answer = firehose.put_record_batch(DeliveryStreamName=DELIVERY_STREAM_NAME,
                                           Records=[{"Data": data} for data in lines])
        if answer["FailedPutCount"] == 0:
            return
        lines = [data for data, result in zip(lines, answer["RequestResponses"]) if "ErrorCode" in result]
        time.sleep(0.05 * 2 ** attempt)
    raise RuntimeError("%d records still refused by %s after %d attempts" % (len(lines), DELIVERY_STREAM_NAME, ATTEMPTS))


def lambda_handler(event, context):
    group, size, sent = [], 0, 0
    records = event.get("Records", [])
    if records and schema_check.enabled():
        records = schema_check.keep_valid(records, context.function_name, DEAD_LETTER_BUCKET, s3, cloudwatch)
    for record in records:
        data = line(record)
        if group and (len(group) == MAX_RECORDS or size + len(data) > MAX_BYTES):
            put_batch(group)
            sent += len(group)
            group, size = [], 0
        group.append(data)
        size += len(data)
    if group:
        put_batch(group)
        sent += len(group)
    return {"records": sent}
