"""Descriptors held by shard logs, and AWS's UpdateShardCount rate rule, against the real
binary with boto3 (docs/security.md, "Descriptors and shard limits")."""
import os
import resource

import botocore.exceptions
import pytest

from conftest import kinesis_client

CACHE = 16  # --segment-file-cache


def open_fds(proc):
    return len(os.listdir("/proc/%d/fd" % proc.pid))


def toggle(kin, name):
    """Scales between one and two shards, so that every call reshards."""
    n = kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"]
    kin.update_shard_count(StreamName=name, TargetShardCount=1 if n == 2 else 2, ScalingType="UNIFORM_SCALING")


def test_many_reshards_keep_descriptors_bounded_and_create_stream_working(start_sluice):
    s = start_sluice("--update-shard-count-limit", "0", "--segment-file-cache", str(CACHE))
    kin = kinesis_client(s.url)
    kin.create_stream(StreamName="fds", ShardCount=1)
    kin.put_record(StreamName="fds", PartitionKey="k", Data=b"0")
    toggle(kin, "fds")
    toggle(kin, "fds")
    baseline = open_fds(s.proc)
    # Before the bounded cache every closed shard kept its descriptors: 200 calls took
    # the server from 11 to 314 descriptors. A limit of 128 makes that fatal.
    resource.prlimit(s.proc.pid, resource.RLIMIT_NOFILE, (128, 128))
    for i in range(200):
        if i % 10 == 0:
            kin.put_record(StreamName="fds", PartitionKey="k%d" % i, Data=b"%d" % i)
        toggle(kin, "fds")
    shards = kin.list_shards(StreamName="fds")["Shards"]
    assert len(shards) > 300
    # Every closed shard stays readable, through the cache.
    got = 0
    for sh in shards:
        it = kin.get_shard_iterator(StreamName="fds", ShardId=sh["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        got += len(kin.get_records(ShardIterator=it, Limit=100)["Records"])
    assert got == 21
    after = open_fds(s.proc)
    # The cache and the open shards' write descriptors, whatever the number of closed shards.
    assert after <= baseline + CACHE + 4, (baseline, after)
    kin.create_stream(StreamName="after-fds", ShardCount=4)
    kin.put_record(StreamName="after-fds", PartitionKey="k", Data=b"x")


def test_update_shard_count_is_refused_after_ten_calls_in_24_hours(sluice):
    kin = kinesis_client(sluice.url)
    kin.create_stream(StreamName="rate", ShardCount=1)
    for _ in range(10):
        toggle(kin, "rate")
    before = kin.list_shards(StreamName="rate")["Shards"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        toggle(kin, "rate")
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["Error"]["Code"] == "LimitExceededException"
    assert err["Error"]["Message"] == ("UpdateShardCount cannot scale stream rate under account 000000000000 "
                                       "more than 10 times per rolling 24-hour period.")
    assert kin.list_shards(StreamName="rate")["Shards"] == before
    # Splits and merges are not UpdateShardCount calls: still allowed.
    open_shard = [sh for sh in before if "EndingSequenceNumber" not in sh["SequenceNumberRange"]][0]
    kin.split_shard(StreamName="rate", ShardToSplit=open_shard["ShardId"], NewStartingHashKey=str(2**100))


def test_the_rate_rule_survives_a_restart(start_sluice, data_dir):
    s = start_sluice()
    kin = kinesis_client(s.url)
    kin.create_stream(StreamName="rate2", ShardCount=1)
    for _ in range(10):
        toggle(kin, "rate2")
    code, err = s.stop()
    assert code == 0, err
    kin = kinesis_client(start_sluice().url)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        toggle(kin, "rate2")
    assert e.value.response["Error"]["Code"] == "LimitExceededException"
