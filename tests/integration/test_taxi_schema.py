"""JSON-schema validation in the taxi pipeline's consumers: the built-in write_to_s3 behind
a real event-source mapping with the example's schema (examples/taxi-pipeline/schema),
and the Python consumers with fakes of S3 and CloudWatch. Valid trips reach the lake;
invalid ones land under context=dead-letter/ with the reason and are counted in
Sluice/Consumers InvalidRecords."""
import base64
import datetime
import io
import json
import os

from test_cloudwatch import cw_client
from test_lambda_mappings import kin, lam, make_function, make_stream, objects, put_json, unique, wait_for, written_rows  # noqa: F401
from test_pipeline_example import EXAMPLE, kinesis_event, load_function
from test_s3 import s3  # noqa: F401 (fixture)

SCHEMA_PATH = os.path.join(EXAMPLE, "schema", "taxi-trip.schema.json")


def trip(n, **changes):
    row = {"TRIP_ID": "T%d" % n, "CALL_TYPE": "C", "ORIGIN_CALL": "NA", "ORIGIN_STAND": "NA", "TAXI_ID": "20000816",
           "TIMESTAMP": "1372636819", "DAY_TYPE": "A", "MISSING_DATA": "False", "POLYLINE": "[[-8.58,41.14]]",
           "event_id": "e%d" % n, "pk": "taxi-%d" % (n % 3)}
    row.update(changes)
    return row


def dead_letters(s3, bucket):
    lines = []
    for key in objects(s3, bucket, "context=dead-letter/date="):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        lines += [json.loads(line) for line in body.splitlines()]
    return lines


def test_builtin_write_to_s3_sends_invalid_trips_to_the_dead_letter_prefix(server, lam, kin, s3):
    bucket = unique("lake")
    s3.create_bucket(Bucket=bucket)
    with open(SCHEMA_PATH, "rb") as f:
        s3.put_object(Bucket=bucket, Key="schema/taxi-trip.schema.json", Body=f.read())
    # "pk" is not a taxi column: the schema allows no other properties, so the producer's
    # rows carry the key only in the record's partition key.
    rows = [trip(0), trip(1, CALL_TYPE="Z"), trip(2), trip(3, TIMESTAMP=1372636819)]
    for r in rows:
        r.pop("pk")
    stream, arn = make_stream(kin)
    fn = make_function(lam, "sluice.builtin.write_to_s3",
                       env={"OUTPUT_BUCKET": bucket, "SCHEMA_S3_URI": "s3://%s/schema/taxi-trip.schema.json" % bucket})
    lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=100, StartingPosition="TRIM_HORIZON")
    out = kin.put_records(StreamName=stream, Records=[{"Data": json.dumps(r).encode(), "PartitionKey": "k"} for r in rows]
                          + [{"Data": b"not json", "PartitionKey": "k"}])
    seqs = [r["SequenceNumber"] for r in out["Records"]]

    written = wait_for("the valid trips in the lake", lambda: written_rows(s3, bucket))
    assert [r["TRIP_ID"] for r in written] == ["T0", "T2"]
    dead = wait_for("the dead letters", lambda: dead_letters(s3, bucket))
    assert [(d["sequence_number"], d["function_name"], d["partition_key"]) for d in dead] == [
        (seqs[1], fn, "k"), (seqs[3], fn, "k"), (seqs[4], fn, "k")]
    assert "CALL_TYPE" in dead[0]["reason"] and "TIMESTAMP" in dead[1]["reason"] and dead[2]["reason"] == "not JSON"
    assert json.loads(base64.b64decode(dead[0]["data"])) == rows[1]

    cw = cw_client(server.url)
    now = datetime.datetime.now(datetime.timezone.utc)

    def counted():
        dps = cw.get_metric_statistics(Namespace="Sluice/Consumers", MetricName="InvalidRecords",
                                       Dimensions=[{"Name": "FunctionName", "Value": fn}],
                                       StartTime=now - datetime.timedelta(minutes=5),
                                       EndTime=now + datetime.timedelta(minutes=5), Period=600,
                                       Statistics=["Sum"])["Datapoints"]
        return dps and dps[0]["Sum"] == 3

    wait_for("InvalidRecords = 3", counted)


# pattern, patternProperties and format, which sluice matches with its own linear-time
# matcher (ECMA-262 patterns) and hand-written format validators.
PATTERN_SCHEMA = {
    "type": "object", "required": ["TRIP_ID"],
    "properties": {"TRIP_ID": {"type": "string", "pattern": "^T[0-9]+$"},
                   "PICKUP": {"type": "string", "format": "date-time"}},
    "patternProperties": {"^x-": {"type": "string", "format": "uuid"}},
    "additionalProperties": False}


def test_builtin_schema_with_pattern_pattern_properties_and_format(server, lam, kin, s3):
    bucket = unique("lake")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="schema/patterns.json", Body=json.dumps(PATTERN_SCHEMA).encode())
    rows = [{"TRIP_ID": "T0", "PICKUP": "2026-12-01T10:00:00Z", "x-ref": "6f1c2a3b-0000-4000-8000-00000000000a"},
            {"TRIP_ID": "trip-1"},
            {"TRIP_ID": "T2", "PICKUP": "2026-13-01T10:00:00Z"},
            {"TRIP_ID": "T3", "x-ref": "not-a-uuid"},
            {"TRIP_ID": "T4", "other": 1},
            {"TRIP_ID": "T5", "x-": "00000000-0000-0000-0000-000000000000"}]
    stream, arn = make_stream(kin)
    fn = make_function(lam, "sluice.builtin.write_to_s3",
                       env={"OUTPUT_BUCKET": bucket, "SCHEMA_S3_URI": "s3://%s/schema/patterns.json" % bucket})
    lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=100, StartingPosition="TRIM_HORIZON")
    kin.put_records(StreamName=stream, Records=[{"Data": json.dumps(r).encode(), "PartitionKey": "k"} for r in rows])

    written = wait_for("the valid trips in the lake", lambda: written_rows(s3, bucket))
    assert [r["TRIP_ID"] for r in written] == ["T0", "T5"]
    dead = wait_for("the dead letters", lambda: dead_letters(s3, bucket))
    assert [(json.loads(base64.b64decode(d["data"]))["TRIP_ID"], d["reason"]) for d in dead] == [
        ("trip-1", "<root>[TRIP_ID]: Failed to match the pattern '^T[0-9]+$'."),
        ("T2", "<root>[PICKUP]: String is not a valid date-time."),
        ("T3", "<root>[x-ref]: String is not a valid uuid."),
        ("T4", "<root>: Object contains a property that could not be validated using 'properties' or "
               "'additionalProperties' constraints: 'other'.")]


class FakeS3:
    def __init__(self):
        with open(SCHEMA_PATH, "rb") as f:
            self.objects = {("lake", "schema.json"): f.read()}

    def head_object(self, Bucket, Key):
        return {"ETag": '"%d"' % hash(self.objects[(Bucket, Key)])}

    def get_object(self, Bucket, Key):
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

    def put_object(self, Bucket, Key, Body, ContentType):
        self.objects[(Bucket, Key)] = Body


class FakeCloudWatch:
    def __init__(self):
        self.data = []

    def put_metric_data(self, Namespace, MetricData):
        self.data += [(Namespace, d["MetricName"], d["Dimensions"], d["Value"]) for d in MetricData]


class Context:
    function_name = "taxi-consumer"


def python_consumer(name, monkeypatch, **env):
    fn = load_function(name, monkeypatch, SCHEMA_S3_URI="s3://lake/schema.json", DEAD_LETTER_BUCKET="lake", **env)
    fn.s3, fn.cloudwatch = FakeS3(), FakeCloudWatch()
    return fn


def check_dead_letters(fn):
    keys = [k for (b, k) in fn.s3.objects if k.startswith("context=dead-letter/")]
    assert len(keys) == 1 and keys[0].startswith("context=dead-letter/date=2024-05-02/2024_05_02_11_"), keys
    dead = [json.loads(line) for line in fn.s3.objects[("lake", keys[0])].decode().splitlines()]
    assert [(d["sequence_number"], d["function_name"], d["shard_id"]) for d in dead] == [
        ("101", "taxi-consumer", "shardId-000000000001")]
    assert dead[0]["reason"] == "/DAY_TYPE: 'X' is not one of ['A', 'B', 'C']"
    assert fn.cloudwatch.data == [("Sluice/Consumers", "InvalidRecords", [{"Name": "FunctionName", "Value": "taxi-consumer"}], 1)]


def test_python_write_to_s3_validates_each_trip(monkeypatch):
    fn = python_consumer("write_to_s3", monkeypatch, OUTPUT_BUCKET="lake")
    rows = [trip(0), trip(1, DAY_TYPE="X"), trip(2)]
    for r in rows:
        r.pop("pk")
    out = fn.lambda_handler(kinesis_event(rows), Context())
    assert out["records"] == 2
    assert [r["TRIP_ID"] for r in json.loads(fn.s3.objects[("lake", out["key"])])] == ["T0", "T2"]
    check_dead_letters(fn)


def test_python_send_to_firehose_validates_each_trip(monkeypatch):
    fn = python_consumer("send_to_firehose", monkeypatch, DELIVERY_STREAM_NAME="d")
    sent = []

    class Firehose:
        def put_record_batch(self, DeliveryStreamName, Records):
            sent.extend(json.loads(r["Data"])["TRIP_ID"] for r in Records)
            return {"FailedPutCount": 0, "RequestResponses": [{} for _ in Records]}

    fn.firehose = Firehose()
    rows = [trip(0), trip(1, DAY_TYPE="X"), trip(2)]
    for r in rows:
        r.pop("pk")
    assert fn.lambda_handler(kinesis_event(rows), Context()) == {"records": 2}
    assert sent == ["T0", "T2"]
    check_dead_letters(fn)


def test_python_consumer_without_a_schema_passes_every_record(monkeypatch):
    monkeypatch.delenv("SCHEMA_S3_URI", raising=False)
    fn = load_function("write_to_s3", monkeypatch, OUTPUT_BUCKET="lake")
    assert fn.cloudwatch is None
    fn.s3 = FakeS3()
    out = fn.lambda_handler(kinesis_event([trip(0, DAY_TYPE="X")]), Context())
    assert out["records"] == 1
