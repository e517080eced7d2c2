"""examples/taxi-pipeline deployed with its own scripts (the AWS CLI) against the real
binary: trips generated and produced with the sluice CLI, the delivery stream flushed,
and every trip checked in the lake through both consumers with `sluice query`."""
import csv
import json
import os
import time

import pytest

from conftest import REPO, SLUICE_BIN, run
from test_s3 import ENV

EXAMPLE = os.path.join(REPO, "examples", "taxi-pipeline")
STREAM = "streaming-pipeline-dev-ingress"
DELIVERY = "streaming-pipeline-dev-delivery"
DEADLINE_S = 120


@pytest.fixture(scope="module")
def env(server, tmp_path_factory):
    return dict(ENV, AWS_ENDPOINT_URL=server.url, DIST=str(tmp_path_factory.mktemp("dist")))


def script(env, name, *args):
    r = run([os.path.join(EXAMPLE, name), *args], timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def sluice(env, *args):
    r = run([SLUICE_BIN, *args], timeout=120, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def query(env, *args):
    out = sluice(env, "query", "--format", "json", *args)
    return json.loads(out)


def produce(env, tmp_path, trips, seed):
    path = str(tmp_path / ("trips-%d.csv" % seed))
    sluice(env, "gen", "taxi", "--trips", str(trips), "--seed", str(seed), "-o", path)
    sluice(env, "produce", "--stream", STREAM, "--csv", path, "--progress", "off", "--region", "us-east-1")
    with open(path, newline="") as f:
        return {row["TRIP_ID"] + "/%d" % seed: row for row in csv.DictReader(f)}


def wait_for_lake(env, table, expected):
    """Flushes the delivery stream and counts the table until it holds `expected` rows
    (the consumers run behind the stream; bounded by DEADLINE_S)."""
    deadline = time.time() + DEADLINE_S
    while True:
        sluice(env, "firehose", "flush", DELIVERY)
        n = int(query(env, "SELECT count(*) AS n FROM events.%s" % table)[0]["n"])
        if n >= expected or time.time() > deadline:
            return n
        time.sleep(0.2)


def test_python_consumers_put_every_trip_in_the_lake(env, tmp_path):
    out = script(env, "deploy.sh")
    assert "stack data-sources-dev created" in out and "stack stream-dev created from stream.yml" in out
    # A second run finds both stacks and changes nothing.
    assert script(env, "deploy.sh").splitlines()[-2:] == ["stack data-sources-dev exists", "stack stream-dev exists"]
    cf = json.loads(run(["/usr/bin/aws", "--endpoint-url", env["AWS_ENDPOINT_URL"], "lambda",
                         "get-function-configuration", "--function-name",
                         "streaming-pipeline-dev-send_to_firehose"], env=env).stdout)
    assert (cf["Runtime"], cf["Handler"]) == ("python3.12", "lambda_function.lambda_handler")
    assert cf["Environment"]["Variables"] == {"DELIVERY_STREAM_NAME": DELIVERY}

    trips = produce(env, tmp_path, 1500, seed=1)
    create_tables(env)
    assert wait_for_lake(env, "taxi_batches", len(trips)) == len(trips)
    assert wait_for_lake(env, "taxi_trajectories", len(trips)) == len(trips)

    # Every trip once through each consumer, with the producer's event_id in both.
    for table in ("taxi_trajectories", "taxi_batches"):
        rows = query(env, "SELECT trip_id, taxi_id, polyline, event_id FROM events.%s" % table)
        assert sorted(r["trip_id"] for r in rows) == sorted(t["TRIP_ID"] for t in trips.values())
        assert len({r["event_id"] for r in rows}) == len(trips)
        by_id = {r["trip_id"]: r for r in rows}
        for t in trips.values():
            assert (by_id[t["TRIP_ID"]]["taxi_id"], by_id[t["TRIP_ID"]]["polyline"]) == (t["TAXI_ID"], t["POLYLINE"])
    joined = query(env, "SELECT count(*) AS n FROM events.taxi_trajectories f JOIN events.taxi_batches b "
                        "ON f.event_id = b.event_id AND f.trip_id = b.trip_id")
    assert joined == [{"n": str(len(trips))}]
    # Firehose objects are JSON lines (one trip per line, valid JSON); write_to_s3 objects
    # are one JSON array per batch of at most 1,000 records.
    paths = query(env, "SELECT \"$path\" AS p, count(*) AS n FROM events.taxi_batches GROUP BY 1")
    assert all(int(p["n"]) <= 1000 for p in paths) and len(paths) >= 2
    import boto3
    s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                      aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    listed = s3.list_objects_v2(Bucket="streaming-pipeline-dev-output", Prefix="context=firehose_delivery/")
    lines = []
    for o in listed["Contents"]:
        body = s3.get_object(Bucket="streaming-pipeline-dev-output", Key=o["Key"])["Body"].read().decode()
        assert body.endswith("\n")
        lines += [json.loads(line) for line in body.splitlines()]
    assert len(lines) == len(trips) and all("event_id" in x for x in lines)


def create_tables(env):
    for ddl in ("taxi_trajectories.sql", "taxi_batches.sql"):
        query(env, "-f", os.path.join(EXAMPLE, "athena", ddl), "SELECT 1 AS one")


def test_update_switches_to_the_built_in_consumers(env, tmp_path):
    script(env, "deploy.sh")  # after the test above: both stacks exist, nothing changes
    create_tables(env)
    before = {t: wait_for_lake(env, t, 0) for t in ("taxi_trajectories", "taxi_batches")}
    out = script(env, "update.sh", "--builtin")
    assert out.strip().splitlines()[-1] == "stack stream-dev updated from stream-builtin.yml"
    assert script(env, "update.sh", "--builtin").strip().splitlines()[-1] == "stack stream-dev is up to date"
    trips = produce(env, tmp_path, 1200, seed=2)
    for table, n in before.items():
        assert wait_for_lake(env, table, n + len(trips)) == n + len(trips)
    # No trip twice: every row has an event_id of its own (the producer's through
    # send_to_firehose; the built-in write_to_s3 sets the sequence number, as the reference).
    for table, n in before.items():
        distinct = query(env, "SELECT count(DISTINCT event_id) AS n FROM events.%s" % table)
        assert distinct == [{"n": str(n + len(trips))}]


def test_the_references_python36_deploys_with_a_warning_and_fails_as_on_aws_when_strict(start_sluice, tmp_path):
    """docs/scaling.md: sluice runs the reference's deprecated runtime and warns; with
    --strict-runtimes the stack fails and rolls back with AWS's reason, as AWS would."""
    lenient = start_sluice(dir=str(tmp_path / "lenient"))
    env = dict(ENV, AWS_ENDPOINT_URL=lenient.url, DIST=str(tmp_path / "dist"), RUNTIME="python3.6")
    assert "stack stream-dev created from stream.yml" in script(env, "deploy.sh")
    code, err = lenient.stop()
    assert code == 0
    assert err.count("runtime python3.6 is deprecated: AWS refuses to create functions on it") == 1

    strict = start_sluice("--strict-runtimes", dir=str(tmp_path / "strict"))
    env["AWS_ENDPOINT_URL"] = strict.url
    r = run([os.path.join(EXAMPLE, "deploy.sh")], timeout=300, env=env)
    assert r.returncode == 255, r.stdout + r.stderr  # wait stack-create-complete: the stack rolled back
    events = json.loads(run(["/usr/bin/aws", "--endpoint-url", strict.url, "cloudformation", "describe-stack-events",
                             "--stack-name", "stream-dev"], env=env).stdout)["StackEvents"]
    reasons = [e.get("ResourceStatusReason", "") for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert any("The runtime parameter of python3.6 is no longer supported for creating or updating AWS Lambda "
               "functions." in reason for reason in reasons), reasons


def load_function(name, monkeypatch, **env):
    """Imports examples/taxi-pipeline/functions/<name>/lambda_function.py as a module."""
    import importlib.util
    import sys
    for k, v in dict(env, AWS_DEFAULT_REGION="us-east-1").items():
        monkeypatch.setenv(k, v)
    # The functions import functions/shared/ (packaged into each zip), read at import.
    monkeypatch.syspath_prepend(os.path.join(EXAMPLE, "functions", "shared"))
    monkeypatch.delitem(sys.modules, "schema_check", raising=False)
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLE, "functions", name, "lambda_function.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kinesis_event(rows, shard="shardId-000000000001"):
    import base64
    return {"Records": [{"eventID": "%s:%d" % (shard, 100 + i), "kinesis": {
        "data": base64.b64encode(json.dumps(r).encode()).decode(), "sequenceNumber": str(100 + i),
        "approximateArrivalTimestamp": 1714647600.5}} for i, r in enumerate(rows)]}


def test_send_to_firehose_sends_json_lines_in_batches_and_resends_what_was_refused(monkeypatch):
    fn = load_function("send_to_firehose", monkeypatch, DELIVERY_STREAM_NAME="d")
    calls = []

    class Firehose:
        def put_record_batch(self, DeliveryStreamName, Records):
            calls.append((DeliveryStreamName, [r["Data"] for r in Records]))
            # The first call refuses its second record once.
            failed = len(calls) == 1
            return {"FailedPutCount": int(failed), "RequestResponses": [
                {"ErrorCode": "ServiceUnavailableException"} if failed and i == 1 else {"RecordId": "r"}
                for i in range(len(Records))]}

    monkeypatch.setattr(fn, "firehose", Firehose())
    monkeypatch.setattr(fn.time, "sleep", lambda s: None)
    rows = [{"TRIP_ID": "T%d" % i, "MISSING_DATA": False, "ORIGIN_CALL": None, "event_id": "e%d" % i}
            for i in range(1201)]
    assert fn.lambda_handler(kinesis_event(rows), None) == {"records": 1201}
    # 500 + the refused one again + 500 + 201: PutRecordBatch, never one call per record.
    assert [len(records) for _, records in calls] == [500, 1, 500, 201]
    assert calls[1][1] == [calls[0][1][1]]
    lines = [line for _, records in calls for line in records]
    assert all(line.endswith(b"\n") for line in lines)
    accepted = [json.loads(line) for i, line in enumerate(lines) if i != 1]  # line 1 was refused, then resent
    assert sorted(accepted, key=lambda r: int(r["event_id"][1:])) == rows  # valid JSON (false, null), event_id kept


def test_write_to_s3_writes_one_array_per_batch_under_a_key_of_its_own(monkeypatch):
    fn = load_function("write_to_s3", monkeypatch, OUTPUT_BUCKET="lake")
    puts = []
    monkeypatch.setattr(fn, "s3", type("S3", (), {"put_object": lambda self, **kw: puts.append(kw)})())
    rows = [{"TRIP_ID": "T1", "event_id": "producer-id"}, {"TRIP_ID": "T2"}]
    fn.lambda_handler(kinesis_event(rows), None)
    fn.lambda_handler(kinesis_event(rows), None)  # a retried batch: the same key
    assert len(puts) == 2 and puts[0]["Key"] == puts[1]["Key"]
    key = puts[0]["Key"]
    assert key.startswith("context=write_to_s3/date=2024-05-02/2024_05_02_11_") and key.endswith(".json")
    assert json.loads(puts[0]["Body"]) == [{"TRIP_ID": "T1", "event_id": "producer-id"},
                                           {"TRIP_ID": "T2", "event_id": "101"}]
