"""Kinesis Data Streams against the real binary with boto3: every action, every
iterator type, every error type, ordering, restarts."""
import base64
import datetime
import http.client
import json
import time
import uuid

import botocore.exceptions
import pytest

from conftest import Sluice, kinesis_client, run

MAX_HASH = 2**128 - 1


@pytest.fixture(scope="module")
def kin(module_sluice):
    return kinesis_client(module_sluice.url)


def new_name(prefix="s"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def error_of(call, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"], \
        e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def make_stream(kin, shards=2, **kw):
    name = new_name()
    kin.create_stream(StreamName=name, ShardCount=shards, **kw)
    return name


def read_shard(kin, name, shard_id, **it_kw):
    it = kin.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                ShardIteratorType=it_kw.pop("ShardIteratorType", "TRIM_HORIZON"),
                                **it_kw)["ShardIterator"]
    out = []
    while True:
        r = kin.get_records(ShardIterator=it, Limit=10000)
        out.extend(r["Records"])
        if not r["Records"] or r["MillisBehindLatest"] == 0 and not r["Records"]:
            break
        it = r["NextShardIterator"]
    return out


# ---------------------------------------------------------------- control plane

def test_create_describe_list_delete(kin):
    name = make_stream(kin, 3)
    d = kin.describe_stream(StreamName=name)["StreamDescription"]
    assert d["StreamStatus"] == "ACTIVE"
    assert d["StreamARN"] == "arn:aws:kinesis:us-east-1:000000000000:stream/" + name
    assert d["RetentionPeriodHours"] == 24
    assert d["HasMoreShards"] is False
    assert d["EncryptionType"] == "NONE"
    assert d["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert isinstance(d["StreamCreationTimestamp"], datetime.datetime)
    ranges = [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
              for s in d["Shards"]]
    assert [s["ShardId"] for s in d["Shards"]] == ["shardId-%012d" % i for i in range(3)]
    assert ranges[0][0] == 0 and ranges[-1][1] == MAX_HASH
    assert all(ranges[i][1] + 1 == ranges[i + 1][0] for i in range(2))
    assert ranges[0][1] == 113427455640312821154458202477256070484
    for s in d["Shards"]:
        assert len(s["SequenceNumberRange"]["StartingSequenceNumber"]) == 56
        assert "EndingSequenceNumber" not in s["SequenceNumberRange"]

    summary = kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 3
    assert summary["ConsumerCount"] == 0
    assert name in kin.list_streams()["StreamNames"]

    kin.delete_stream(StreamName=name)
    code, msg, status = error_of(kin.describe_stream, StreamName=name)
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert msg == "Stream %s under account 000000000000 not found." % name


def call(kin, action, body):
    """A signed-shape JSON call for members Debian's botocore (1.29) does not know yet."""
    return raw_json(kin_url(kin), action, body)


def test_stream_addressed_by_arn(kin):
    name = make_stream(kin, 1)
    arn = "arn:aws:kinesis:us-east-1:000000000000:stream/" + name
    status, out = call(kin, "DescribeStreamSummary", {"StreamARN": arn})
    assert status == 200 and out["StreamDescriptionSummary"]["StreamName"] == name
    status, out = call(kin, "PutRecord", {"StreamARN": arn, "PartitionKey": "k",
                                          "Data": base64.b64encode(b"via-arn").decode()})
    assert status == 200
    status, it = call(kin, "GetShardIterator", {"StreamARN": arn, "ShardId": out["ShardId"],
                                                "ShardIteratorType": "TRIM_HORIZON"})
    status, recs = call(kin, "GetRecords", {"ShardIterator": it["ShardIterator"], "StreamARN": arn})
    assert base64.b64decode(recs["Records"][0]["Data"]) == b"via-arn"
    status, out = call(kin, "DescribeStreamSummary",
                       {"StreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/missing-" + name})
    assert status == 400 and out["__type"] == "ResourceNotFoundException"
    status, out = call(kin, "DescribeStreamSummary", {"StreamARN": "not-an-arn"})
    assert status == 400 and out["__type"] == "ValidationException"


def test_create_existing_stream_is_resource_in_use(kin):
    name = make_stream(kin, 1)
    code, msg, _ = error_of(kin.create_stream, StreamName=name, ShardCount=1)
    assert code == "ResourceInUseException"
    assert msg == "Stream %s under account 000000000000 already exists." % name


def test_shard_limit_is_limit_exceeded(kin):
    code, msg, _ = error_of(kin.create_stream, StreamName=new_name(), ShardCount=100000)
    assert code == "LimitExceededException"
    assert "would exceed the shard limit" in msg


def test_on_demand_stream_gets_four_shards(kin):
    name = new_name()
    kin.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    s = kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert s["StreamModeDetails"]["StreamMode"] == "ON_DEMAND"
    assert s["OpenShardCount"] == 4


def test_list_streams_pages_with_next_token(kin):
    prefix = "page-" + uuid.uuid4().hex[:6]
    names = sorted("%s-%d" % (prefix, i) for i in range(5))
    for n in names:
        kin.create_stream(StreamName=n, ShardCount=1)
    seen = []
    status, r = call(kin, "ListStreams", {"ExclusiveStartStreamName": prefix, "Limit": 2})
    while True:
        assert status == 200
        seen += [n for n in r["StreamNames"] if n.startswith(prefix)]
        assert [x["StreamName"] for x in r["StreamSummaries"]] == r["StreamNames"]
        if not r["HasMoreStreams"]:
            break
        status, r = call(kin, "ListStreams", {"NextToken": r["NextToken"], "Limit": 2})
    assert seen == names
    # boto3's own paginator (ExclusiveStartStreamName) sees them too.
    assert all(n in kin.list_streams(Limit=10000)["StreamNames"] for n in names)


def test_list_shards_pages_and_argument_rules(kin):
    name = make_stream(kin, 5)
    r = kin.list_shards(StreamName=name, MaxResults=2)
    ids = [s["ShardId"] for s in r["Shards"]]
    while "NextToken" in r:
        r = kin.list_shards(NextToken=r["NextToken"], MaxResults=2)
        ids += [s["ShardId"] for s in r["Shards"]]
    assert ids == ["shardId-%012d" % i for i in range(5)]
    after = kin.list_shards(StreamName=name, ExclusiveStartShardId="shardId-000000000002")
    assert [s["ShardId"] for s in after["Shards"]] == ["shardId-000000000003", "shardId-000000000004"]
    filt = kin.list_shards(StreamName=name, ShardFilter={"Type": "AFTER_SHARD_ID",
                                                         "ShardId": "shardId-000000000003"})
    assert [s["ShardId"] for s in filt["Shards"]] == ["shardId-000000000004"]
    code, msg, _ = error_of(kin.list_shards)
    assert (code, msg) == ("InvalidArgumentException", "Either NextToken or StreamName should be provided.")
    token = kin.list_shards(StreamName=name, MaxResults=1)["NextToken"]
    code, msg, _ = error_of(kin.list_shards, StreamName=name, NextToken=token)
    assert (code, msg) == ("InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
    code, _, _ = error_of(kin.list_shards, NextToken="bm90IGEgdG9rZW4=")
    assert code == "InvalidArgumentException"


def test_describe_stream_limit_and_exclusive_start(kin):
    name = make_stream(kin, 4)
    d = kin.describe_stream(StreamName=name, Limit=3)["StreamDescription"]
    assert len(d["Shards"]) == 3 and d["HasMoreShards"] is True
    d = kin.describe_stream(StreamName=name, ExclusiveStartShardId="shardId-000000000002")["StreamDescription"]
    assert [s["ShardId"] for s in d["Shards"]] == ["shardId-000000000003"]
    assert d["HasMoreShards"] is False


def test_retention_increase_and_decrease(kin):
    name = make_stream(kin, 1)
    kin.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    assert kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"] == 48
    code, msg, _ = error_of(kin.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=30)
    assert code == "InvalidArgumentException" and "can not be shorter" in msg
    code, msg, _ = error_of(kin.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=72)
    assert code == "InvalidArgumentException" and "can not be longer" in msg
    code, msg, _ = error_of(kin.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=23)
    assert code == "InvalidArgumentException" and msg.startswith("Minimum allowed retention period is 24 hours")
    code, _, _ = error_of(kin.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=9000)
    assert code == "InvalidArgumentException"
    kin.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    code, _, _ = error_of(kin.increase_stream_retention_period, StreamName="nope-" + name,
                          RetentionPeriodHours=48)
    assert code == "ResourceNotFoundException"


def test_tags_add_list_remove(kin):
    name = make_stream(kin, 1)
    kin.add_tags_to_stream(StreamName=name, Tags={"stage": "dev", "team": "data", "a": ""})
    tags = kin.list_tags_for_stream(StreamName=name)
    assert tags["Tags"] == [{"Key": "a", "Value": ""}, {"Key": "stage", "Value": "dev"},
                            {"Key": "team", "Value": "data"}]
    assert tags["HasMoreTags"] is False
    page = kin.list_tags_for_stream(StreamName=name, Limit=1, ExclusiveStartTagKey="a")
    assert page["Tags"] == [{"Key": "stage", "Value": "dev"}] and page["HasMoreTags"] is True
    kin.remove_tags_from_stream(StreamName=name, TagKeys=["team", "absent"])
    assert [t["Key"] for t in kin.list_tags_for_stream(StreamName=name)["Tags"]] == ["a", "stage"]
    code, msg, _ = error_of(kin.add_tags_to_stream, StreamName=name, Tags={"bad;key": "v"})
    assert code == "InvalidArgumentException" and "invalid characters" in msg
    code, _, _ = error_of(kin.add_tags_to_stream, StreamName=name,
                          Tags={"k%d" % i: "v" for i in range(60)})
    assert code == "InvalidArgumentException"
    assert len(kin.list_tags_for_stream(StreamName=name)["Tags"]) == 2, "a refused call changes nothing"


def test_describe_limits(kin):
    r = kin.describe_limits()
    assert r["ShardLimit"] == 400
    assert r["OpenShardCount"] >= 1
    assert "OnDemandStreamCount" in r and "OnDemandStreamCountLimit" in r


# ---------------------------------------------------------------- data plane

def test_put_record_and_read_back_with_every_field(kin):
    name = make_stream(kin, 1)
    before = time.time()
    r = kin.put_record(StreamName=name, PartitionKey="pk", Data=b"\x00\x01binary\xff")
    assert r["ShardId"] == "shardId-000000000000"
    assert len(r["SequenceNumber"]) == 56 and r["SequenceNumber"].isdigit()
    recs = read_shard(kin, name, "shardId-000000000000")
    assert len(recs) == 1
    rec = recs[0]
    assert rec["Data"] == b"\x00\x01binary\xff"
    assert rec["PartitionKey"] == "pk"
    assert rec["SequenceNumber"] == r["SequenceNumber"]
    assert before - 1 <= rec["ApproximateArrivalTimestamp"].timestamp() <= time.time() + 1


def test_put_records_routes_by_md5_and_keeps_per_shard_order(kin):
    name = make_stream(kin, 2)
    mid = 2**127
    records = [{"PartitionKey": "key-%d" % (i % 13), "Data": ("rec-%04d" % i).encode()}
               for i in range(500)]
    r = kin.put_records(StreamName=name, Records=records)
    assert r["FailedRecordCount"] == 0
    assert len(r["Records"]) == 500
    import hashlib
    for rec, out in zip(records, r["Records"]):
        h = int(hashlib.md5(rec["PartitionKey"].encode()).hexdigest(), 16)
        assert out["ShardId"] == ("shardId-000000000000" if h < mid else "shardId-000000000001")
    for shard in ("shardId-000000000000", "shardId-000000000001"):
        got = read_shard(kin, name, shard)
        seqs = [int(x["SequenceNumber"]) for x in got]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        # Per key, records come back in the order they were sent.
        per_key = {}
        for x in got:
            per_key.setdefault(x["PartitionKey"], []).append(int(x["Data"][4:]))
        for values in per_key.values():
            assert values == sorted(values)
    total = sum(len(read_shard(kin, name, s)) for s in ("shardId-000000000000", "shardId-000000000001"))
    assert total == 500


def test_explicit_hash_key_chooses_the_shard(kin):
    name = make_stream(kin, 2)
    r = kin.put_records(StreamName=name, Records=[
        {"PartitionKey": "a", "Data": b"1", "ExplicitHashKey": "0"},
        {"PartitionKey": "a", "Data": b"2", "ExplicitHashKey": str(MAX_HASH)}])
    assert [x["ShardId"] for x in r["Records"]] == ["shardId-000000000000", "shardId-000000000001"]
    code, msg, _ = error_of(kin.put_record, StreamName=name, PartitionKey="a", Data=b"x",
                            ExplicitHashKey=str(2**128))
    assert code == "InvalidArgumentException"
    assert msg.startswith("Invalid ExplicitHashKey.")


def test_every_iterator_type(kin):
    name = make_stream(kin, 1)
    shard = "shardId-000000000000"
    first = kin.put_record(StreamName=name, PartitionKey="k", Data=b"a")["SequenceNumber"]
    second = kin.put_record(StreamName=name, PartitionKey="k", Data=b"b")["SequenceNumber"]
    time.sleep(1.1)
    t = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(0.05)
    kin.put_record(StreamName=name, PartitionKey="k", Data=b"c")

    def first_data(**kw):
        it = kin.get_shard_iterator(StreamName=name, ShardId=shard, **kw)["ShardIterator"]
        recs = kin.get_records(ShardIterator=it, Limit=1)["Records"]
        return recs[0]["Data"] if recs else None

    assert first_data(ShardIteratorType="TRIM_HORIZON") == b"a"
    assert first_data(ShardIteratorType="LATEST") is None
    assert first_data(ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=second) == b"b"
    assert first_data(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=first) == b"b"
    assert first_data(ShardIteratorType="AT_TIMESTAMP", Timestamp=t) == b"c"
    # LATEST sees what arrives after the iterator was made.
    it = kin.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    kin.put_record(StreamName=name, PartitionKey="k", Data=b"d")
    assert [r["Data"] for r in kin.get_records(ShardIterator=it)["Records"]] == [b"d"]


def test_iterator_argument_errors(kin):
    name = make_stream(kin, 2)
    seq = kin.put_record(StreamName=name, PartitionKey="k", Data=b"x", ExplicitHashKey="0")["SequenceNumber"]
    code, msg, _ = error_of(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000001",
                            ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=seq)
    assert code == "InvalidArgumentException"
    assert "It encodes shardId-000000000000" in msg
    code, msg, _ = error_of(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                            ShardIteratorType="AT_SEQUENCE_NUMBER")
    assert code == "InvalidArgumentException" and "no StartingSequenceNumber" in msg
    code, msg, _ = error_of(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                            ShardIteratorType="LATEST", StartingSequenceNumber=seq)
    assert code == "InvalidArgumentException" and "also a StartingSequenceNumber" in msg
    code, msg, _ = error_of(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                            ShardIteratorType="AT_TIMESTAMP")
    assert code == "InvalidArgumentException" and "timestampInMillis" in msg
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    code, msg, _ = error_of(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                            ShardIteratorType="AT_TIMESTAMP", Timestamp=future)
    assert code == "InvalidArgumentException" and "cannot be greater than" in msg
    code, _, _ = error_of(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000009",
                          ShardIteratorType="TRIM_HORIZON")
    assert code == "ResourceNotFoundException"
    code, _, _ = error_of(kin.get_records, ShardIterator="AAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert code == "InvalidArgumentException"


def test_get_records_limit_next_iterator_and_millis_behind(kin):
    name = make_stream(kin, 1)
    kin.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": b"%d" % i} for i in range(10)])
    time.sleep(0.3)
    it = kin.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    r = kin.get_records(ShardIterator=it, Limit=4)
    assert [x["Data"] for x in r["Records"]] == [b"0", b"1", b"2", b"3"]
    assert r["MillisBehindLatest"] >= 200
    r = kin.get_records(ShardIterator=r["NextShardIterator"], Limit=100)
    assert len(r["Records"]) == 6
    assert r["MillisBehindLatest"] == 0
    r = kin.get_records(ShardIterator=r["NextShardIterator"])
    assert r["Records"] == [] and r["NextShardIterator"]


def test_put_and_get_on_missing_stream_are_not_found(kin):
    code, msg, _ = error_of(kin.put_record, StreamName="missing-stream", PartitionKey="k", Data=b"x")
    assert code == "ResourceNotFoundException"
    code, _, _ = error_of(kin.put_records, StreamName="missing-stream",
                          Records=[{"PartitionKey": "k", "Data": b"x"}])
    assert code == "ResourceNotFoundException"


def test_record_size_limits(kin):
    name = make_stream(kin, 1)
    code, msg, _ = error_of(kin.put_record, StreamName=name, PartitionKey="k", Data=b"x" * (1024 * 1024 + 1))
    assert code == "ValidationException"
    assert "at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576" in msg
    kin.put_record(StreamName=name, PartitionKey="k", Data=b"x" * (1024 * 1024))
    big = new_name()
    status, out = call(kin, "CreateStream", {"StreamName": big, "ShardCount": 1, "MaxRecordSizeInKiB": 2048})
    assert status == 200, out
    kin.put_record(StreamName=big, PartitionKey="k", Data=b"y" * (2 * 1024 * 1024))
    recs = read_shard(kin, big, "shardId-000000000000")
    assert len(recs[0]["Data"]) == 2 * 1024 * 1024
    code, msg, _ = error_of(kin.put_records, StreamName=name,
                            Records=[{"PartitionKey": "k", "Data": b"z" * 900_000}] * 6)
    assert code == "InvalidArgumentException" and "5 MB" in msg


@pytest.mark.parametrize("kwargs, fragment", [
    ({"StreamName": "", "ShardCount": 1},
     "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ({"StreamName": "bad name!", "ShardCount": 1}, "regular expression pattern"),
    ({"StreamName": "x" * 129, "ShardCount": 1}, "Member must have length less than or equal to 128"),
    ({"StreamName": "ok", "ShardCount": 0}, "Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"),
])
def test_create_stream_validation_errors(kin, kwargs, fragment):
    # Sent raw: botocore would refuse some of these before they reach the server.
    status, out = call(kin, "CreateStream", kwargs)
    assert status == 400
    assert out["__type"] == "ValidationException"
    assert "validation error" in out["message"] and fragment in out["message"]
    assert kwargs["StreamName"] not in kin.list_streams(Limit=10000)["StreamNames"] or kwargs["StreamName"] == "ok"


def test_empty_stream_name_reports_both_violations(kin):
    status, out = call(kin, "DescribeStream", {"StreamName": ""})
    assert status == 400
    assert out["message"] == (
        "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'streamName' "
        "failed to satisfy constraint: Member must have length greater than or equal to 1")


def test_put_records_validation_counts_errors(kin):
    name = make_stream(kin, 1)
    body = {"StreamName": name, "Records": [{"PartitionKey": "", "Data": ""}] * 3}
    status, out = raw_json(kin_url(kin), "PutRecords", body)
    assert status == 400
    assert out["__type"] == "ValidationException"
    assert out["message"].startswith("3 validation errors detected: Value '' at 'records.1.member.partitionKey'")


# ---------------------------------------------------------------- wire-level errors

def cbor_loads(data):
    """Decodes CBOR keeping tag 1 as a CBORTag: AWS puts milliseconds in it, which
    cbor2 would read as RFC 8949 seconds."""
    import io
    import cbor2
    from cbor2.decoder import CBORDecoder

    class KeepEpochTags(CBORDecoder):
        def decode_epoch_datetime(self):
            return cbor2.CBORTag(1, self._decode())

    import cbor2.decoder as d
    saved = d.semantic_decoders[1]
    d.semantic_decoders[1] = KeepEpochTags.decode_epoch_datetime
    try:
        return KeepEpochTags(io.BytesIO(data)).decode()
    finally:
        d.semantic_decoders[1] = saved


def kin_url(kin):
    return kin.meta.endpoint_url


def raw_json(url, action, body, content_type="application/x-amz-json-1.1", target=None, auth=True,
             raw=None):
    host, port = url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Content-Type": content_type,
               "X-Amz-Target": target if target is not None else "Kinesis_20131202." + action}
    if auth:
        headers["Authorization"] = ("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, "
                                    "SignedHeaders=host;x-amz-date, Signature=abc")
        headers["X-Amz-Date"] = "20260101T000000Z"
    conn.request("POST", "/", body=raw if raw is not None else json.dumps(body).encode(), headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    if resp.getheader("Content-Type", "").startswith("application/x-amz-cbor"):
        return resp.status, cbor_loads(data) if data else None
    try:
        return resp.status, json.loads(data) if data else None
    except ValueError:
        return resp.status, data


def test_malformed_json_is_serialization_exception(module_sluice):
    status, out = raw_json(module_sluice.url, "ListStreams", None, raw=b"{not json")
    assert status == 400 and out["__type"] == "SerializationException"


def test_wrong_type_is_serialization_exception_with_aws_text(module_sluice):
    status, out = raw_json(module_sluice.url, "CreateStream", {"StreamName": "x", "ShardCount": "two"})
    assert status == 400
    assert out == {"__type": "SerializationException",
                   "Message": "class java.lang.String can not be converted to an Integer"}


def test_unknown_operation(module_sluice):
    status, out = raw_json(module_sluice.url, "Frobnicate", {})
    assert status == 400 and out["__type"] == "UnknownOperationException"
    status, out = raw_json(module_sluice.url, "", {}, target="Nonsense_20131202.ListStreams")
    assert status == 400 and out["__type"] == "UnknownOperationException"


def test_unsigned_request_is_missing_authentication_token(module_sluice):
    status, out = raw_json(module_sluice.url, "ListStreams", {}, auth=False)
    assert status == 400
    assert out == {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"}


def test_incomplete_signature(module_sluice):
    host, port = module_sluice.url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("POST", "/", body=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams",
        "Authorization": "AWS4-HMAC-SHA256 Credential=a, Signature=b", "X-Amz-Date": "20260101T000000Z"})
    resp = conn.getresponse()
    out = json.loads(resp.read())
    assert resp.status == 400 and out["__type"] == "IncompleteSignatureException"
    assert out["message"].startswith("Authorization header requires 'SignedHeaders' parameter.")


def test_get_is_access_denied(module_sluice):
    host, port = module_sluice.url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/", headers={"X-Amz-Target": "Kinesis_20131202.ListStreams"})
    resp = conn.getresponse()
    assert resp.status == 403 and b"AccessDeniedException" in resp.read()


def test_error_responses_carry_request_id_and_error_type(module_sluice):
    host, port = module_sluice.url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("POST", "/", body=b'{"StreamName":"missing-x"}', headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.DescribeStream",
        "Authorization": "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=c",
        "X-Amz-Date": "20260101T000000Z"})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 400
    assert resp.getheader("x-amzn-ErrorType") == "ResourceNotFoundException"
    assert len(resp.getheader("x-amzn-RequestId")) == 36


# ---------------------------------------------------------------- CBOR

def cbor_call(url, action, body):
    import cbor2
    return raw_json(url, action, None, content_type="application/x-amz-cbor-1.1", raw=cbor2.dumps(body))


def test_cbor_requests_get_cbor_responses_with_bytes_and_millisecond_timestamps(module_sluice, kin):
    import cbor2
    name = make_stream(kin, 1)
    status, out = cbor_call(module_sluice.url, "PutRecord",
                            {"StreamName": name, "PartitionKey": "k", "Data": b"\x00cbor\xff"})
    assert status == 200, out
    seq = out["SequenceNumber"]
    status, out = cbor_call(module_sluice.url, "GetShardIterator",
                            {"StreamName": name, "ShardId": "shardId-000000000000",
                             "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": seq})
    assert status == 200
    status, out = cbor_call(module_sluice.url, "GetRecords", {"ShardIterator": out["ShardIterator"]})
    assert status == 200
    rec = out["Records"][0]
    assert rec["Data"] == b"\x00cbor\xff", "Data is a CBOR byte string"
    ts = rec["ApproximateArrivalTimestamp"]
    assert isinstance(ts, cbor2.CBORTag) and ts.tag == 1 and isinstance(ts.value, int)
    assert abs(ts.value - time.time() * 1000) < 60_000, "tag 1 holds epoch milliseconds"
    # A record written through CBOR reads back through JSON unchanged, and vice versa.
    it = kin.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert kin.get_records(ShardIterator=it)["Records"][0]["Data"] == b"\x00cbor\xff"


def test_cbor_timestamp_input_as_tagged_milliseconds(module_sluice, kin):
    import cbor2
    name = make_stream(kin, 1)
    kin.put_record(StreamName=name, PartitionKey="k", Data=b"old")
    time.sleep(1.1)
    t_ms = int(time.time() * 1000)
    time.sleep(0.05)
    kin.put_record(StreamName=name, PartitionKey="k", Data=b"new")
    status, out = cbor_call(module_sluice.url, "GetShardIterator",
                            {"StreamName": name, "ShardId": "shardId-000000000000",
                             "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": cbor2.CBORTag(1, t_ms)})
    assert status == 200, out
    status, out = cbor_call(module_sluice.url, "GetRecords", {"ShardIterator": out["ShardIterator"]})
    assert [r["Data"] for r in out["Records"]] == [b"new"]


def test_cbor_errors_are_cbor(module_sluice):
    status, out = cbor_call(module_sluice.url, "DescribeStream", {"StreamName": "nope-cbor"})
    assert status == 400
    assert out["__type"] == "ResourceNotFoundException"


# ---------------------------------------------------------------- expiry and restart

def test_iterators_and_next_tokens_expire(start_sluice):
    s = start_sluice("--iterator-ttl-ms", "400")
    kin = kinesis_client(s.url)
    kin.create_stream(StreamName="exp", ShardCount=2)
    it = kin.get_shard_iterator(StreamName="exp", ShardId="shardId-000000000000",
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    token = kin.list_shards(StreamName="exp", MaxResults=1)["NextToken"]
    time.sleep(0.8)
    code, msg, _ = error_of(kin.get_records, ShardIterator=it)
    assert code == "ExpiredIteratorException"
    assert msg.startswith("Iterator expired.")
    code, _, _ = error_of(kin.list_shards, NextToken=token)
    assert code == "ExpiredNextTokenException"


def test_streams_records_and_sequence_numbers_survive_restart(start_sluice, data_dir):
    s = start_sluice()
    kin = kinesis_client(s.url)
    kin.create_stream(StreamName="durable", ShardCount=2)
    kin.add_tags_to_stream(StreamName="durable", Tags={"k": "v"})
    kin.increase_stream_retention_period(StreamName="durable", RetentionPeriodHours=48)
    sent = kin.put_records(StreamName="durable", Records=[
        {"PartitionKey": "p%d" % i, "Data": b"%d" % i} for i in range(100)])["Records"]
    code, _ = s.stop()
    assert code == 0
    s2 = start_sluice(dir=data_dir)
    kin = kinesis_client(s2.url)
    d = kin.describe_stream(StreamName="durable")["StreamDescription"]
    assert d["RetentionPeriodHours"] == 48
    assert kin.list_tags_for_stream(StreamName="durable")["Tags"] == [{"Key": "k", "Value": "v"}]
    got = {}
    for shard in ("shardId-000000000000", "shardId-000000000001"):
        for r in read_shard(kin, "durable", shard):
            got[r["SequenceNumber"]] = r["Data"]
    assert got == {x["SequenceNumber"]: b"%d" % i for i, x in enumerate(sent)}
    more = kin.put_record(StreamName="durable", PartitionKey="p0", Data=b"after")
    same_shard = [x["SequenceNumber"] for x in sent if x["ShardId"] == more["ShardId"]]
    assert int(more["SequenceNumber"]) > max(int(x) for x in same_shard)


def test_awscli_smoke(module_sluice):
    env = {"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_DEFAULT_REGION": "us-east-1",
           "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    base = ["aws", "--endpoint-url", module_sluice.url, "kinesis"]
    name = new_name("cli")
    assert run(base + ["create-stream", "--stream-name", name, "--shard-count", "1"], env=env).returncode == 0
    r = run(base + ["put-record", "--stream-name", name, "--partition-key", "k",
                    "--data", base64.b64encode(b"from the cli").decode(), "--cli-binary-format", "base64"], env=env)
    if r.returncode != 0 and "cli-binary-format" in r.stderr:  # AWS CLI v1 has no such flag
        r = run(base + ["put-record", "--stream-name", name, "--partition-key", "k",
                        "--data", base64.b64encode(b"from the cli").decode()], env=env)
    assert r.returncode == 0, r.stderr
    it = json.loads(run(base + ["get-shard-iterator", "--stream-name", name, "--shard-id", "shardId-000000000000",
                                "--shard-iterator-type", "TRIM_HORIZON"], env=env).stdout)["ShardIterator"]
    recs = json.loads(run(base + ["get-records", "--shard-iterator", it], env=env).stdout)["Records"]
    assert base64.b64decode(recs[0]["Data"]) == b"from the cli"
    r = run(base + ["describe-stream", "--stream-name", "nope-" + name], env=env)
    assert r.returncode != 0 and "ResourceNotFoundException" in r.stderr
