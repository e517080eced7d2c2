"""Resharding and per-shard throughput limits against the real binary, with boto3."""
import collections
import datetime
import threading
import time

import botocore.exceptions
import pytest

from conftest import kinesis_client

MAX_HASH = 2**128 - 1


def error_code(call, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def open_ranges(kin, name):
    shards = kin.list_shards(StreamName=name)["Shards"]
    return sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                  for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"])


def assert_coverage(kin, name):
    r = open_ranges(kin, name)
    assert r[0][0] == 0 and r[-1][1] == MAX_HASH
    assert all(r[i][1] + 1 == r[i + 1][0] for i in range(len(r) - 1)), r


def read_following_lineage(kin, name):
    """Reads every shard, a child only after all its parents are finished (what KCL does)."""
    shards = {s["ShardId"]: s for s in kin.list_shards(StreamName=name)["Shards"]}
    finished, out = set(), []
    progress = True
    while progress:
        progress = False
        for sid, s in sorted(shards.items()):
            parents = [p for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p in shards]
            if sid in finished or any(p not in finished for p in parents):
                continue
            it = kin.get_shard_iterator(StreamName=name, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                r = kin.get_records(ShardIterator=it, Limit=10000)
                out.extend(r["Records"])
                if not r["Records"] and "EndingSequenceNumber" not in s["SequenceNumberRange"]:
                    break  # an open shard: caught up
                it = r.get("NextShardIterator")
            finished.add(sid)
            progress = True
    return out


def check_exactly_once_in_key_order(records, sent):
    values = [int(r["Data"]) for r in records]
    assert sorted(values) == sorted(sent), "every record exactly once"
    by_key = collections.defaultdict(list)
    for r in records:
        by_key[r["PartitionKey"]].append(int(r["Data"]))
    for key, vals in by_key.items():
        assert vals == sorted(vals), "key %s out of order" % key


class Writer:
    def __init__(self, kin, name):
        self.kin, self.name, self.sent, self.n = kin, name, [], 0

    def write(self, count):
        recs = []
        for _ in range(count):
            recs.append({"PartitionKey": "key-%d" % (self.n % 24), "Data": b"%d" % self.n})
            self.sent.append(self.n)
            self.n += 1
        out = self.kin.put_records(StreamName=self.name, Records=recs)
        assert out["FailedRecordCount"] == 0


def test_split_merge_and_update_shard_count_keep_every_record_in_key_order(module_sluice):
    kin = kinesis_client(module_sluice.url)
    name = "reshard-all"
    kin.create_stream(StreamName=name, ShardCount=2)
    w = Writer(kin, name)
    w.write(300)
    kin.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))
    assert_coverage(kin, name)
    w.write(300)
    kin.merge_shards(StreamName=name, ShardToMerge="shardId-000000000002", AdjacentShardToMerge="shardId-000000000003")
    assert_coverage(kin, name)
    w.write(300)
    # Writes keep flowing while the stream scales up and down.
    stop = threading.Event()
    errors = []

    def background():
        try:
            while not stop.is_set():
                w.write(50)
        except Exception as e:  # surfaced below
            errors.append(e)

    t = threading.Thread(target=background)
    t.start()
    try:
        for target in (4, 6, 3, 2):
            r = kin.update_shard_count(StreamName=name, TargetShardCount=target, ScalingType="UNIFORM_SCALING")
            assert r["TargetShardCount"] == target
            assert len(open_ranges(kin, name)) == target
            assert_coverage(kin, name)
            time.sleep(0.1)
    finally:
        stop.set()
        t.join()
    assert not errors, errors
    w.write(300)
    check_exactly_once_in_key_order(read_following_lineage(kin, name), w.sent)


def test_closed_shard_end_returns_child_shards_and_no_iterator(module_sluice):
    kin = kinesis_client(module_sluice.url)
    kin.create_stream(StreamName="reshard-end", ShardCount=1)
    kin.put_record(StreamName="reshard-end", PartitionKey="k", Data=b"before")
    kin.split_shard(StreamName="reshard-end", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    it = kin.get_shard_iterator(StreamName="reshard-end", ShardId="shardId-000000000000",
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    r = kin.get_records(ShardIterator=it)
    assert [x["Data"] for x in r["Records"]] == [b"before"]
    assert "NextShardIterator" not in r or r["NextShardIterator"] is None
    assert sorted(c["ShardId"] for c in r["ChildShards"]) == ["shardId-000000000001", "shardId-000000000002"]
    assert all(c["ParentShards"] == ["shardId-000000000000"] for c in r["ChildShards"])
    d = kin.describe_stream(StreamName="reshard-end")["StreamDescription"]
    parent = d["Shards"][0]
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert d["Shards"][1]["ParentShardId"] == "shardId-000000000000"


def test_reshard_error_rules(module_sluice):
    kin = kinesis_client(module_sluice.url)
    name = "reshard-errors"
    kin.create_stream(StreamName=name, ShardCount=3)
    code, msg = error_code(kin.merge_shards, StreamName=name, ShardToMerge="shardId-000000000000",
                           AdjacentShardToMerge="shardId-000000000002")
    assert code == "InvalidArgumentException" and "not an adjacent pair" in msg
    code, _ = error_code(kin.split_shard, StreamName=name, ShardToSplit="shardId-000000000000",
                         NewStartingHashKey="0")
    assert code == "InvalidArgumentException"
    code, _ = error_code(kin.split_shard, StreamName=name, ShardToSplit="shardId-000000000042",
                         NewStartingHashKey="5")
    assert code == "ResourceNotFoundException"
    kin.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**100))
    code, msg = error_code(kin.split_shard, StreamName=name, ShardToSplit="shardId-000000000000",
                           NewStartingHashKey=str(2**90))
    assert code == "InvalidArgumentException" and "already been merged or split" in msg
    code, _ = error_code(kin.merge_shards, StreamName=name, ShardToMerge="shardId-000000000000",
                         AdjacentShardToMerge="shardId-000000000001")
    assert code == "InvalidArgumentException"
    code, msg = error_code(kin.update_shard_count, StreamName=name, TargetShardCount=9, ScalingType="UNIFORM_SCALING")
    assert code == "LimitExceededException" and "double" in msg
    code, msg = error_code(kin.update_shard_count, StreamName=name, TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    assert code == "LimitExceededException" and "half" in msg
    code, _ = error_code(kin.update_shard_count, StreamName="missing-reshard", TargetShardCount=2,
                         ScalingType="UNIFORM_SCALING")
    assert code == "ResourceNotFoundException"


def test_stream_not_active_is_resource_in_use(start_sluice):
    s = start_sluice("--update-stream-ms", "1500")
    kin = kinesis_client(s.url)
    kin.create_stream(StreamName="busy", ShardCount=2)
    kin.update_shard_count(StreamName="busy", TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    assert kin.describe_stream_summary(StreamName="busy")["StreamDescriptionSummary"]["StreamStatus"] == "UPDATING"
    code, msg = error_code(kin.split_shard, StreamName="busy", ShardToSplit="shardId-000000000001",
                           NewStartingHashKey=str(2**127 + 5))
    assert code == "ResourceInUseException" and "not ACTIVE" in msg
    # Writes still go through while UPDATING, as in AWS.
    assert kin.put_record(StreamName="busy", PartitionKey="k", Data=b"x")["ShardId"]
    time.sleep(1.7)
    assert kin.describe_stream_summary(StreamName="busy")["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"


def test_list_shards_filters(module_sluice):
    kin = kinesis_client(module_sluice.url)
    name = "reshard-filters"
    kin.create_stream(StreamName=name, ShardCount=2)
    time.sleep(0.05)
    before_split = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(0.05)
    kin.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))

    def ids(**flt):
        return [s["ShardId"] for s in kin.list_shards(StreamName=name, ShardFilter=flt)["Shards"]]

    assert ids(Type="AT_LATEST") == ["shardId-000000000001", "shardId-000000000002", "shardId-000000000003"]
    assert ids(Type="AT_TRIM_HORIZON") == ["shardId-000000000000", "shardId-000000000001"]
    assert ids(Type="FROM_TRIM_HORIZON") == ["shardId-00000000000%d" % i for i in range(4)]
    assert ids(Type="AT_TIMESTAMP", Timestamp=before_split) == ["shardId-000000000000", "shardId-000000000001"]
    assert ids(Type="FROM_TIMESTAMP", Timestamp=before_split) == ["shardId-00000000000%d" % i for i in range(4)]
    assert ids(Type="AFTER_SHARD_ID", ShardId="shardId-000000000001") == ["shardId-000000000002", "shardId-000000000003"]
    code, _ = error_code(kin.list_shards, StreamName=name, ShardFilter={"Type": "AT_TIMESTAMP"})
    assert code == "InvalidArgumentException"


def test_lineage_survives_restart(start_sluice, data_dir):
    s = start_sluice()
    kin = kinesis_client(s.url)
    kin.create_stream(StreamName="lineage", ShardCount=2)
    w = Writer(kin, "lineage")
    w.write(200)
    kin.update_shard_count(StreamName="lineage", TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    w.write(200)
    shards_before = kin.list_shards(StreamName="lineage")["Shards"]
    assert s.stop()[0] == 0
    s2 = start_sluice(dir=data_dir)
    kin = kinesis_client(s2.url)
    assert kin.list_shards(StreamName="lineage")["Shards"] == shards_before
    w.kin = kin
    w.write(200)
    check_exactly_once_in_key_order(read_following_lineage(kin, "lineage"), w.sent)


def test_shard_limits_throttle_writes_and_reads_at_about_aws_rates(start_sluice):
    s = start_sluice("--shard-limits")
    kin = kinesis_client(s.url)
    kin.create_stream(StreamName="limited", ShardCount=1)
    # A burst of 1,500 small records: about 1,000 fit in the one-second bucket.
    r = kin.put_records(StreamName="limited", Records=[{"PartitionKey": "k", "Data": b"x"}] * 500)
    r2 = kin.put_records(StreamName="limited", Records=[{"PartitionKey": "k", "Data": b"x"}] * 500)
    r3 = kin.put_records(StreamName="limited", Records=[{"PartitionKey": "k", "Data": b"x"}] * 500)
    failed = [x for x in r["Records"] + r2["Records"] + r3["Records"] if "ErrorCode" in x]
    assert 300 <= len(failed) <= 700, len(failed)
    assert all(x["ErrorCode"] == "ProvisionedThroughputExceededException" for x in failed)
    assert "Rate exceeded for shard shardId-000000000000" in failed[0]["ErrorMessage"]
    assert r3["FailedRecordCount"] > 0
    # Sustained: over ~2 s, accepted records stay near 1,000/s (plus the refilled burst).
    time.sleep(1.0)
    accepted, t0 = 0, time.time()
    while time.time() - t0 < 2.0:
        out = kin.put_records(StreamName="limited", Records=[{"PartitionKey": "k", "Data": b"x"}] * 100)
        accepted += 100 - out["FailedRecordCount"]
    elapsed = time.time() - t0
    assert 0.6 * 1000 * elapsed <= accepted <= 1000 * elapsed + 1100, (accepted, elapsed)
    # Bytes: 1 MiB/s. Ten 200 KiB records in one go cannot all pass.
    time.sleep(1.1)
    big = kin.put_records(StreamName="limited", Records=[{"PartitionKey": "k", "Data": b"y" * 200_000}] * 10)
    assert 3 <= big["FailedRecordCount"] <= 6
    # PutRecord fails as a whole once the shard's budget is spent.
    # (Two 1 MB records back to back: the byte budget is 1 MiB per second.)
    time.sleep(1.1)
    kin.put_record(StreamName="limited", PartitionKey="k", Data=b"z" * 1_000_000)
    code, msg = error_code(kin.put_record, StreamName="limited", PartitionKey="k", Data=b"z" * 1_000_000)
    assert code == "ProvisionedThroughputExceededException" and "Rate exceeded" in msg
    # Reads: 5 GetRecords calls per second per shard.
    it = kin.get_shard_iterator(StreamName="limited", ShardId="shardId-000000000000",
                                ShardIteratorType="LATEST")["ShardIterator"]
    # Twenty calls at once from twenty threads: about five get through.
    results = []
    barrier = threading.Barrier(20)

    def read_once():
        barrier.wait()
        try:
            kin.get_records(ShardIterator=it, Limit=1)
            results.append("ok")
        except botocore.exceptions.ClientError as e:
            results.append(e.response["Error"]["Code"])

    t0 = time.time()
    threads = [threading.Thread(target=read_once) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    allowed = 5 + 5 * (time.time() - t0)  # the one-second burst plus the refill
    ok = results.count("ok")
    assert set(results) <= {"ok", "ProvisionedThroughputExceededException"}
    assert 1 <= ok <= allowed + 1, (ok, allowed)
    assert results.count("ProvisionedThroughputExceededException") >= 20 - (allowed + 1)


def test_a_stream_tag_switches_limits_on(module_sluice):
    kin = kinesis_client(module_sluice.url)
    for name in ("tag-limited", "tag-unlimited"):
        kin.create_stream(StreamName=name, ShardCount=1)
    kin.add_tags_to_stream(StreamName="tag-limited", Tags={"sluice.shard-limits": "on"})
    # One request, so one instant for the shard's byte bucket (1 MiB, full): two 400 KB
    # records fit, the other three do not, however fast or slow the machine is.
    big = [{"PartitionKey": "k", "Data": b"x" * 400_000}] * 5
    limited = kin.put_records(StreamName="tag-limited", Records=big)
    assert limited["FailedRecordCount"] == 3
    assert [x.get("ErrorCode") for x in limited["Records"]] == [None, None] + ["ProvisionedThroughputExceededException"] * 3
    # The same request to the untagged stream (the server runs without --shard-limits).
    assert kin.put_records(StreamName="tag-unlimited", Records=big)["FailedRecordCount"] == 0


def test_fault_injection_fails_a_fraction_of_records(start_sluice):
    s = start_sluice("--fault-put-failure-rate", "0.25")
    kin = kinesis_client(s.url)
    kin.create_stream(StreamName="faulty", ShardCount=2)
    failed = total = 0
    for _ in range(8):
        out = kin.put_records(StreamName="faulty", Records=[{"PartitionKey": "k%d" % i, "Data": b"x"} for i in range(500)])
        failed += out["FailedRecordCount"]
        total += 500
        assert all(x["ErrorCode"] == "InternalFailure" for x in out["Records"] if "ErrorCode" in x)
    assert 0.18 * total <= failed <= 0.32 * total
    # What failed was written nowhere; what succeeded is all there.
    stored = sum(len(kin.get_records(ShardIterator=kin.get_shard_iterator(
        StreamName="faulty", ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"])["Records"])
        for sid in ("shardId-000000000000", "shardId-000000000001"))
    assert stored == total - failed
