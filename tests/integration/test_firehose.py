"""Firehose against the real binary with boto3, the AWS CLI and `sluice firehose`: the
control plane with AWS's validation rules and errors, PutRecord(Batch) limits, buffering
by size and by interval, object keys and contents, delivery failures that heal by
themselves, and restarts."""
import base64
import gzip
import http.client
import json
import os
import re
import time

import pytest

from conftest import SLUICE_BIN, Sluice, run
from test_s3 import ENV, s3_client

ROLE = "arn:aws:iam::000000000000:role/firehose_role"
# Bounds the waits for the delivery thread (which runs on its own): a deadline to fail
# the test, never a sleep that a pass depends on.
DELIVERY_DEADLINE_S = 20


def firehose_client(url):
    import boto3
    from botocore.config import Config
    # botocore checks some ranges client-side with older limits (IntervalInSeconds >= 60):
    # parameter validation off lets the server's own rules answer.
    return boto3.client(
        "firehose", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}, parameter_validation=False,
                      connect_timeout=5, read_timeout=60))


@pytest.fixture(scope="module")
def fh(server):
    return firehose_client(server.url)


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.url)


_counter = [0]


def unique(prefix):
    _counter[0] += 1
    return "%s-%d-%d" % (prefix, os.getpid(), _counter[0])


@pytest.fixture
def bucket(s3):
    name = unique("lake")
    s3.create_bucket(Bucket=name)
    return name


def extended(bucket, size_mb=5, interval_s=300, **more):
    cfg = {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::" + bucket,
           "BufferingHints": {"SizeInMBs": size_mb, "IntervalInSeconds": interval_s}}
    cfg.update(more)
    return cfg


def error_of(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def objects(s3, bucket):
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        out.extend(o["Key"] for o in page.get("Contents", []))
    return out


def wait_for_objects(s3, bucket, count):
    deadline = time.time() + DELIVERY_DEADLINE_S
    while time.time() < deadline:
        keys = objects(s3, bucket)
        if len(keys) >= count:
            return keys
        time.sleep(0.05)
    raise AssertionError("expected %d objects in %s, have %r" % (count, bucket, objects(s3, bucket)))


def body(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def sluice_cli(server, *args):
    return run([SLUICE_BIN, "firehose", *args, "--endpoint", server.url], env=ENV)


def raw_call(url, action, raw):
    host, port = url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("POST", "/", body=raw, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Firehose_20150804." + action,
        "X-Amz-Date": "20260101T000000Z",
        "Authorization": ("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/firehose/aws4_request, "
                          "SignedHeaders=host;x-amz-date, Signature=abc")})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, json.loads(data) if data else None


# ---- control plane ----

def test_lifecycle_describe_list_tags_update_delete(fh, bucket):
    name = unique("life")
    arn = fh.create_delivery_stream(DeliveryStreamName=name,
                                    ExtendedS3DestinationConfiguration=extended(bucket, Prefix="p/"),
                                    Tags=[{"Key": "stage", "Value": "dev"}])["DeliveryStreamARN"]
    assert arn == "arn:aws:firehose:us-east-1:000000000000:deliverystream/" + name
    d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["DeliveryStreamStatus"] == "ACTIVE" and d["VersionId"] == "1"
    assert d["DeliveryStreamType"] == "DirectPut"
    dest = d["Destinations"][0]
    assert dest["DestinationId"] == "destinationId-000000000001"
    ext = dest["ExtendedS3DestinationDescription"]
    assert ext["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    assert ext["Prefix"] == "p/" and ext["CompressionFormat"] == "UNCOMPRESSED"
    assert dest["S3DestinationDescription"]["BucketARN"] == "arn:aws:s3:::" + bucket

    assert name in fh.list_delivery_streams(Limit=10000)["DeliveryStreamNames"]
    assert name in fh.list_delivery_streams(DeliveryStreamType="DirectPut", Limit=10000)["DeliveryStreamNames"]
    assert name not in fh.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource")["DeliveryStreamNames"]

    fh.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": "team", "Value": "x"}])
    fh.untag_delivery_stream(DeliveryStreamName=name, TagKeys=["stage"])
    tags = fh.list_tags_for_delivery_stream(DeliveryStreamName=name)
    assert tags["Tags"] == [{"Key": "team", "Value": "x"}] and tags["HasMoreTags"] is False

    with pytest.raises(fh.exceptions.ConcurrentModificationException):
        fh.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="7",
                              DestinationId="destinationId-000000000001",
                              ExtendedS3DestinationUpdate={"BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
    fh.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                          DestinationId="destinationId-000000000001",
                          ExtendedS3DestinationUpdate={"BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
    d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["VersionId"] == "2"
    ext = d["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert ext["BufferingHints"] == {"SizeInMBs": 1, "IntervalInSeconds": 60} and ext["Prefix"] == "p/"

    fh.delete_delivery_stream(DeliveryStreamName=name)
    with pytest.raises(fh.exceptions.ResourceNotFoundException) as e:
        fh.describe_delivery_stream(DeliveryStreamName=name)
    assert error_of(e) == ("ResourceNotFoundException",
                           "Firehose %s under account 000000000000 not found." % name, 400)


def test_list_pages_in_name_order(fh, bucket):
    names = sorted(unique("page") for _ in range(3))
    for n in names:
        fh.create_delivery_stream(DeliveryStreamName=n, S3DestinationConfiguration=extended(bucket))
    first = fh.list_delivery_streams(Limit=1, ExclusiveStartDeliveryStreamName=names[0])
    assert first["DeliveryStreamNames"] == [names[1]] and first["HasMoreDeliveryStreams"] is True


def test_duplicate_name_is_resource_in_use(fh, bucket):
    name = unique("dup")
    fh.create_delivery_stream(DeliveryStreamName=name, S3DestinationConfiguration=extended(bucket))
    with pytest.raises(fh.exceptions.ResourceInUseException):
        fh.create_delivery_stream(DeliveryStreamName=name, S3DestinationConfiguration=extended(bucket))


INVALID_CREATES = [
    # (request changes, error type, a part of the message)
    ({"DeliveryStreamName": "bad name"}, "ValidationException",
     "at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
     "[a-zA-Z0-9_.-]+"),
    ({"DeliveryStreamName": "x" * 65}, "ValidationException",
     "at 'deliveryStreamName' failed to satisfy constraint: Member must have length less than or equal to 64"),
    ({"dest": {"BufferingHints": {"SizeInMBs": 0, "IntervalInSeconds": 60}}}, "ValidationException",
     "at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: "
     "Member must have value greater than or equal to 1"),
    ({"dest": {"BufferingHints": {"SizeInMBs": 129, "IntervalInSeconds": 60}}}, "ValidationException",
     "Member must have value less than or equal to 128"),
    ({"dest": {"BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 901}}}, "ValidationException",
     "at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: "
     "Member must have value less than or equal to 900"),
    ({"dest": {"RoleARN": "role"}}, "ValidationException",
     "at 'extendedS3DestinationConfiguration.roleARN' failed to satisfy constraint: Member must satisfy "
     "regular expression pattern: arn:.*:iam::\\d{12}:role/[a-zA-Z_0-9+=,.@\\-_/]+"),
    ({"dest": {"BucketARN": "arn:aws:s3:::"}}, "ValidationException",
     "at 'extendedS3DestinationConfiguration.bucketARN' failed to satisfy constraint: Member must satisfy "
     "regular expression pattern: arn:.*:s3:::[\\w\\.\\-]{1,255}"),
    ({"dest": {"CompressionFormat": "BZIP2"}}, "ValidationException",
     "Member must satisfy enum value set: [UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY]"),
    ({"both": True}, "InvalidArgumentException", "Exactly one destination configuration"),
    ({"none": True}, "InvalidArgumentException", "Exactly one destination configuration"),
    ({"DeliveryStreamType": "Pipe"}, "ValidationException",
     "Member must satisfy enum value set: [DirectPut, KinesisStreamAsSource, MSKAsSource, DatabaseAsSource]"),
    ({"RedshiftDestinationConfiguration": {}}, "InvalidArgumentException",
     "RedshiftDestinationConfiguration is not supported"),
    ({"dest": {"DataFormatConversionConfiguration": {"Enabled": True}}}, "InvalidArgumentException",
     "DataFormatConversionConfiguration"),
    ({"dest": {"ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
        {"ParameterName": "LambdaArn", "ParameterValue": "arn:aws:lambda:us-east-1:000000000000:function:f"},
        {"ParameterName": "NumberOfRetries", "ParameterValue": "many"}]}]}}},
     "InvalidArgumentException",
     "Processor parameter NumberOfRetries value many is not valid; it must be a number in the range 0-300."),
    ({"Tags": [{"Key": "aws:x", "Value": "v"}]}, "ValidationException",
     "at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern"),
    ({"DeliveryStreamType": "KinesisStreamAsSource"}, "InvalidArgumentException",
     "KinesisSourceStreamConfig is required for KinesisStreamAsSource delivery stream type."),
    ({"dest": {"CloudWatchLoggingOptions": {"Enabled": True, "LogStreamName": "DestinationDelivery"}}},
     "InvalidArgumentException", "CloudWatch Log Group Name is required if CloudWatch Logging is enabled"),
    ({"dest": {"CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": "/aws/kinesisfirehose/x"}}},
     "InvalidArgumentException", "CloudWatch Log Stream Name is required if CloudWatch Logging is enabled"),
    ({"dest": {"CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": "a group", "LogStreamName": "s"}}},
     "ValidationException",
     "at 'extendedS3DestinationConfiguration.cloudWatchLoggingOptions.logGroupName' failed to satisfy "
     "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]*"),
    ({"dest": {"CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": "g", "LogStreamName": "a:b"}}},
     "ValidationException",
     "at 'extendedS3DestinationConfiguration.cloudWatchLoggingOptions.logStreamName' failed to satisfy "
     "constraint: Member must satisfy regular expression pattern: [^:*]*"),
]


@pytest.mark.parametrize("change,error_type,message", INVALID_CREATES,
                         ids=[str(i) for i in range(len(INVALID_CREATES))])
def test_invalid_create_requests_get_aws_errors_and_change_nothing(fh, bucket, change, error_type, message):
    name = unique("bad")
    req = {"DeliveryStreamName": name, "ExtendedS3DestinationConfiguration": extended(bucket)}
    change = dict(change)
    req["ExtendedS3DestinationConfiguration"].update(change.pop("dest", {}))
    if change.pop("both", False):
        req["S3DestinationConfiguration"] = extended(bucket)
    if change.pop("none", False):
        del req["ExtendedS3DestinationConfiguration"]
    req.update(change)
    with pytest.raises(fh.exceptions.ClientError) as e:
        fh.create_delivery_stream(**req)
    code, msg, status = error_of(e)
    assert (code, status) == (error_type, 400), msg
    assert message in msg
    assert name not in fh.list_delivery_streams(Limit=10000)["DeliveryStreamNames"]


def test_prefix_rules_are_awss(fh, bucket):
    with pytest.raises(fh.exceptions.InvalidArgumentException) as e:
        fh.create_delivery_stream(DeliveryStreamName=unique("pfx"), ExtendedS3DestinationConfiguration=extended(
            bucket, Prefix="a/!{timestamp:yyyy}/"))
    assert "ErrorOutputPrefix" in error_of(e)[1]


def test_unknown_stream_is_resource_not_found_everywhere(fh):
    for call in (lambda: fh.describe_delivery_stream(DeliveryStreamName="nope"),
                 lambda: fh.delete_delivery_stream(DeliveryStreamName="nope"),
                 lambda: fh.put_record(DeliveryStreamName="nope", Record={"Data": b"x"}),
                 lambda: fh.put_record_batch(DeliveryStreamName="nope", Records=[{"Data": b"x"}]),
                 lambda: fh.list_tags_for_delivery_stream(DeliveryStreamName="nope")):
        with pytest.raises(fh.exceptions.ResourceNotFoundException) as e:
            call()
        assert error_of(e) == ("ResourceNotFoundException", "Firehose nope under account 000000000000 not found.", 400)


# ---- data plane limits ----

def test_put_limits(fh, bucket, server):
    name = unique("limits")
    fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=extended(bucket))
    with pytest.raises(fh.exceptions.ClientError) as e:
        fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x"}] * 501)
    code, msg, status = error_of(e)
    assert (code, status) == ("ValidationException", 400)
    assert msg.startswith("1 validation error detected: Value '[")
    assert msg.endswith("at 'records' failed to satisfy constraint: Member must have length less than or equal to 500")

    with pytest.raises(fh.exceptions.ClientError) as e:
        fh.put_record(DeliveryStreamName=name, Record={"Data": b"x" * (1001 * 1024)})
    assert error_of(e) == ("ValidationException",
                           "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1025024 "
                           "cap=1025024]' at 'record.data' failed to satisfy constraint: Member must have "
                           "length less than or equal to 1024000", 400)
    with pytest.raises(fh.exceptions.ClientError) as e:
        fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"y" * (1001 * 1024)}])
    assert "at 'records.1.member.data' failed to satisfy constraint" in error_of(e)[1]

    with pytest.raises(fh.exceptions.InvalidArgumentException) as e:
        fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"z" * 1_000_000}] * 5)
    assert "4 MiB" in error_of(e)[1]

    status, out = raw_call(server.url, "PutRecord",
                           json.dumps({"DeliveryStreamName": name, "Record": {"Data": "not*base64"}}).encode())
    assert status == 400 and out["__type"] == "SerializationException", out

    ok = fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"a"}, {"Data": b""}, {"Data": b"c"}])
    assert ok["FailedPutCount"] == 0 and len(ok["RequestResponses"]) == 3
    ids = [r["RecordId"] for r in ok["RequestResponses"]]
    assert len(set(ids)) == 3
    assert fh.put_record(DeliveryStreamName=name, Record={"Data": b"d"})["RecordId"] not in ids
    # Nothing refused above was buffered.
    assert ls_row(server, name)["records"] == 4


def ls_row(server, name):
    out = sluice_cli(server, "ls")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:5] == ["NAME", "BUFFERED_BYTES", "RECORDS", "OLDEST", "OBJECTS"]
    for line in lines[1:]:
        f = line.split(None, 5)
        if f[0] == name:
            return {"bytes": int(f[1]), "records": int(f[2]), "oldest": f[3], "objects": int(f[4]),
                    "error": f[5] if len(f) > 5 else "-"}
    raise AssertionError("%s not in %r" % (name, out.stdout))


# ---- buffering and objects ----

KEY_RE = re.compile(r"^(?P<prefix>.*)(?P<y>\d{4})/(?P<m>\d\d)/(?P<d>\d\d)/(?P<h>\d\d)/"
                    r"(?P<name>.+)-1-(?P=y)-(?P=m)-(?P=d)-(?P=h)-\d\d-\d\d-"
                    r"[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}(?P<ext>\.gz)?$")


def test_size_hint_cuts_objects_and_flush_delivers_the_rest(fh, s3, bucket, server):
    name = unique("size")
    fh.create_delivery_stream(DeliveryStreamName=name,
                              ExtendedS3DestinationConfiguration=extended(bucket, size_mb=1, interval_s=900))
    records = [(b"%06d" % i) + b"x" * 1018 for i in range(1500)]  # 1 KiB each, 1.5 MiB
    for i in range(0, len(records), 500):
        r = fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": d} for d in records[i:i + 500]])
        assert r["FailedPutCount"] == 0
    keys = wait_for_objects(s3, bucket, 1)
    assert len(keys) == 1
    first = body(s3, bucket, keys[0])
    assert len(first) == 1024 * 1024 and first == b"".join(records[:1024])
    row = ls_row(server, name)
    assert (row["records"], row["bytes"], row["objects"]) == (476, 476 * 1024, 1)

    out = sluice_cli(server, "flush", name)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "flushed %s: 2 objects written, 0 bytes buffered" % name
    keys = objects(s3, bucket)
    assert len(keys) == 2
    for k in keys:
        m = KEY_RE.match(k)
        assert m and m.group("name") == name and m.group("prefix") == "", k
    joined = sorted((body(s3, bucket, k) for k in keys), key=lambda b: b[:6])
    assert b"".join(joined) == b"".join(records)


def test_zero_interval_delivers_as_records_arrive_with_the_aws_cli(fh, s3, bucket, server):
    name = unique("zero")
    fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=extended(
        bucket, size_mb=5, interval_s=0, Prefix="context=firehose_delivery/", CompressionFormat="GZIP",
        ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "AppendDelimiterToRecord"}]}))
    out = run(["/usr/bin/aws", "--endpoint-url", server.url, "firehose", "put-record-batch",
               "--delivery-stream-name", name, "--records",
               json.dumps([{"Data": base64.b64encode(b'{"trip":1}').decode()},
                           {"Data": base64.b64encode(b'{"trip":2}').decode()}])], env=ENV)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["FailedPutCount"] == 0
    keys = wait_for_objects(s3, bucket, 1)
    m = KEY_RE.match(keys[0])
    assert m and m.group("prefix") == "context=firehose_delivery/" and m.group("ext") == ".gz", keys[0]
    # AppendDelimiterToRecord: a delimiter between records, none after the last (as AWS).
    assert gzip.decompress(body(s3, bucket, keys[0])) == b'{"trip":1}\n{"trip":2}'


def test_missing_bucket_is_retried_and_delivery_resumes_by_itself(fh, s3, server):
    bucket = unique("later")
    name = unique("heal")
    fh.create_delivery_stream(DeliveryStreamName=name,
                              ExtendedS3DestinationConfiguration=extended(bucket, size_mb=1, interval_s=0))
    fh.put_record(DeliveryStreamName=name, Record={"Data": b"kept"})
    deadline = time.time() + DELIVERY_DEADLINE_S
    while "NoSuchBucket" not in ls_row(server, name)["error"]:
        assert time.time() < deadline, ls_row(server, name)
        time.sleep(0.05)
    assert ls_row(server, name)["records"] == 1
    out = sluice_cli(server, "flush", name)
    assert out.returncode == 1 and "NoSuchBucket" in out.stderr, out
    s3.create_bucket(Bucket=bucket)
    keys = wait_for_objects(s3, bucket, 1)
    assert body(s3, bucket, keys[0]) == b"kept"
    assert ls_row(server, name)["error"] == "-"


def test_delete_delivers_what_is_buffered(fh, s3, bucket):
    name = unique("del")
    fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=extended(bucket))
    fh.put_record(DeliveryStreamName=name, Record={"Data": b"last words"})
    fh.delete_delivery_stream(DeliveryStreamName=name)
    keys = objects(s3, bucket)
    assert len(keys) == 1 and body(s3, bucket, keys[0]) == b"last words"


def test_cli_flush_of_unknown_stream_fails(server):
    out = sluice_cli(server, "flush", "nope")
    assert out.returncode == 1
    assert out.stderr.strip() == ("sluice firehose: ResourceNotFoundException: Firehose nope under account "
                                  "000000000000 not found.")


# ---- restarts ----

def test_configuration_and_buffer_survive_a_restart(data_dir):
    s = Sluice(data_dir)
    try:
        fh, s3 = firehose_client(s.url), s3_client(s.url)
        s3.create_bucket(Bucket="lake")
        fh.create_delivery_stream(DeliveryStreamName="kept", ExtendedS3DestinationConfiguration=extended("lake"),
                                  Tags=[{"Key": "k", "Value": "v"}])
        fh.put_record_batch(DeliveryStreamName="kept", Records=[{"Data": b"a"}, {"Data": b"b"}])
    finally:
        code, err = s.stop()
        assert code == 0, err
    s = Sluice(data_dir)
    try:
        fh, s3 = firehose_client(s.url), s3_client(s.url)
        d = fh.describe_delivery_stream(DeliveryStreamName="kept")["DeliveryStreamDescription"]
        assert d["Destinations"][0]["ExtendedS3DestinationDescription"]["BufferingHints"]["SizeInMBs"] == 5
        assert fh.list_tags_for_delivery_stream(DeliveryStreamName="kept")["Tags"] == [{"Key": "k", "Value": "v"}]
        assert objects(s3, "lake") == []
        assert sluice_cli(s, "flush", "kept").returncode == 0
        keys = objects(s3, "lake")
        assert len(keys) == 1 and body(s3, "lake", keys[0]) == b"ab"
    finally:
        code, err = s.stop()
        assert code == 0, err


# ---- processing ----

def partitioned(bucket, **more):
    cfg = dict(Prefix="customer=!{partitionKeyFromQuery:customer}/",
               ErrorOutputPrefix="errors/!{firehose:error-output-type}/")
    cfg.update(more)
    return extended(bucket, size_mb=64, interval_s=900,
                    DynamicPartitioningConfiguration={"Enabled": True},
                    ProcessingConfiguration={"Enabled": True, "Processors": [
                        {"Type": "RecordDeAggregation", "Parameters": [
                            {"ParameterName": "SubRecordType", "ParameterValue": "JSON"}]},
                        {"Type": "MetadataExtraction", "Parameters": [
                            {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{customer: .customer}"},
                            {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]},
                        {"Type": "AppendDelimiterToRecord"}]}, **cfg)


def test_dynamic_partitioning_with_deaggregation_and_error_output(fh, s3, bucket, server):
    name = unique("dp")
    fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=partitioned(bucket))
    d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    ext = d["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert ext["DynamicPartitioningConfiguration"]["Enabled"] is True
    assert [p["Type"] for p in ext["ProcessingConfiguration"]["Processors"]] == [
        "RecordDeAggregation", "MetadataExtraction", "AppendDelimiterToRecord"]
    fh.put_record_batch(DeliveryStreamName=name, Records=[
        {"Data": b'{"customer":"a","n":1}{"customer":"b","n":2}'},
        {"Data": b'{"n":3}'},
        {"Data": b'{"customer":"a","n":4}'}])
    assert sluice_cli(server, "flush", name).returncode == 0
    keys = objects(s3, bucket)
    assert len(keys) == 3, keys
    by_top = {k.split("/")[0]: k for k in keys}
    assert body(s3, bucket, by_top["customer=a"]) == b'{"customer":"a","n":1}\n{"customer":"a","n":4}'
    assert body(s3, bucket, by_top["customer=b"]) == b'{"customer":"b","n":2}'
    assert by_top["errors"].startswith("errors/partitioning-failed/")
    err = json.loads(body(s3, bucket, by_top["errors"]))
    assert err["errorCode"] == "DynamicPartitioning.MetadataExtractionFailed"
    assert base64.b64decode(err["rawData"]) == b'{"n":3}'
    assert err["deliveryStreamARN"].endswith(":deliverystream/" + name)
    for k in keys:
        assert re.search(r"/%s-1-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9a-f-]{36}$" % name, k), k


DP_RULES = [
    ({"BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 0}}, "zero buffering"),
    ({"BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 60}},
     "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled."),
    ({"ErrorOutputPrefix": "errors/!{timestamp:yyyy}/"}, "ErrorOutputPrefix must contain at least one occurrence of "
                                                          "!{firehose:error-output-type}"),
    ({"Prefix": "x/!{partitionKeyFromQuery:other}/"},
     "MetaDataExtraction JQ Query can't contain keys that are not present in the S3 Prefix expression"),
]


@pytest.mark.parametrize("change,message", DP_RULES, ids=[str(i) for i in range(len(DP_RULES))])
def test_dynamic_partitioning_rules(fh, bucket, change, message):
    name = unique("dprule")
    with pytest.raises(fh.exceptions.InvalidArgumentException) as e:
        fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=partitioned(bucket, **change))
    assert message in error_of(e)[1]


def test_a_query_that_does_not_compile_is_refused(fh, bucket):
    cfg = partitioned(bucket)
    cfg["ProcessingConfiguration"]["Processors"][1]["Parameters"][0]["ParameterValue"] = "{customer: .customer"
    with pytest.raises(fh.exceptions.InvalidArgumentException):
        fh.create_delivery_stream(DeliveryStreamName=unique("jq"), ExtendedS3DestinationConfiguration=cfg)


# ---- Kinesis stream as source ----

def test_kinesis_stream_as_source(fh, s3, bucket, server):
    from conftest import kinesis_client
    kin = kinesis_client(server.url)
    stream = unique("ingress")
    kin.create_stream(StreamName=stream, ShardCount=2)
    kin.put_record(StreamName=stream, PartitionKey="k", Data=b"before the delivery stream")
    arn = kin.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    name = unique("src")
    fh.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": arn, "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration=extended(bucket, ProcessingConfiguration={
            "Enabled": True, "Processors": [{"Type": "AppendDelimiterToRecord"}]}))
    d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["DeliveryStreamType"] == "KinesisStreamAsSource"
    src = d["Source"]["KinesisStreamSourceDescription"]
    assert src["KinesisStreamARN"] == arn and src["RoleARN"] == ROLE and "DeliveryStartTimestamp" in src
    assert name in fh.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource")["DeliveryStreamNames"]

    with pytest.raises(fh.exceptions.InvalidArgumentException) as e:
        fh.put_record(DeliveryStreamName=name, Record={"Data": b"x"})
    assert error_of(e)[1] == "This operation is not permitted on KinesisStreamAsSource delivery stream type."

    sent = [b"trip-%03d" % i for i in range(50)]
    r = kin.put_records(StreamName=stream, Records=[{"PartitionKey": str(i), "Data": d} for i, d in enumerate(sent)])
    assert r["FailedRecordCount"] == 0
    assert sluice_cli(server, "flush", name).returncode == 0
    lines = []
    for k in objects(s3, bucket):
        lines.extend(body(s3, bucket, k).splitlines())
    assert sorted(lines) == sorted(sent), "every stream record after the start, once"


def test_kinesis_source_must_exist(fh, bucket):
    with pytest.raises(fh.exceptions.InvalidArgumentException) as e:
        fh.create_delivery_stream(
            DeliveryStreamName=unique("src"), DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={
                "KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/nope", "RoleARN": ROLE},
            ExtendedS3DestinationConfiguration=extended(bucket))
    assert error_of(e)[1] == "Kinesis stream arn:aws:kinesis:us-east-1:000000000000:stream/nope does not exist."


def test_rate_limits_refuse_calls_past_the_quota(start_sluice):
    s = start_sluice("--firehose-rate-limits", "--region", "ap-south-1")
    fh, s3 = firehose_client(s.url), s3_client(s.url)
    s3.create_bucket(Bucket="lake")
    fh.create_delivery_stream(DeliveryStreamName="quota", ExtendedS3DestinationConfiguration=extended("lake"))
    # 1 MiB/s in this region; one call may burst to 4 MiB. Each call below takes almost
    # 4 s of quota, so one of the next ten is refused however slow the machine is.
    big = [{"Data": b"x" * 1_000_000}] * 4
    assert fh.put_record_batch(DeliveryStreamName="quota", Records=big)["FailedPutCount"] == 0
    refused = None
    for _ in range(10):
        try:
            fh.put_record_batch(DeliveryStreamName="quota", Records=big)
        except fh.exceptions.ServiceUnavailableException as e:
            refused = e
            break
    assert refused is not None
    assert refused.response["Error"]["Message"] == "Slow down."
    assert refused.response["ResponseMetadata"]["HTTPStatusCode"] == 503


def test_put_record_batch_over_http2(fh, s3, bucket, server):
    """curl speaks HTTP/2 with prior knowledge in clear text and signs with SigV4, as the
    JavaScript and Java SDKs' HTTP/2 handlers do."""
    name = unique("h2")
    fh.create_delivery_stream(DeliveryStreamName=name,
                              ExtendedS3DestinationConfiguration=extended(bucket, interval_s=0))
    payload = json.dumps({"DeliveryStreamName": name, "Records": [
        {"Data": base64.b64encode(b"over h2 %d;" % i).decode()} for i in range(3)]})
    out = run(["curl", "-sS", "--http2-prior-knowledge", "-w", "\n%{http_version}",
               "--aws-sigv4", "aws:amz:us-east-1:firehose", "--user", "AKIDEXAMPLE:secret",
               "-H", "Content-Type: application/x-amz-json-1.1",
               "-H", "X-Amz-Target: Firehose_20150804.PutRecordBatch",
               "--data-binary", payload, server.url + "/"])
    assert out.returncode == 0, out.stderr
    answer, version = out.stdout.rsplit("\n", 1)
    assert version == "2"
    assert json.loads(answer)["FailedPutCount"] == 0
    keys = wait_for_objects(s3, bucket, 1)
    assert body(s3, bucket, keys[0]) == b"over h2 0;over h2 1;over h2 2;"
