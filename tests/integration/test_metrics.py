"""Metrics end to end: boto3 traffic to Kinesis and S3, then GET /metrics (Prometheus
text) checked series by series; EnableEnhancedMonitoring / DisableEnhancedMonitoring
with AWS's answer shapes; the stored datapoints under the data dir."""
import os
import urllib.request

import botocore.exceptions
import pytest

from conftest import kinesis_client
from test_s3 import s3_client


def scrape(url):
    """GET /metrics: (content type, {(name, frozenset of label pairs): value})."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        content_type = r.headers["Content-Type"]
        text = r.read().decode()
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, value = line.rsplit(" ", 1)
        name, labels = series, frozenset()
        if "{" in series:
            name, rest = series.split("{", 1)
            pairs = []
            for part in rest.rstrip("}").split('",'):
                k, v = part.split('="', 1)
                pairs.append((k, v.rstrip('"')))
            labels = frozenset(pairs)
        values[(name, labels)] = float(value)
    return content_type, values


def stream_labels(stream, **extra):
    return frozenset({("stream_name", stream), *extra.items()})


def test_kinesis_traffic_shows_in_metrics_with_cloudwatch_names(server):
    k = kinesis_client(server.url)
    k.create_stream(StreamName="m1", ShardCount=1)
    k.put_records(StreamName="m1", Records=[
        {"PartitionKey": "a", "Data": b"12345"},
        {"PartitionKey": "bb", "Data": b"678"},
    ])
    k.put_record(StreamName="m1", PartitionKey="c", Data=b"9")
    shard = k.list_shards(StreamName="m1")["Shards"][0]["ShardId"]
    it = k.get_shard_iterator(StreamName="m1", ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got = k.get_records(ShardIterator=it, Limit=10)
    assert len(got["Records"]) == 3

    content_type, m = scrape(server.url)
    assert content_type == "text/plain; version=0.0.4"
    s = stream_labels("m1")
    assert m[("sluice_aws_kinesis_incoming_bytes", s)] == 1 + 5 + 2 + 3 + 1 + 1
    assert m[("sluice_aws_kinesis_incoming_records", s)] == 3
    assert m[("sluice_aws_kinesis_put_records_total_records", s)] == 2
    assert m[("sluice_aws_kinesis_put_records_successful_records", s)] == 2
    assert m[("sluice_aws_kinesis_put_records_failed_records", s)] == 0
    assert m[("sluice_aws_kinesis_put_records_throttled_records", s)] == 0
    assert m[("sluice_aws_kinesis_put_records_bytes", s)] == 11
    assert m[("sluice_aws_kinesis_put_records_success", s)] == 1
    assert m[("sluice_aws_kinesis_put_records_latency_count", s)] == 1
    assert m[("sluice_aws_kinesis_put_record_bytes", s)] == 2
    assert m[("sluice_aws_kinesis_put_record_success", s)] == 1
    assert m[("sluice_aws_kinesis_get_records_records", s)] == 3
    assert m[("sluice_aws_kinesis_get_records_bytes", s)] == 13
    assert m[("sluice_aws_kinesis_get_records_success", s)] == 1
    assert m[("sluice_aws_kinesis_get_records_latency_count", s)] == 1
    assert m[("sluice_aws_kinesis_get_records_iterator_age_milliseconds_count", s)] == 1
    # Shard level is off until EnableEnhancedMonitoring.
    assert not any(name == "sluice_aws_kinesis_outgoing_records" for name, _ in m)


def test_enhanced_monitoring_answers_as_aws_and_turns_on_shard_metrics(server):
    k = kinesis_client(server.url)
    k.create_stream(StreamName="m2", ShardCount=1)
    k.get_waiter("stream_exists").wait(StreamName="m2", WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    on = k.enable_enhanced_monitoring(StreamName="m2", ShardLevelMetrics=["IncomingRecords", "OutgoingRecords"])
    assert on["StreamName"] == "m2"
    assert on["CurrentShardLevelMetrics"] == []
    assert on["DesiredShardLevelMetrics"] == ["IncomingRecords", "OutgoingRecords"]
    desc = k.describe_stream(StreamName="m2")["StreamDescription"]
    assert desc["EnhancedMonitoring"] == [{"ShardLevelMetrics": ["IncomingRecords", "OutgoingRecords"]}]
    summary = k.describe_stream_summary(StreamName="m2")["StreamDescriptionSummary"]
    assert summary["EnhancedMonitoring"] == desc["EnhancedMonitoring"]

    k.put_records(StreamName="m2", Records=[{"PartitionKey": "p", "Data": b"x"}] * 4)
    shard = desc["Shards"][0]["ShardId"]
    it = k.get_shard_iterator(StreamName="m2", ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    k.get_records(ShardIterator=it, Limit=3)
    _, m = scrape(server.url)
    sl = stream_labels("m2", shard_id=shard)
    assert m[("sluice_aws_kinesis_incoming_records", sl)] == 4
    assert m[("sluice_aws_kinesis_outgoing_records", sl)] == 3
    assert ("sluice_aws_kinesis_incoming_bytes", sl) not in m

    everything = k.enable_enhanced_monitoring(StreamName="m2", ShardLevelMetrics=["ALL"])
    assert len(everything["DesiredShardLevelMetrics"]) == 7
    assert "ALL" not in everything["DesiredShardLevelMetrics"]
    off = k.disable_enhanced_monitoring(StreamName="m2", ShardLevelMetrics=["ALL"])
    assert len(off["CurrentShardLevelMetrics"]) == 7
    assert off["DesiredShardLevelMetrics"] == []


def test_enhanced_monitoring_refuses_unknown_metrics_and_streams(server):
    import boto3
    from botocore.config import Config
    # botocore checks lengths itself; with its checks off the server's answer shows.
    k = boto3.client("kinesis", endpoint_url=server.url, region_name="us-east-1",
                     aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                     config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    k.create_stream(StreamName="m3", ShardCount=1)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        k.enable_enhanced_monitoring(StreamName="nope", ShardLevelMetrics=["ALL"])
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(botocore.exceptions.ClientError) as e:
        k.enable_enhanced_monitoring(StreamName="m3", ShardLevelMetrics=[])
    assert e.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        k.enable_enhanced_monitoring(StreamName="m3", ShardLevelMetrics=["Bogus"])
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Member must satisfy enum value set" in e.value.response["Error"]["Message"]
    assert k.describe_stream(StreamName="m3")["StreamDescription"]["EnhancedMonitoring"] == [
        {"ShardLevelMetrics": []}]


def test_s3_requests_show_in_metrics_per_bucket(server):
    s3 = s3_client(server.url)
    s3.create_bucket(Bucket="metered")
    s3.put_object(Bucket="metered", Key="k", Body=b"hello world")
    assert s3.get_object(Bucket="metered", Key="k")["Body"].read() == b"hello world"
    s3.head_object(Bucket="metered", Key="k")
    s3.list_objects_v2(Bucket="metered")
    with pytest.raises(botocore.exceptions.ClientError):
        s3.get_object(Bucket="metered", Key="missing")
    s3.delete_object(Bucket="metered", Key="k")

    _, m = scrape(server.url)
    b = frozenset({("bucket_name", "metered"), ("filter_id", "EntireBucket")})
    assert m[("sluice_aws_s3_all_requests", b)] == 7
    assert m[("sluice_aws_s3_put_requests", b)] == 1
    assert m[("sluice_aws_s3_get_requests", b)] == 2
    assert m[("sluice_aws_s3_head_requests", b)] == 1
    assert m[("sluice_aws_s3_list_requests", b)] == 1
    assert m[("sluice_aws_s3_delete_requests", b)] == 1
    assert m[("sluice_aws_s3_bytes_uploaded", b)] == 11
    assert m[("sluice_aws_s3_bytes_downloaded", b)] == 11
    assert m[("sluice_aws_s3_4xx_errors", b)] == 1
    assert m[("sluice_aws_s3_5xx_errors", b)] == 0
    assert m[("sluice_aws_s3_first_byte_latency_count", b)] == 7
    assert m[("sluice_aws_s3_total_request_latency_count", b)] == 7


def test_a_bucket_named_metrics_is_still_s3s(server):
    s3 = s3_client(server.url)
    s3.create_bucket(Bucket="metrics")
    s3.put_object(Bucket="metrics", Key="a", Body=b"1")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="metrics")["Contents"]] == ["a"]


def test_datapoints_are_written_under_the_data_dir(start_sluice, data_dir):
    s = start_sluice()
    k = kinesis_client(s.url)
    k.create_stream(StreamName="kept", ShardCount=1)
    k.put_record(StreamName="kept", PartitionKey="a", Data=b"x")
    code, err = s.stop()
    assert code == 0, err
    files = sorted(os.listdir(os.path.join(data_dir, "metrics")))
    assert any(f.startswith("m-") and f.endswith(".pts") for f in files), files
    for f in files:
        with open(os.path.join(data_dir, "metrics", f), "rb") as fh:
            assert fh.read(8) == b"SLMETR01"
    # Shard-level settings survive the restart.
    s2 = start_sluice()
    k2 = kinesis_client(s2.url)
    k2.enable_enhanced_monitoring(StreamName="kept", ShardLevelMetrics=["IncomingBytes"])
    code, err = s2.stop()
    assert code == 0, err
    s3 = start_sluice()
    desc = kinesis_client(s3.url).describe_stream(StreamName="kept")["StreamDescription"]
    assert desc["EnhancedMonitoring"] == [{"ShardLevelMetrics": ["IncomingBytes"]}]


def test_metrics_off_reports_nothing_from_the_modules(start_sluice):
    s = start_sluice("--metrics", "off")
    k = kinesis_client(s.url)
    k.create_stream(StreamName="quiet", ShardCount=1)
    k.put_record(StreamName="quiet", PartitionKey="a", Data=b"x")
    content_type, m = scrape(s.url)
    assert content_type == "text/plain; version=0.0.4"
    assert not any(labels == stream_labels("quiet") for _, labels in m)


def test_scrapes_are_logged_as_the_metrics_service(start_sluice, tmp_path):
    log = tmp_path / "access.log"
    s = start_sluice("--access-log", str(log))
    scrape(s.url)
    code, err = s.stop()
    assert code == 0, err
    lines = [l for l in log.read_text().splitlines() if "target=/metrics" in l]
    assert len(lines) == 1 and "service=metrics" in lines[0] and "status=200" in lines[0], lines
