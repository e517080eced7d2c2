"""CloudWatch Logs: functions' output as log groups /aws/lambda/<name> with one stream
per runtime process, Lambda's START/END/REPORT lines, retention, read with boto3, the
AWS CLI and `sluice logs`."""
import json
import os
import re
import select
import subprocess
import time

import pytest

from conftest import SLUICE_BIN, run
from test_lambda import create, error_of, fresh, invoke, lambda_client
from test_s3 import ENV, aws

STREAM_NAME = re.compile(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}")
REPORT = re.compile(r"REPORT RequestId: ([0-9a-f-]{36})\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                    r"Memory Size: 256 MB\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d\d ms\t)?\n")

PRINTER = """
print("init phase")

def handler(event, context):
    print("handling", event["n"])
    print("ERROR", event.get("err", "none"))
    return context.aws_request_id
"""


def logs_client(url):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "logs", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))


@pytest.fixture(scope="module")
def lam(server):
    return lambda_client(server.url)


@pytest.fixture(scope="module")
def logs(server):
    return logs_client(server.url)


def all_events(logs, group, stream):
    return logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]


def test_function_output_is_a_log_stream_with_lambdas_lines(lam, logs):
    name = create(lam, PRINTER, MemorySize=256, Timeout=30)
    r1, id1 = invoke(lam, name, {"n": 1})
    r2, id2 = invoke(lam, name, {"n": 2}, LogType="Tail")
    group = "/aws/lambda/" + name
    groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [group]
    assert groups[0]["arn"] == "arn:aws:logs:us-east-1:000000000000:log-group:%s:*" % group
    assert "retentionInDays" not in groups[0]
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert len(streams) == 1  # one warm process, one stream
    stream = streams[0]["logStreamName"]
    assert STREAM_NAME.fullmatch(stream), stream
    assert streams[0]["firstEventTimestamp"] <= streams[0]["lastEventTimestamp"]
    events = all_events(logs, group, stream)
    messages = [e["message"] for e in events]
    assert messages[:6] == ["init phase\n", "START RequestId: %s Version: $LATEST\n" % id1, "handling 1\n",
                            "ERROR none\n", "END RequestId: %s\n" % id1, messages[5]]
    first, second = [m for m in messages if m.startswith("REPORT")]
    m1, m2 = REPORT.fullmatch(first), REPORT.fullmatch(second)
    assert m1 and m2, (first, second)
    assert (m1.group(1), m2.group(1)) == (id1, id2)
    assert m1.group(2) is not None and m2.group(2) is None  # Init Duration on the cold start only
    assert all(e["ingestionTime"] >= e["timestamp"] for e in events)
    # LogType Tail keeps working beside the stream.
    import base64
    tail = base64.b64decode(r2["LogResult"]).decode()
    assert tail.startswith("START RequestId: %s Version: $LATEST\n" % id2) and second in tail


def test_get_log_events_tokens_page_to_the_end(lam, logs):
    name = create(lam, PRINTER, MemorySize=256)
    for n in range(3):
        invoke(lam, name, {"n": n})
    group = "/aws/lambda/" + name
    stream = logs.describe_log_streams(logGroupName=group)["logStreams"][0]["logStreamName"]
    everything = [e["message"] for e in all_events(logs, group, stream)]
    seen, token = [], None
    while True:
        kw = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=4, **kw)
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == everything
    newest = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=2)
    assert [e["message"] for e in newest["events"]] == everything[-2:]
    older = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=2,
                                nextToken=newest["nextBackwardToken"])
    assert [e["message"] for e in older["events"]] == everything[-4:-2]


def test_filter_log_events_terms_phrases_and_paging(lam, logs, server):
    name = create(lam, PRINTER, MemorySize=256)
    invoke(lam, name, {"n": 1, "err": "disk full"})
    invoke(lam, name, {"n": 2, "err": "disk slow"})
    group = "/aws/lambda/" + name
    got = logs.filter_log_events(logGroupName=group, filterPattern='"disk full"')
    assert [e["message"] for e in got["events"]] == ["ERROR disk full\n"]
    assert got["searchedLogStreams"][0]["searchedCompletely"] is True
    both = logs.filter_log_events(logGroupName=group, filterPattern="ERROR disk", interleaved=True)
    assert [e["message"] for e in both["events"]] == ["ERROR disk full\n", "ERROR disk slow\n"]
    assert all(len(e["eventId"]) == 56 for e in both["events"])
    pages = list(logs.get_paginator("filter_log_events").paginate(
        logGroupName=group, PaginationConfig={"PageSize": 3}))
    assert len(pages) > 1
    assert sum(len(p["events"]) for p in pages) == len(logs.filter_log_events(logGroupName=group)["events"])
    first_ts = both["events"][0]["timestamp"]
    later = logs.filter_log_events(logGroupName=group, startTime=first_ts + 10**9)
    assert later["events"] == []
    # The AWS CLI (v1 here; v2's `aws logs tail` calls the same FilterLogEvents).
    r = aws(server, "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "handling")
    assert r.returncode == 0, r.stderr
    assert [e["message"] for e in json.loads(r.stdout)["events"]] == ["handling 1\n", "handling 2\n"]
    stream = both["events"][0]["logStreamName"]
    r = aws(server, "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream,
            "--start-from-head")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["events"][0]["message"] == "init phase\n"


def test_groups_retention_and_errors_as_aws_sends_them(logs, server):
    group = "/custom/" + fresh("grp")
    logs.create_log_group(logGroupName=group)
    with pytest.raises(Exception) as e:
        logs.create_log_group(logGroupName=group)
    assert error_of(e) == ("ResourceAlreadyExistsException", 400, "The specified log group already exists")
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"] == 7
    with pytest.raises(Exception) as e:
        logs.put_retention_policy(logGroupName=group, retentionInDays=2)
    code, status, message = error_of(e)
    assert (code, status) == ("InvalidParameterException", 400)
    assert "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30" in message
    logs.delete_retention_policy(logGroupName=group)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    with pytest.raises(Exception) as e:
        logs.describe_log_groups(limit=51)
    assert error_of(e)[:2] == ("InvalidParameterException", 400)
    with pytest.raises(Exception) as e:
        logs.get_log_events(logGroupName=group, logStreamName="nope")
    assert error_of(e) == ("ResourceNotFoundException", 400, "The specified log stream does not exist.")
    with pytest.raises(Exception) as e:
        logs.filter_log_events(logGroupName=group, filterPattern='{ $.level = "x" }')
    assert error_of(e)[:2] == ("InvalidParameterException", 400)
    with pytest.raises(Exception) as e:
        logs.create_log_group(logGroupName=group + "-k", kmsKeyId="arn:aws:kms:us-east-1:000000000000:key/x")
    assert error_of(e)[:2] == ("InvalidParameterException", 400)
    assert logs.describe_log_groups(logGroupNamePrefix=group + "-k")["logGroups"] == []
    # Pages of groups by prefix.
    for i in range(3):
        logs.create_log_group(logGroupName="%s/p%d" % (group, i))
    pages = list(logs.get_paginator("describe_log_groups").paginate(
        logGroupNamePrefix=group + "/", PaginationConfig={"PageSize": 2}))
    assert [g["logGroupName"] for p in pages for g in p["logGroups"]] == ["%s/p%d" % (group, i) for i in range(3)]
    logs.delete_log_group(logGroupName=group)
    with pytest.raises(Exception) as e:
        logs.delete_log_group(logGroupName=group)
    assert error_of(e) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")


def test_describe_log_streams_orders_by_last_event_time(lam, logs):
    name = create(lam, PRINTER, MemorySize=256, Timeout=30)
    invoke(lam, name, {"n": 1})
    # A configuration change retires the warm process: the next invocation starts a new one.
    lam.update_function_configuration(FunctionName=name, Description="second process")
    invoke(lam, name, {"n": 2})
    group = "/aws/lambda/" + name
    streams = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)["logStreams"]
    assert len(streams) == 2
    assert streams[0]["lastEventTimestamp"] >= streams[1]["lastEventTimestamp"]
    newest = [e["message"] for e in all_events(logs, group, streams[0]["logStreamName"])]
    assert "handling 2\n" in newest and "handling 1\n" not in newest
    with pytest.raises(Exception) as e:
        logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", logStreamNamePrefix="2")
    assert error_of(e)[:2] == ("InvalidParameterException", 400)


def test_sluice_logs_prints_and_follows(lam, server):
    name = create(lam, PRINTER, MemorySize=256, Timeout=30)
    _, id1 = invoke(lam, name, {"n": 1})
    r = run([SLUICE_BIN, "logs", name, "--endpoint", server.url], env=ENV)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any(line.endswith(" START RequestId: %s Version: $LATEST" % id1) for line in lines), lines
    stamp, stream, text = lines[1].split(" ", 2)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00", stamp) and STREAM_NAME.fullmatch(stream)
    missing = run([SLUICE_BIN, "logs", fresh("none"), "--endpoint", server.url], env=ENV)
    assert missing.returncode == 1 and "ResourceNotFoundException" in missing.stderr
    # --follow prints what the function logs after it started, until it is stopped.
    follower = subprocess.Popen([SLUICE_BIN, "logs", name, "--follow", "--endpoint", server.url],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    try:
        _, id2 = invoke(lam, name, {"n": 2})
        want = "END RequestId: %s" % id2
        deadline = time.time() + 30
        out = b""
        while time.time() < deadline and want.encode() not in out:
            ready, _, _ = select.select([follower.stdout], [], [], max(0, deadline - time.time()))
            if ready:
                chunk = os.read(follower.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
        seen = out.decode().splitlines()
        assert any(line.endswith(want) for line in seen), seen
        # Each event once, though the follower asks again from the newest timestamp it saw.
        assert len([line for line in seen if line.endswith("START RequestId: %s Version: $LATEST" % id1)]) == 1
    finally:
        follower.kill()
        follower.wait()


