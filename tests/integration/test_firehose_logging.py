"""Firehose's error logging (CloudWatchLoggingOptions) against the real binary: a delivery
to a missing bucket and a failing Lambda processor write AWS's JSON error events to the
configured log group and stream, read back with boto3's logs.get_log_events; and a
Lambda processor on a delivery stream with a Kinesis source sees each record's
kinesisRecordMetadata."""
import base64
import json
import time

import pytest

from test_firehose import (DELIVERY_DEADLINE_S, body, bucket, extended, fh, s3, sluice_cli,  # noqa: F401
                           unique, wait_for_objects)
from test_firehose_lambda import lambda_processor
from test_lambda import create, lam  # noqa: F401
from test_logs import logs_client

NO_SUCH_BUCKET = "The specified bucket does not exist. Create the bucket or use a different bucket that does exist."
FUNCTION_ERROR = "The Lambda function was successfully invoked but it returned an error result."


@pytest.fixture(scope="module")
def logs(server):
    return logs_client(server.url)


def logging_options(name):
    return {"Enabled": True, "LogGroupName": "/aws/kinesisfirehose/" + name, "LogStreamName": "DestinationDelivery"}


def prepare_log_group(logs, name):
    # AWS requires the group and the stream to exist before Firehose writes to them;
    # sluice's Logs has no CreateLogStream, and its error log creates a missing stream.
    logs.create_log_group(logGroupName="/aws/kinesisfirehose/" + name)


def wait_for_log_events(logs, name, count=1):
    deadline = time.time() + DELIVERY_DEADLINE_S
    events = []
    while True:
        try:
            events = logs.get_log_events(logGroupName="/aws/kinesisfirehose/" + name,
                                         logStreamName="DestinationDelivery", startFromHead=True)["events"]
        except logs.exceptions.ResourceNotFoundException:
            pass  # the stream appears with the first event
        if len(events) >= count:
            return events
        assert time.time() < deadline, events
        time.sleep(0.05)


def test_a_missing_bucket_is_logged_to_the_configured_stream(fh, logs):  # noqa: F811
    missing = unique("nobucket")
    name = unique("logged")
    prepare_log_group(logs, name)
    fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=extended(
        missing, size_mb=1, interval_s=0, CloudWatchLoggingOptions=logging_options(name)))
    desc = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert (desc["Destinations"][0]["ExtendedS3DestinationDescription"]["CloudWatchLoggingOptions"]
            == logging_options(name))
    fh.put_record(DeliveryStreamName=name, Record={"Data": b"kept"})
    event = wait_for_log_events(logs, name)[0]
    message = json.loads(event["message"])
    assert list(message) == ["deliveryStreamARN", "destination", "deliveryStreamVersionId", "message", "errorCode"]
    assert message == {"deliveryStreamARN": desc["DeliveryStreamARN"], "destination": "arn:aws:s3:::" + missing,
                       "deliveryStreamVersionId": 1, "message": NO_SUCH_BUCKET, "errorCode": "S3.NoSuchBucket"}
    assert event["timestamp"] > 0 and event["ingestionTime"] >= event["timestamp"]


def test_a_failing_processor_is_logged_with_its_arn(fh, s3, lam, logs, bucket, server):  # noqa: F811
    fn = create(lam, "def handler(event, context):\n    raise RuntimeError('no')\n")
    arn = lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
    name = unique("logged")
    prepare_log_group(logs, name)
    fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=extended(
        bucket, CloudWatchLoggingOptions=logging_options(name),
        ProcessingConfiguration=lambda_processor(arn, NumberOfRetries=0)))
    fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x"}, {"Data": b"y"}])
    out = sluice_cli(server, "flush", name)
    assert out.returncode == 0, out.stderr
    assert wait_for_objects(s3, bucket, 1)[0].startswith("processing-failed/")
    events = wait_for_log_events(logs, name)
    assert [json.loads(e["message"]) for e in events] == [{
        "deliveryStreamARN": "arn:aws:firehose:us-east-1:000000000000:deliverystream/" + name,
        "destination": "arn:aws:s3:::" + bucket, "deliveryStreamVersionId": 1, "message": FUNCTION_ERROR,
        "errorCode": "Lambda.FunctionError", "processor": arn}]


ECHO_EVENT = '''
import base64, json

def handler(event, context):
    # Keeps the event it was sent as the record's data (one record per event here).
    text = base64.b64encode(json.dumps(event).encode()).decode()
    return {"records": [{"recordId": r["recordId"], "result": "Ok", "data": text} for r in event["records"]]}
'''


def kinesis_client(url):
    import boto3
    from botocore.config import Config
    return boto3.client("kinesis", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                        config=Config(retries={"total_max_attempts": 1}))


def test_a_kinesis_sources_records_reach_the_function_with_their_metadata(fh, s3, lam, bucket, server):  # noqa: F811
    kinesis = kinesis_client(server.url)
    stream = unique("src")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    fn = create(lam, ECHO_EVENT)
    arn = lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
    name = unique("fromsrc")
    fh.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": extended(bucket)["RoleARN"]},
        ExtendedS3DestinationConfiguration=extended(bucket, ProcessingConfiguration=lambda_processor(arn)))
    put = kinesis.put_record(StreamName=stream, Data=b"trip-1", PartitionKey="taxi-7")
    record = kinesis.get_records(ShardIterator=kinesis.get_shard_iterator(
        StreamName=stream, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"])["Records"][0]
    out = sluice_cli(server, "flush", name)
    assert out.returncode == 0, out.stderr
    event = json.loads(body(s3, bucket, wait_for_objects(s3, bucket, 1)[0]))
    assert list(event) == ["invocationId", "sourceKinesisStreamArn", "deliveryStreamArn", "region", "records"]
    assert event["sourceKinesisStreamArn"] == stream_arn
    (r,) = event["records"]
    assert list(r) == ["recordId", "approximateArrivalTimestamp", "data", "kinesisRecordMetadata"]
    assert base64.b64decode(r["data"]) == b"trip-1"
    m = r["kinesisRecordMetadata"]
    assert list(m) == ["shardId", "partitionKey", "approximateArrivalTimestamp", "sequenceNumber",
                       "subsequenceNumber"]
    assert m["shardId"] == put["ShardId"]
    assert m["partitionKey"] == "taxi-7"
    assert m["sequenceNumber"] == put["SequenceNumber"]
    assert m["subsequenceNumber"] == 0
    # Milliseconds since the epoch, the stream's own arrival time of the record.
    assert m["approximateArrivalTimestamp"] == round(record["ApproximateArrivalTimestamp"].timestamp() * 1000)
    assert r["approximateArrivalTimestamp"] >= m["approximateArrivalTimestamp"]
