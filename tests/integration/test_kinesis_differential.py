"""Differential test: the same Kinesis call sequence against kinesalite (npm, on
loopback) and sluice; response shapes and error types must agree, except where a
difference is deliberate (listed below with the reason)."""
import json
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import REPO, run
from test_kinesis import raw_json
from test_node_sdk import NODE_DIR

# Fields sluice returns that kinesalite (last released 2020) does not: AWS added them since.
NEWER_AWS_FIELDS = {
    "StreamModeDetails",     # on-demand streams (2021)
    "EncryptionType",        # PutRecord/PutRecords output
    "StreamSummaries",       # ListStreams (2022)
    "MaxRecordSizeInKiB",    # DescribeStreamSummary (2025)
}
# Calls where the two disagree on purpose.
DELIBERATE = {
    # kinesalite validates retention against its old 1..168 hour range; AWS allows up to 8760.
    "IncreaseStreamRetentionPeriod-200",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def kinesalite():
    if shutil.which("node") is None:
        pytest.fail("node is required (scripts/setup installs the test peers)")
    cli = os.path.join(NODE_DIR, "node_modules", "kinesalite", "cli.js")
    if not os.path.exists(cli):
        r = run(["npm", "ci", "--prefix", NODE_DIR, "--no-progress"], timeout=300)
        assert r.returncode == 0, r.stderr
    port = free_port()
    p = subprocess.Popen(["node", cli, "--port", str(port), "--createStreamMs", "0",
                          "--deleteStreamMs", "0", "--updateStreamMs", "0", "--shardLimit", "100"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:%d" % port
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        p.kill()
        pytest.fail("kinesalite did not start: %r" % p.stdout.read())
    yield url
    p.terminate()
    p.wait(timeout=10)


def shape(v):
    """Keys (recursively) and value kinds, without values."""
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items() if k not in NEWER_AWS_FIELDS}
    if isinstance(v, list):
        return [shape(v[0])] if v else []
    return type(v).__name__


def sequence(url):
    """Runs the call sequence; returns [(label, status, __type or shape, message)]."""
    out = []
    name = "diff-stream"

    def call(label, action, body):
        status, resp = raw_json(url, action, body)
        if status == 200:
            out.append((label, status, shape(resp) if resp else None, None))
        else:
            out.append((label, status, resp.get("__type"), resp.get("message", resp.get("Message"))))
        return resp

    call("CreateStream", "CreateStream", {"StreamName": name, "ShardCount": 2})
    call("CreateStream-again", "CreateStream", {"StreamName": name, "ShardCount": 2})
    call("CreateStream-empty-name", "CreateStream", {"StreamName": "", "ShardCount": 1})
    call("CreateStream-null", "CreateStream", {})
    call("CreateStream-wrong-type", "CreateStream", {"StreamName": "x", "ShardCount": "two"})
    call("DescribeStream", "DescribeStream", {"StreamName": name})
    call("DescribeStream-missing", "DescribeStream", {"StreamName": "missing"})
    call("DescribeStreamSummary", "DescribeStreamSummary", {"StreamName": name})
    call("ListStreams", "ListStreams", {})
    put = call("PutRecord", "PutRecord", {"StreamName": name, "PartitionKey": "a", "Data": "aGVsbG8="})
    call("PutRecord-bad-hash", "PutRecord", {"StreamName": name, "PartitionKey": "a", "Data": "aGVsbG8=",
                                             "ExplicitHashKey": str(2**128)})
    call("PutRecord-bad-base64", "PutRecord", {"StreamName": name, "PartitionKey": "a", "Data": "abc"})
    call("PutRecords", "PutRecords", {"StreamName": name, "Records": [
        {"PartitionKey": "k%d" % i, "Data": "eA=="} for i in range(20)]})
    call("PutRecords-empty-keys", "PutRecords", {"StreamName": name, "Records": [
        {"PartitionKey": "", "Data": ""}] * 3})
    call("ListShards", "ListShards", {"StreamName": name})
    call("ListShards-no-args", "ListShards", {})
    it = call("GetShardIterator", "GetShardIterator", {"StreamName": name, "ShardId": put["ShardId"],
                                                       "ShardIteratorType": "TRIM_HORIZON"})
    call("GetShardIterator-bad-type", "GetShardIterator", {"StreamName": name, "ShardId": "shardId-000000000000",
                                                           "ShardIteratorType": "SOMETIMES"})
    call("GetShardIterator-missing-shard", "GetShardIterator", {"StreamName": name, "ShardId": "shardId-000000000007",
                                                                "ShardIteratorType": "LATEST"})
    call("GetShardIterator-seq-missing", "GetShardIterator", {"StreamName": name, "ShardId": "shardId-000000000000",
                                                              "ShardIteratorType": "AT_SEQUENCE_NUMBER"})
    call("GetRecords", "GetRecords", {"ShardIterator": it["ShardIterator"]})
    call("GetRecords-bad-iterator", "GetRecords", {"ShardIterator": "bm90LWFuLWl0ZXJhdG9y"})
    call("AddTagsToStream", "AddTagsToStream", {"StreamName": name, "Tags": {"a": "1"}})
    call("ListTagsForStream", "ListTagsForStream", {"StreamName": name})
    call("IncreaseStreamRetentionPeriod", "IncreaseStreamRetentionPeriod", {"StreamName": name, "RetentionPeriodHours": 48})
    call("DecreaseStreamRetentionPeriod-longer", "DecreaseStreamRetentionPeriod",
         {"StreamName": name, "RetentionPeriodHours": 72})
    call("IncreaseStreamRetentionPeriod-200", "IncreaseStreamRetentionPeriod",
         {"StreamName": name, "RetentionPeriodHours": 200})
    call("Unknown", "Frobnicate", {})
    call("DeleteStream", "DeleteStream", {"StreamName": name})
    call("DeleteStream-missing", "DeleteStream", {"StreamName": name + "-x"})
    return out


def test_sluice_matches_kinesalite(kinesalite, sluice):
    theirs = sequence(kinesalite)
    ours = sequence(sluice.url)
    assert [t[0] for t in theirs] == [o[0] for o in ours]
    mismatches = []
    for t, o in zip(theirs, ours):
        label = t[0]
        if label in DELIBERATE:
            continue
        if (t[1], t[2]) != (o[1], o[2]):
            mismatches.append((label, "kinesalite", t[1:3], "sluice", o[1:3]))
        elif t[1] != 200 and o[2] in ("ValidationException", "SerializationException") and t[3] != o[3]:
            mismatches.append((label, "message", t[3], o[3]))
    assert not mismatches, json.dumps(mismatches, indent=1, default=str)


def test_deliberate_differences_still_differ(kinesalite, sluice):
    """If kinesalite ever agrees, the entry in DELIBERATE should go."""
    theirs = dict((t[0], t) for t in sequence(kinesalite))
    ours = dict((o[0], o) for o in sequence(sluice.url))
    for label in DELIBERATE:
        assert theirs[label][1:3] != ours[label][1:3], label
