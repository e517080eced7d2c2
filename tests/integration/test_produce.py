"""`sluice gen taxi` and `sluice produce` against the real `sluice serve`, read back with
boto3: every record once, per-key order, the record's JSON shape, malformed rows and
exit codes."""
import csv
import json
import os
import subprocess

import pytest

from conftest import SLUICE_BIN, kinesis_client

HEADER = ["TRIP_ID", "CALL_TYPE", "ORIGIN_CALL", "ORIGIN_STAND", "TAXI_ID", "TIMESTAMP",
          "DAY_TYPE", "MISSING_DATA", "POLYLINE"]
TRIPS = 100_000


def sluice(*args, timeout=120, **kw):
    return subprocess.run([SLUICE_BIN, *args], capture_output=True, text=True,
                          timeout=timeout, **kw)


def produce(url, stream, csv_path, *args):
    # Placeholder keys: sluice checks the Authorization header's shape, not the secret.
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret")
    return sluice("produce", "--stream", stream, "--csv", csv_path, "--endpoint", url,
                  "--region", "us-east-1", "--progress", "off", *args, env=env)


def create_stream(client, name, shards=2):
    client.create_stream(StreamName=name, ShardCount=shards)
    client.get_waiter("stream_exists").wait(
        StreamName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})


def read_all(client, stream):
    """{shard id: [(partition key, record dict), ...] in sequence order}."""
    out = {}
    shards = client.list_shards(StreamName=stream)["Shards"]
    for shard in shards:
        it = client.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        recs = []
        while it:
            page = client.get_records(ShardIterator=it, Limit=10000)
            for r in page["Records"]:
                recs.append((r["PartitionKey"], json.loads(r["Data"])))
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            it = page.get("NextShardIterator")
        out[shard["ShardId"]] = recs
    return out


@pytest.fixture(scope="module")
def trips_csv(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("trips") / "trips.csv")
    r = sluice("gen", "taxi", "--trips", str(TRIPS), "--seed", "42", "-o", path)
    assert r.returncode == 0, r.stderr
    return path


def test_gen_taxi_is_deterministic_and_in_the_data_set_format(tmp_path):
    a, b = str(tmp_path / "a.csv"), str(tmp_path / "b.csv")
    for path, threads in ((a, "1"), (b, "2")):
        r = sluice("gen", "taxi", "--trips", "500", "--seed", "7", "--start", "2014-01-01",
                   "--threads", threads, "-o", path)
        assert r.returncode == 0, r.stderr
    assert open(a, "rb").read() == open(b, "rb").read()
    stdout = sluice("gen", "taxi", "--trips", "500", "--seed", "7", "--start", "2014-01-01")
    assert stdout.stdout.encode() == open(a, "rb").read()

    rows = list(csv.reader(open(a, newline="")))
    assert rows[0] == HEADER
    assert len(rows) == 501
    assert all(len(r) == 9 for r in rows)
    assert int(rows[1][5]) >= 1388534400  # 2014-01-01T00:00:00Z
    assert {r[1] for r in rows[1:]} <= {"A", "B", "C"}
    for r in rows[1:]:
        assert isinstance(json.loads(r[8]), list)


def test_gen_taxi_rejects_a_bad_date():
    r = sluice("gen", "taxi", "--trips", "1", "--start", "2014-13-40")
    assert r.returncode != 0
    assert r.stderr


def test_100k_records_by_taxi_id_arrive_once_each_in_per_key_order(module_sluice, trips_csv):
    client = kinesis_client(module_sluice.url)
    create_stream(client, "by-taxi")
    # Several requests in flight: each taxi's records go through one lane, in order
    # (docs/producer.md, "Ordering").
    r = produce(module_sluice.url, "by-taxi", trips_csv, "--partition-key", "TAXI_ID",
                "--concurrency", "4")
    assert r.returncode == 0, r.stderr
    assert "sent %d records" % TRIPS in r.stderr
    assert "failed 0" in r.stderr

    csv_taxi = {}  # TRIP_ID -> (row index, TAXI_ID) from the CSV itself
    with open(trips_csv, newline="") as f:
        reader = csv.reader(f)
        assert next(reader) == HEADER
        for i, row in enumerate(reader):
            csv_taxi[row[0]] = (i, row[4])
    assert len(csv_taxi) == TRIPS

    shards = read_all(client, "by-taxi")
    assert len(shards) == 2
    event_ids, trips = set(), set()
    taxi_shard = {}
    for shard_id, recs in shards.items():
        assert recs, "both shards get records: %s is empty" % shard_id
        last_row = {}
        for key, rec in recs:
            assert list(rec) == HEADER + ["event_id"]
            assert all(isinstance(v, str) for v in rec.values())
            assert key == rec["TAXI_ID"]
            row, taxi = csv_taxi[rec["TRIP_ID"]]
            assert taxi == rec["TAXI_ID"]
            assert rec["TRIP_ID"] not in trips, "duplicate trip %s" % rec["TRIP_ID"]
            trips.add(rec["TRIP_ID"])
            event_ids.add(rec["event_id"])
            assert taxi_shard.setdefault(taxi, shard_id) == shard_id, "taxi %s on two shards" % taxi
            assert last_row.get(taxi, -1) < row, "taxi %s out of CSV order" % taxi
            last_row[taxi] = row
    assert trips == set(csv_taxi)
    assert len(event_ids) == TRIPS


def test_uuid_keys_spread_records_evenly_and_once(module_sluice, tmp_path):
    client = kinesis_client(module_sluice.url)
    create_stream(client, "by-uuid")
    path = str(tmp_path / "t.csv")
    assert sluice("gen", "taxi", "--trips", "5000", "--seed", "3", "-o", path).returncode == 0
    r = produce(module_sluice.url, "by-uuid", path, "--concurrency", "8", "--rate", "100000/s")
    assert r.returncode == 0, r.stderr
    shards = read_all(client, "by-uuid")
    counts = [len(recs) for recs in shards.values()]
    assert sum(counts) == 5000
    assert min(counts) > 2000, counts
    ids = [rec["event_id"] for recs in shards.values() for key, rec in recs]
    assert len(set(ids)) == 5000
    assert all(key == rec["event_id"] for recs in shards.values() for key, rec in recs)


MALFORMED = (
    '"TRIP_ID","CALL_TYPE","TAXI_ID"\n'
    '"T1","A","1"\n'
    '"T2","B"\n'                       # line 3: too few columns
    '"T3","C","3"\n'
    '"T4","A","4","extra"\n'           # line 5: too many columns
    '"T5","A","5"\n'
    '"T6",x"y,"6"\n'                   # line 7: quote inside a bare field
    '"T7","B","7"\n'
)


def test_malformed_rows_are_reported_by_line_and_written_to_rejects(module_sluice, tmp_path):
    client = kinesis_client(module_sluice.url)
    create_stream(client, "malformed", shards=1)
    src, rejects = str(tmp_path / "m.csv"), str(tmp_path / "rejects.txt")
    open(src, "w").write(MALFORMED)
    r = produce(module_sluice.url, "malformed", src, "--rejects", rejects)
    assert r.returncode == 0, r.stderr  # every well-formed record was delivered
    for line in ("line 3", "line 5", "line 7"):
        assert line in r.stderr, r.stderr
    text = open(rejects).read()
    assert text.count("# line ") == 3
    assert '"T2","B"' in text and '"T4","A","4","extra"' in text and 'x"y' in text
    got = sorted(rec["TRIP_ID"] for recs in read_all(client, "malformed").values() for _, rec in recs)
    assert got == ["T1", "T3", "T5", "T7"]


def test_strict_stops_at_the_first_malformed_row(module_sluice, tmp_path):
    client = kinesis_client(module_sluice.url)
    create_stream(client, "strict", shards=1)
    src = str(tmp_path / "m.csv")
    open(src, "w").write(MALFORMED)
    r = produce(module_sluice.url, "strict", src, "--strict")
    assert r.returncode == 1, r.stderr
    assert "line 3" in r.stderr
    got = [rec["TRIP_ID"] for recs in read_all(client, "strict").values() for _, rec in recs]
    assert "T3" not in got and "T7" not in got
    assert set(got) <= {"T1"}


def test_csv_from_standard_input(module_sluice):
    client = kinesis_client(module_sluice.url)
    create_stream(client, "stdin", shards=1)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret")
    r = subprocess.run([SLUICE_BIN, "produce", "--stream", "stdin", "--csv", "-", "--endpoint",
                        module_sluice.url, "--region", "us-east-1", "--progress", "off"],
                       input='"a","b"\n"1","x,y"\n"2",NA\n', capture_output=True, text=True,
                       timeout=30, env=env)
    assert r.returncode == 0, r.stderr
    got = [rec for recs in read_all(client, "stdin").values() for _, rec in recs]
    assert [(g["a"], g["b"]) for g in got] == [("1", "x,y"), ("2", "NA")]


def test_undelivered_records_exit_non_zero(module_sluice, tmp_path):
    src = str(tmp_path / "t.csv")
    open(src, "w").write('"a"\n"1"\n')
    r = produce(module_sluice.url, "no-such-stream", src)
    assert r.returncode == 1
    assert "ResourceNotFoundException" in r.stderr


def test_bad_options_exit_non_zero_without_sending(module_sluice, tmp_path):
    src = str(tmp_path / "t.csv")
    open(src, "w").write('"a"\n"1"\n')
    assert produce(module_sluice.url, "x", src, "--rate", "fast").returncode != 0
    assert produce(module_sluice.url, "x", src, "--partition-key", "NOPE").returncode == 2
    assert produce(module_sluice.url, "x", str(tmp_path / "missing.csv")).returncode == 2


@pytest.mark.parametrize("server_flags", [
    ("--fault-put-failure-rate", "0.2"),  # InternalFailure on a fifth of the records
    ("--shard-limits",),                  # ProvisionedThroughputExceededException past 1,000/s
], ids=["fault-injection", "shard-limits"])
def test_records_refused_by_the_server_are_retried_until_each_arrives_once(start_sluice, tmp_path, server_flags):
    s = start_sluice(*server_flags)
    client = kinesis_client(s.url)
    create_stream(client, "refusing", shards=2)
    path = str(tmp_path / "trips.csv")
    n = 4000
    r = sluice("gen", "taxi", "--trips", str(n), "--seed", "9", "-o", path)
    assert r.returncode == 0, r.stderr
    r = produce(s.url, "refusing", path, "--partition-key", "uuid", "--max-attempts", "30")
    assert r.returncode == 0, r.stdout + r.stderr
    import re
    retried = re.search(r"retried (\d+)", r.stdout + r.stderr)
    assert retried and int(retried.group(1)) > 0, "the server refused some records"
    # Read back without the read limits (5 calls/s per shard) getting in the way.
    client.add_tags_to_stream(StreamName="refusing", Tags={"sluice.shard-limits": "off"})
    ids = [rec["event_id"] for recs in read_all(client, "refusing").values() for _, rec in recs]
    assert len(ids) == n and len(set(ids)) == n, "every record exactly once"
    trip_ids = {rec["TRIP_ID"] for recs in read_all(client, "refusing").values() for _, rec in recs}
    with open(path, newline="") as f:
        assert trip_ids == {row["TRIP_ID"] for row in csv.DictReader(f)}


def clean_env(tmp_path, **extra):
    """The environment without any AWS_* setting, a HOME with no .aws/, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(tmp_path)
    env.update(extra)
    return env


def produce_without_endpoint_flag(stream, src, env):
    return sluice("produce", "--stream", stream, "--csv", src, "--progress", "off", env=env)


def test_produce_goes_where_aws_endpoint_url_says(module_sluice, tmp_path):
    client = kinesis_client(module_sluice.url)
    create_stream(client, "env-endpoint", shards=1)
    src = str(tmp_path / "t.csv")
    open(src, "w").write('"a"\n"1"\n"2"\n')
    # No --endpoint, --region or credentials: only the SDKs' variable.
    r = produce_without_endpoint_flag("env-endpoint", src, clean_env(tmp_path, AWS_ENDPOINT_URL=module_sluice.url))
    assert r.returncode == 0, r.stderr
    assert sum(len(v) for v in read_all(client, "env-endpoint").values()) == 2


def test_produce_prefers_the_kinesis_variable_then_the_profile_services_section(module_sluice, tmp_path):
    client = kinesis_client(module_sluice.url)
    create_stream(client, "svc-endpoint", shards=1)
    src = str(tmp_path / "t.csv")
    open(src, "w").write('"a"\n"1"\n')
    nowhere = "http://127.0.0.1:9"  # discard port: nothing listens there
    env = clean_env(tmp_path, AWS_ENDPOINT_URL=nowhere, AWS_ENDPOINT_URL_KINESIS=module_sluice.url)
    r = produce_without_endpoint_flag("svc-endpoint", src, env)
    assert r.returncode == 0, r.stderr

    config = tmp_path / "config"
    config.write_text("[profile local]\nregion = eu-west-1\nendpoint_url = %s\nservices = here\n\n"
                      "[services here]\nkinesis =\n  endpoint_url = %s\n" % (nowhere, module_sluice.url))
    env = clean_env(tmp_path, AWS_CONFIG_FILE=str(config), AWS_PROFILE="local")
    r = produce_without_endpoint_flag("svc-endpoint", src, env)
    assert r.returncode == 0, r.stderr
    assert sum(len(v) for v in read_all(client, "svc-endpoint").values()) == 2

    # Told to ignore configured endpoints, it goes to AWS: with no credentials it stops there.
    env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
    r = produce_without_endpoint_flag("svc-endpoint", src, env)
    assert r.returncode == 2
    assert "no AWS credentials" in r.stderr
