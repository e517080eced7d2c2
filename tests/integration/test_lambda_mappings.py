"""Lambda event-source mappings for Kinesis, end to end: the real binary, boto3 and the
AWS CLI. Functions are the built-in write_to_s3 and Python functions written here (one
fails on purpose on a poison record, one checks the event's shape field by field).

Waiting: the mapping pollers run on their own threads, so a test polls the observable
result (an object, a State) until a deadline; it never sleeps to let something happen."""
import io
import json
import os
import signal
import time
import zipfile

import pytest

from conftest import kinesis_client, run
from test_s3 import ENV, error_code, s3, s3_client  # noqa: F401 (fixtures)

REGION = "us-east-1"
ACCOUNT = "000000000000"
ROLE = "arn:aws:iam::%s:role/mapping-test" % ACCOUNT
DEADLINE_S = 60


def lambda_client(url):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "lambda", endpoint_url=url, region_name=REGION,
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60))


def wait_for(what, probe, timeout=DEADLINE_S):
    """Polls probe() until it returns something truthy; fails after `timeout` seconds."""
    deadline = time.time() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


# A handler that fails its whole batch when any record's data contains "poison".
POISON_HANDLER = '''
import base64

def handler(event, context):
    for r in event["Records"]:
        if b"poison" in base64.b64decode(r["kinesis"]["data"]):
            raise ValueError("poison record " + r["kinesis"]["sequenceNumber"])
    return None
'''

# A handler that checks each record against Lambda's documented Kinesis event shape and
# raises naming the first difference (the test then finds an on-failure record).
SHAPE_HANDLER = '''
import base64, json

EXPECTED_KEYS = ["kinesis", "eventSource", "eventVersion", "eventID", "eventName",
                 "invokeIdentityArn", "awsRegion", "eventSourceARN"]
KINESIS_KEYS = ["kinesisSchemaVersion", "partitionKey", "sequenceNumber", "data",
                "approximateArrivalTimestamp"]

def handler(event, context):
    assert list(event.keys()) == ["Records"], event.keys()
    for r in event["Records"]:
        assert list(r.keys()) == EXPECTED_KEYS, list(r.keys())
        k = r["kinesis"]
        assert list(k.keys()) == KINESIS_KEYS, list(k.keys())
        assert r["eventSource"] == "aws:kinesis"
        assert r["eventVersion"] == "1.0"
        assert r["eventName"] == "aws:kinesis:record"
        assert r["awsRegion"] == "us-east-1"
        assert r["eventSourceARN"].startswith("arn:aws:kinesis:us-east-1:")
        assert r["invokeIdentityArn"] == "%s"
        assert k["kinesisSchemaVersion"] == "1.0"
        assert r["eventID"].startswith("shardId-") and r["eventID"].endswith(":" + k["sequenceNumber"])
        assert isinstance(k["approximateArrivalTimestamp"], float), k["approximateArrivalTimestamp"]
        assert json.loads(base64.b64decode(k["data"]))["pk"] == k["partitionKey"]
    return {"batchItemFailures": []}
''' % ROLE


# A handler that records each batch it receives in S3 (its boto3 reaches sluice without
# code changes) and, on its first call only, reports the record marked "fail" (and the
# one after it) as failed items.
RECORDING_HANDLER = '''
import base64, json, os, time
import boto3

s3 = boto3.client("s3")

def handler(event, context):
    bucket = os.environ["CALLS_BUCKET"]
    first = s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    seqs = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
    s3.put_object(Bucket=bucket, Key="calls/%020d" % time.time_ns(), Body=json.dumps(seqs))
    failed = [r["kinesis"]["sequenceNumber"] for r in event["Records"]
              if json.loads(base64.b64decode(r["kinesis"]["data"])).get("fail")]
    if first and failed:
        return {"batchItemFailures": [{"itemIdentifier": s} for s in reversed(failed)]}
    return {"batchItemFailures": []}
'''


@pytest.fixture(scope="module")
def lam(server):
    return lambda_client(server.url)


@pytest.fixture(scope="module")
def kin(server):
    return kinesis_client(server.url)


_n = [0]


def unique(prefix):
    _n[0] += 1
    return "%s-%d-%d" % (prefix, os.getpid(), _n[0])


def make_stream(kin, shards=1):
    name = unique("ingress")
    kin.create_stream(StreamName=name, ShardCount=shards)
    return name, kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def make_function(lam, handler, files=None, env=None, runtime="python3.12"):
    name = unique("fn")
    kw = {"Environment": {"Variables": env}} if env else {}
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                        Code={"ZipFile": zip_of(files or {"index.py": "def handler(e, c):\n    return None\n"})},
                        **kw)
    return name


def put_json(kin, stream, rows):
    """Puts each row as a JSON record keyed by row['pk']; returns the sequence numbers."""
    out = kin.put_records(StreamName=stream, Records=[
        {"Data": json.dumps(r).encode(), "PartitionKey": r["pk"]} for r in rows])
    assert out["FailedRecordCount"] == 0
    return [r["SequenceNumber"] for r in out["Records"]]


def wait_state(lam, uuid, state):
    return wait_for("state " + state, lambda: lam.get_event_source_mapping(UUID=uuid)["State"] == state)


def objects(s3, bucket, prefix=""):
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]


def written_rows(s3, bucket):
    """Every record write_to_s3 wrote to `bucket` (all its objects' arrays, joined)."""
    rows = []
    for key in objects(s3, bucket, "context=write_to_s3/date="):
        assert key.endswith(".json"), key
        rows += json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return rows


# ---- the API ----

def test_lifecycle_with_boto3(lam, kin):
    stream, arn = make_stream(kin)
    fn = make_function(lam, "index.handler")
    m = lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=1000,
                                        StartingPosition="LATEST")
    assert m["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert m["State"] == "Creating"
    assert m["BatchSize"] == 1000
    assert m["MaximumBatchingWindowInSeconds"] == 0
    assert m["ParallelizationFactor"] == 1
    assert m["MaximumRetryAttempts"] == -1
    assert m["MaximumRecordAgeInSeconds"] == -1
    assert m["BisectBatchOnFunctionError"] is False
    assert m["FunctionResponseTypes"] == []
    assert m["DestinationConfig"] == {"OnFailure": {}}
    assert m["LastProcessingResult"] == "No records processed"
    assert m["StateTransitionReason"] == "User action"
    assert m["FunctionArn"] == "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, fn)
    # Debian 12's botocore predates EventSourceMappingArn and drops it; newer ones see it.
    if "EventSourceMappingArn" in m:
        assert m["EventSourceMappingArn"].endswith(":event-source-mapping:" + m["UUID"])
    uuid = m["UUID"]
    wait_state(lam, uuid, "Enabled")

    listed = lam.list_event_source_mappings(FunctionName=fn)["EventSourceMappings"]
    assert [x["UUID"] for x in listed] == [uuid]
    assert lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"][0]["UUID"] == uuid

    up = lam.update_event_source_mapping(UUID=uuid, BatchSize=10, ParallelizationFactor=2,
                                         FunctionResponseTypes=["ReportBatchItemFailures"])
    assert up["State"] == "Updating"
    assert up["BatchSize"] == 10 and up["ParallelizationFactor"] == 2
    assert up["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    wait_state(lam, uuid, "Enabled")
    assert lam.update_event_source_mapping(UUID=uuid, Enabled=False)["State"] == "Disabling"
    wait_state(lam, uuid, "Disabled")

    gone = lam.delete_event_source_mapping(UUID=uuid)
    assert gone["State"] == "Deleting"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        wait_for("deletion", lambda: lam.get_event_source_mapping(UUID=uuid)["State"] == "never")
    assert e.value.response["Error"]["Message"] == "The resource you requested does not exist."


def test_list_pages_with_marker(lam, kin):
    stream, arn = make_stream(kin)
    uuids = set()
    for _ in range(3):
        fn = make_function(lam, "index.handler")
        uuids.add(lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn,
                                                  StartingPosition="LATEST")["UUID"])
    seen, marker = [], None
    while True:
        kw = {"Marker": marker} if marker else {}
        page = lam.list_event_source_mappings(EventSourceArn=arn, MaxItems=2, **kw)
        assert len(page["EventSourceMappings"]) <= 2
        seen += [m["UUID"] for m in page["EventSourceMappings"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert set(seen) == uuids and len(seen) == 3


def test_bad_input_gets_lambdas_exact_errors_and_changes_nothing(lam, kin):
    stream, arn = make_stream(kin)
    fn = make_function(lam, "index.handler")

    def create_error(**kw):
        args = dict(FunctionName=fn, EventSourceArn=arn, StartingPosition="LATEST")
        args.update(kw)
        with pytest.raises(lam.exceptions.ClientError) as e:
            lam.create_event_source_mapping(**args)
        return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"], \
            e.value.response["ResponseMetadata"]["HTTPStatusCode"]

    assert create_error(BatchSize=10001) == (
        "ValidationException",
        "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: "
        "Member must have value less than or equal to 10000", 400)
    assert create_error(ParallelizationFactor=11, MaximumBatchingWindowInSeconds=301) == (
        "ValidationException",
        "2 validation errors detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to "
        "satisfy constraint: Member must have value less than or equal to 300; Value '11' at "
        "'parallelizationFactor' failed to satisfy constraint: Member must have value less than "
        "or equal to 10", 400)
    assert create_error(MaximumRecordAgeInSeconds=30) == (
        "InvalidParameterValueException",
        "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)", 400)
    assert create_error(StartingPosition="EARLIEST") == (
        "ValidationException",
        "1 validation error detected: Value 'EARLIEST' at 'startingPosition' failed to satisfy "
        "constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]", 400)
    assert create_error(StartingPosition="AT_TIMESTAMP")[:2] == (
        "InvalidParameterValueException", "Need to specify a timestamp")
    assert create_error(FunctionName=fn + "-missing") == (
        "InvalidParameterValueException", "Function does not exist", 400)
    assert create_error(EventSourceArn=arn + "-missing") == (
        "InvalidParameterValueException", "Stream not found: %s-missing" % arn, 400)
    assert create_error(DestinationConfig={"OnSuccess": {"Destination": "arn:aws:s3:::b"}}) == (
        "InvalidParameterValueException",
        "Unsupported DestinationConfig parameter for given event source mapping type.", 400)
    assert create_error(FilterCriteria={"Filters": [{"Pattern": "{not json"}]}) == (
        "InvalidParameterValueException", "Invalid filter pattern definition.", 400)
    assert create_error(TumblingWindowInSeconds=901) == (
        "ValidationException",
        "1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 900", 400)
    code, message, _ = create_error(DestinationConfig={"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:q"}})
    assert code == "InvalidParameterValueException" and "S3" in message
    assert lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"] == []

    uuid = lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn,
                                           StartingPosition="LATEST")["UUID"]
    assert create_error() == (
        "ResourceConflictException",
        "The event source arn (\" %s \") and function (\" %s \") provided mapping already exists. "
        "Please update or delete the existing mapping with UUID %s" % (arn, fn, uuid), 409)
    with pytest.raises(lam.exceptions.ClientError) as e:
        lam.update_event_source_mapping(UUID=uuid, BatchSize=20000)
    assert error_code(e) == "ValidationException"
    assert lam.get_event_source_mapping(UUID=uuid)["BatchSize"] == 100
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID="00000000-0000-4000-8000-000000000000")


def test_aws_cli_create_and_refusal(server, lam, kin):
    stream, arn = make_stream(kin)
    fn = make_function(lam, "index.handler")
    base = ["/usr/bin/aws", "--endpoint-url", server.url, "lambda"]
    out = run(base + ["create-event-source-mapping", "--function-name", fn, "--event-source-arn", arn,
                      "--batch-size", "1000", "--starting-position", "LATEST"], env=ENV, timeout=60)
    assert out.returncode == 0, out.stderr
    created = json.loads(out.stdout)
    assert created["BatchSize"] == 1000 and created["State"] == "Creating"
    bad = run(base + ["create-event-source-mapping", "--function-name", fn, "--event-source-arn", arn,
                      "--batch-size", "20000", "--starting-position", "LATEST"], env=ENV, timeout=60)
    assert bad.returncode != 0
    assert "(ValidationException)" in bad.stderr
    assert "Value '20000' at 'batchSize' failed to satisfy constraint" in bad.stderr
    listed = run(base + ["list-event-source-mappings", "--function-name", fn], env=ENV, timeout=60)
    assert [m["UUID"] for m in json.loads(listed.stdout)["EventSourceMappings"]] == [created["UUID"]]


# ---- delivery ----

def test_builtin_write_to_s3_gets_every_record_once_per_batch(lam, kin, s3):
    stream, arn = make_stream(kin, shards=2)
    bucket = unique("lake")
    s3.create_bucket(Bucket=bucket)
    fn = make_function(lam, "sluice.builtin.write_to_s3", env={"OUTPUT_BUCKET": bucket})
    lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=1000,
                                    StartingPosition="TRIM_HORIZON")
    seqs = put_json(kin, stream, [{"pk": "p%d" % (i % 7), "i": i} for i in range(200)])

    def all_written():
        rows = written_rows(s3, bucket)
        return rows if len(rows) >= len(seqs) else None

    rows = wait_for("200 records in S3", all_written)
    assert sorted(r["event_id"] for r in rows) == sorted(seqs)
    assert sorted(r["i"] for r in rows) == list(range(200))


def test_filters_and_parallelization_through_the_wire(lam, kin, s3):
    stream, arn = make_stream(kin)
    bucket = unique("lake")
    s3.create_bucket(Bucket=bucket)
    fn = make_function(lam, "sluice.builtin.write_to_s3", env={"OUTPUT_BUCKET": bucket})
    m = lam.create_event_source_mapping(
        FunctionName=fn, EventSourceArn=arn, StartingPosition="TRIM_HORIZON", BatchSize=5,
        ParallelizationFactor=3,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"data": {"keep": [True]}})}]})
    assert m["FilterCriteria"]["Filters"][0]["Pattern"] == json.dumps({"data": {"keep": [True]}})
    rows = [{"pk": "p%d" % (i % 4), "i": i, "keep": i % 2 == 0} for i in range(40)]
    seqs = put_json(kin, stream, rows)
    wanted = sorted(s for s, r in zip(seqs, rows) if r["keep"])

    def kept():
        got = written_rows(s3, bucket)
        return got if len(got) >= len(wanted) else None

    got = wait_for("the kept records", kept)
    # Exactly the matching records, each once (per-key order across lanes is checked by
    # the unit tests, which see the order of invocations).
    assert sorted(r["event_id"] for r in got) == wanted


def test_python_function_failing_on_purpose_bisects_to_the_poison_record(lam, kin, s3):
    stream, arn = make_stream(kin)
    failures = unique("dlq")
    s3.create_bucket(Bucket=failures)
    fn = make_function(lam, "index.handler", {"index.py": POISON_HANDLER})
    m = lam.create_event_source_mapping(
        FunctionName=fn, EventSourceArn=arn, BatchSize=8, StartingPosition="TRIM_HORIZON",
        MaximumBatchingWindowInSeconds=1, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::" + failures}})
    rows = [{"pk": "k", "i": i} for i in range(8)]
    rows[5]["note"] = "poison"
    seqs = put_json(kin, stream, rows)

    key = wait_for("the on-failure record", lambda: objects(s3, failures))[0]
    assert key.startswith("aws/lambda/%s/shardId-000000000000/" % m["UUID"])
    record = json.loads(s3.get_object(Bucket=failures, Key=key)["Body"].read())
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["functionArn"].endswith(":function:" + fn)
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["KinesisBatchInfo"]["batchSize"] == 1
    assert record["KinesisBatchInfo"]["startSequenceNumber"] == seqs[5]
    assert record["KinesisBatchInfo"]["streamArn"] == arn
    assert record["payload"]["Records"][0]["kinesis"]["sequenceNumber"] == seqs[5]
    # Only the poison record was given up, and the shard moved past it.
    wait_for("the checkpoint past the batch", lambda: lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] == "OK")
    assert len(objects(s3, failures)) == 1


def test_report_batch_item_failures_resumes_at_the_first_failed_item(lam, kin, s3):
    stream, arn = make_stream(kin)
    calls = unique("calls")
    s3.create_bucket(Bucket=calls)
    fn = make_function(lam, "index.handler", {"index.py": RECORDING_HANDLER}, env={"CALLS_BUCKET": calls})
    rows = [{"pk": "k", "i": i} for i in range(6)]
    rows[2]["fail"] = rows[4]["fail"] = True
    seqs = put_json(kin, stream, rows)
    lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                    FunctionResponseTypes=["ReportBatchItemFailures"])

    def two_calls():
        keys = sorted(objects(s3, calls, "calls/"))
        return keys if len(keys) >= 2 else None

    keys = wait_for("the retry after a partial failure", two_calls)
    batches = [json.loads(s3.get_object(Bucket=calls, Key=k)["Body"].read()) for k in keys]
    assert batches[0] == seqs
    assert batches[1] == seqs[2:]  # from the lowest failed item on, the records before it done
    assert len(batches) == 2


def test_retry_limit_sends_the_batch_to_the_on_failure_bucket(lam, kin, s3):
    stream, arn = make_stream(kin)
    failures = unique("dlq")
    s3.create_bucket(Bucket=failures)
    fn = make_function(lam, "index.handler", {"index.py": "def handler(e, c):\n    raise RuntimeError('always')\n"})
    m = lam.create_event_source_mapping(
        FunctionName=fn, EventSourceArn=arn, StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::" + failures}})
    seqs = put_json(kin, stream, [{"pk": "k", "i": i} for i in range(3)])
    key = wait_for("the on-failure record", lambda: objects(s3, failures))[0]
    record = json.loads(s3.get_object(Bucket=failures, Key=key)["Body"].read())
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["KinesisBatchInfo"]["startSequenceNumber"] == seqs[0]
    assert record["KinesisBatchInfo"]["endSequenceNumber"] == seqs[-1]
    assert record["KinesisBatchInfo"]["batchSize"] == 3
    assert [r["kinesis"]["sequenceNumber"] for r in record["payload"]["Records"]] == seqs
    assert lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] == "PROBLEM: Function call failed"


# A tumbling-window handler that sums its window's values in the state and, on the
# window's final invocation, writes what it got to S3 (one object per window).
WINDOW_HANDLER = '''
import base64, json, os
import boto3

s3 = boto3.client("s3")

def handler(event, context):
    state = event["state"]
    if event["isFinalInvokeForWindow"]:
        s3.put_object(Bucket=os.environ["OUT"], Key="windows/%s/%s" % (event["shardId"], event["window"]["start"]),
                      Body=json.dumps({"keys": list(event.keys()), "records": len(event["Records"]),
                                       "state": state, "window": event["window"],
                                       "early": event["isWindowTerminatedEarly"],
                                       "arn": event["eventSourceARN"]}))
        return {"state": {}}
    for r in event["Records"]:
        state["sum"] = state.get("sum", 0) + json.loads(base64.b64decode(r["kinesis"]["data"]))["v"]
        state["n"] = state.get("n", 0) + 1
    return {"state": state}
'''


def test_tumbling_windows_pass_the_state_and_end_with_a_final_invocation(lam, kin, s3):
    import datetime
    stream, arn = make_stream(kin)
    out = unique("windows")
    s3.create_bucket(Bucket=out)
    fn = make_function(lam, "index.handler", {"index.py": WINDOW_HANDLER}, env={"OUT": out})
    m = lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                        BatchSize=2, TumblingWindowInSeconds=1)
    assert m["TumblingWindowInSeconds"] == 1
    put_json(kin, stream, [{"pk": "k", "v": v} for v in (1, 2, 3)])
    wait_for("a closed window", lambda: objects(s3, out, "windows/"))
    # A later window starts from a fresh state: the windows' sums add up exactly.
    put_json(kin, stream, [{"pk": "k", "v": v} for v in (10, 20)])

    def closed_windows():
        got = [json.loads(s3.get_object(Bucket=out, Key=k)["Body"].read()) for k in objects(s3, out, "windows/")]
        return got if sum(w["state"].get("n", 0) for w in got) == 5 else None

    windows = wait_for("every record in a closed window", closed_windows)
    assert sum(w["state"]["sum"] for w in windows if w["state"]) == 36
    parse = lambda t: datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ")
    for w in windows:
        assert w["keys"] == ["Records", "window", "state", "shardId", "eventSourceARN",
                             "isFinalInvokeForWindow", "isWindowTerminatedEarly"]
        assert w["records"] == 0 and w["early"] is False and w["arn"] == arn
        assert (parse(w["window"]["end"]) - parse(w["window"]["start"])).total_seconds() == 1
    assert lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] == "OK"


def test_builtin_invocations_write_their_log_stream(server, lam, kin, s3):
    import boto3
    stream, arn = make_stream(kin)
    bucket = unique("lake")
    s3.create_bucket(Bucket=bucket)
    fn = make_function(lam, "sluice.builtin.write_to_s3", env={"OUTPUT_BUCKET": bucket})
    lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    put_json(kin, stream, [{"pk": "k", "i": 1}])
    wait_for("the batch in S3", lambda: written_rows(s3, bucket))
    assert lam.invoke(FunctionName=fn, Payload=b'{"Records":[]}')["StatusCode"] == 200
    logs = boto3.client("logs", endpoint_url=server.url, region_name=REGION,
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    group = "/aws/lambda/" + fn

    def lines():
        got = [e["message"] for e in logs.filter_log_events(logGroupName=group).get("events", [])]
        return got if len(got) >= 6 else None

    got = wait_for("two invocations' log lines", lines)
    assert [line.split(" ")[0] for line in got] == ["START", "END", "REPORT"] * 2
    assert all("Memory Size: 128 MB" in line for line in got if line.startswith("REPORT"))


def test_the_event_a_python_handler_receives_has_lambdas_shape(lam, kin, s3):
    stream, arn = make_stream(kin)
    failures = unique("dlq")
    s3.create_bucket(Bucket=failures)
    fn = make_function(lam, "index.handler", {"index.py": SHAPE_HANDLER})
    m = lam.create_event_source_mapping(
        FunctionName=fn, EventSourceArn=arn, StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=0,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::" + failures}})
    put_json(kin, stream, [{"pk": "a"}, {"pk": "b"}])
    wait_for("a processed batch", lambda: lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] != "No records processed")
    keys = objects(s3, failures)
    detail = "" if not keys else s3.get_object(Bucket=failures, Key=keys[0])["Body"].read()
    assert keys == [], detail
    assert lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] == "OK"


def test_mappings_resume_from_their_checkpoint_after_sigkill(start_sluice, data_dir):
    first = start_sluice()
    lam, kin, s3 = lambda_client(first.url), kinesis_client(first.url), s3_client(first.url)
    stream, arn = make_stream(kin, shards=2)
    bucket = unique("lake")
    s3.create_bucket(Bucket=bucket)
    fn = make_function(lam, "sluice.builtin.write_to_s3", env={"OUTPUT_BUCKET": bucket})
    uuid = lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=50,
                                           StartingPosition="TRIM_HORIZON")["UUID"]
    seqs = put_json(kin, stream, [{"pk": "p%d" % i, "i": i} for i in range(300)])
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()

    second = start_sluice()
    lam, kin, s3 = lambda_client(second.url), kinesis_client(second.url), s3_client(second.url)
    assert lam.get_event_source_mapping(UUID=uuid)["BatchSize"] == 50
    more = put_json(kin, stream, [{"pk": "q%d" % i, "i": 300 + i} for i in range(100)])

    def delivered():
        ids = {r["event_id"] for r in written_rows(s3, bucket)}
        return ids if ids >= set(seqs + more) else None

    ids = wait_for("every record at least once", delivered)
    assert ids == set(seqs + more)
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
