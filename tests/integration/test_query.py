"""SQL over the lake against the real binary: the reference's Athena DDL verbatim over
taxi objects put with boto3 S3 (JSON lines, JSON arrays, gzip), checked against what
was put; the Athena API with boto3 and the AWS CLI; `sluice query`."""
import csv
import gzip
import io
import json
import os
import random
import time

import pytest

from conftest import run
from test_s3 import ENV, s3_client
from test_serve import crc32c

BUCKET = "streaming-pipeline-dev-output"
RESULTS = "athena-results"

# The reference's athena/taxi_trajectories.sql, verbatim (database and table).
REFERENCE_DDL = [
    "CREATE DATABASE IF NOT EXISTS events",
    """CREATE EXTERNAL TABLE IF NOT EXISTS events.taxi_trajectories (
  TRIP_ID string,
  CALL_TYPE string,
  ORIGIN_CALL string,
  ORIGIN_STAND string,
  TAXI_ID int,
  TIMESTAMP int,
  DAY_TYPE string,
  MISSING_DATA string,
  POLYLINE string,
  EVENT_ID string
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS TEXTFILE
LOCATION 's3://streaming-pipeline-dev-output/context=firehose_delivery/'""",
]


def athena_client(url):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "athena", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60))


def trips(n, seed):
    """Realistic trips around Porto, as the producer's records (upper-case keys)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        call = rnd.choice("ABC")
        lon, lat = -8.61 + rnd.uniform(-0.05, 0.05), 41.15 + rnd.uniform(-0.03, 0.03)
        poly = [[round(lon + k * 0.0003, 6), round(lat + k * 0.0002, 6)] for k in range(rnd.randint(0, 6))]
        out.append({
            "TRIP_ID": "T%d-%d" % (seed, i),
            "CALL_TYPE": call,
            "ORIGIN_CALL": str(rnd.randint(1000, 99999)) if call == "A" else None,
            "ORIGIN_STAND": str(rnd.randint(1, 63)) if call == "B" else None,
            "TAXI_ID": 20000000 + rnd.randint(1, 450),
            "TIMESTAMP": 1372636800 + rnd.randint(0, 3600 * 24 * 365),
            "DAY_TYPE": "A",
            "MISSING_DATA": rnd.choice(["False", "False", "True"]),
            "POLYLINE": json.dumps(poly, separators=(",", ":")),
            "event_id": "e-%d-%d" % (seed, i),
        })
    return out


def lines(rows):
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


@pytest.fixture(scope="module")
def lake(server):
    """The firehose_delivery layout: YYYY/MM/DD/HH/<name>-1-<ts>-<id>, one object gzip."""
    s3 = s3_client(server.url)
    s3.create_bucket(Bucket=BUCKET)
    s3.create_bucket(Bucket=RESULTS)
    all_rows = []
    for k in range(4):
        rows = trips(50, k)
        all_rows += rows
        key = "context=firehose_delivery/2024/05/0%d/1%d/ingress-1-2024-05-0%d-1%d-00-00-abc%d" % (k + 1, k, k + 1, k, k)
        body = lines(rows)
        if k == 3:
            key += ".gz"
            body = gzip.compress(body)
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    # What Athena skips: a marker and a hidden object.
    s3.put_object(Bucket=BUCKET, Key="context=firehose_delivery/_SUCCESS", Body=b"not json")
    s3.put_object(Bucket=BUCKET, Key="context=firehose_delivery/.tmp-1", Body=b"not json")
    return all_rows


def wait(athena, qid, deadline_s=60):
    end = time.monotonic() + deadline_s
    while True:
        q = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if q["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return q
        assert time.monotonic() < end, q
        time.sleep(0.02)


def sql(athena, query, database="events"):
    qid = athena.start_query_execution(
        QueryString=query, QueryExecutionContext={"Database": database},
        ResultConfiguration={"OutputLocation": "s3://%s/q/" % RESULTS})["QueryExecutionId"]
    q = wait(athena, qid)
    assert q["Status"]["State"] == "SUCCEEDED", q["Status"]
    rows = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
        rows += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
    return q, rows


@pytest.fixture(scope="module")
def athena(server, lake):
    a = athena_client(server.url)
    for ddl in REFERENCE_DDL:
        sql(a, ddl, database="default")
    return a


def test_reference_ddl_counts_and_values(athena, lake):
    q, rows = sql(athena, "SELECT count(*) FROM taxi_trajectories")
    assert rows == [["_col0"], [str(len(lake))]]
    assert q["Statistics"]["DataScannedInBytes"] > 0
    assert q["StatementType"] == "DML"
    _, rows = sql(athena, "SELECT call_type, count(*) AS n, sum(taxi_id) AS s FROM events.taxi_trajectories "
                          "GROUP BY call_type ORDER BY call_type")
    want = {}
    for r in lake:
        n, s = want.get(r["CALL_TYPE"], (0, 0))
        want[r["CALL_TYPE"]] = (n + 1, s + r["TAXI_ID"])
    assert rows[0] == ["call_type", "n", "s"]
    assert rows[1:] == [[k, str(n), str(s)] for k, (n, s) in sorted(want.items())]
    t = lake[57]
    _, rows = sql(athena, "SELECT trip_id, origin_call, \"timestamp\", polyline, event_id, \"$path\" "
                          "FROM taxi_trajectories WHERE trip_id = '%s'" % t["TRIP_ID"])
    assert rows[1][:5] == [t["TRIP_ID"], t["ORIGIN_CALL"], str(t["TIMESTAMP"]), t["POLYLINE"], t["event_id"]]
    assert rows[1][5].startswith("s3://%s/context=firehose_delivery/2024/05/02/11/" % BUCKET)


def test_results_paging_column_info_and_output_files(athena, lake, server):
    qid = athena.start_query_execution(
        QueryString="SELECT trip_id, taxi_id FROM taxi_trajectories ORDER BY trip_id",
        QueryExecutionContext={"Database": "events"},
        ResultConfiguration={"OutputLocation": "s3://%s/paged" % RESULTS})["QueryExecutionId"]
    q = wait(athena, qid)
    assert q["ResultConfiguration"]["OutputLocation"] == "s3://%s/paged/%s.csv" % (RESULTS, qid)
    first = athena.get_query_results(QueryExecutionId=qid, MaxResults=7)
    assert len(first["ResultSet"]["Rows"]) == 7
    assert [c["Name"] for c in first["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]] == ["trip_id", "taxi_id"]
    assert [c["Type"] for c in first["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]] == ["varchar", "integer"]
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in first["ResultSet"]["Rows"]]
    token = first["NextToken"]
    while token:
        page = athena.get_query_results(QueryExecutionId=qid, NextToken=token, MaxResults=50)
        rows += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
        token = page.get("NextToken")
    assert rows[0] == ["trip_id", "taxi_id"]
    assert rows[1:] == sorted([r["TRIP_ID"], str(r["TAXI_ID"])] for r in lake)
    s3 = s3_client(server.url)
    body = s3.get_object(Bucket=RESULTS, Key="paged/%s.csv" % qid)["Body"].read().decode()
    assert list(csv.reader(io.StringIO(body))) == rows
    meta = s3.get_object(Bucket=RESULTS, Key="paged/%s.csv.metadata" % qid)["Body"].read()
    # Athena's protobuf layout (docs/formats/athena-metadata.md): the id, then a ColumnInfo per column.
    top = protobuf_fields(meta)
    assert top[0] == (1, qid.encode())
    assert [f for f, _ in top[1:]] == [4, 4]
    assert dict(protobuf_fields(top[2][1])) == {1: b"hive", 4: b"taxi_id", 5: b"taxi_id", 6: b"integer", 7: 10, 9: 3}
    assert dict(protobuf_fields(top[1][1]))[10] == 1  # varchar: case sensitive


def protobuf_fields(data):
    """(field number, int or bytes) of a protocol-buffers message, in order."""
    out, at = [], 0

    def varint():
        nonlocal at
        v, shift = 0, 0
        while True:
            b = data[at]
            at += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return v
    while at < len(data):
        tag = varint()
        if tag & 7 == 0:
            out.append((tag >> 3, varint()))
        else:
            assert tag & 7 == 2, tag
            n = varint()
            out.append((tag >> 3, data[at:at + n]))
            at += n
    return out


def test_partitions_from_write_to_s3_layout(athena, server):
    s3 = s3_client(server.url)
    days = {"2024-05-01": trips(30, 10), "2024-05-02": trips(20, 11)}
    for day, rows in days.items():
        for part in range(2):
            chunk = rows[part::2]
            key = "context=write_to_s3/date=%s/%s_00_%d.json" % (day, day.replace("-", "_"), part)
            s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(chunk).encode())
    sql(athena, "CREATE EXTERNAL TABLE batches (trip_id string, taxi_id int, polyline string) "
                "PARTITIONED BY (context string, `date` string) "
                "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE "
                "LOCATION 's3://%s/'" % BUCKET)
    _, rows = sql(athena, "MSCK REPAIR TABLE batches")
    assert "batches:context=write_to_s3/date=2024-05-01" in rows[0][0]
    _, rows = sql(athena, "SELECT \"date\", count(*) FROM batches GROUP BY 1 ORDER BY 1")
    assert rows[1:] == [["2024-05-01", "30"], ["2024-05-02", "20"]]
    q_all, _ = sql(athena, "SELECT count(*) FROM batches")
    q_one, rows = sql(athena, "SELECT count(*) FROM batches WHERE \"date\" = '2024-05-02'")
    assert rows[1] == ["20"]
    assert q_one["Statistics"]["DataScannedInBytes"] < q_all["Statistics"]["DataScannedInBytes"]


def test_metadata_actions(athena):
    assert "events" in [d["Name"] for d in athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]]
    assert athena.get_database(CatalogName="AwsDataCatalog", DatabaseName="events")["Database"]["Name"] == "events"
    t = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="events",
                                  TableName="taxi_trajectories")["TableMetadata"]
    assert [c["Name"] for c in t["Columns"]][:3] == ["trip_id", "call_type", "origin_call"]
    assert t["Columns"][4] == {"Name": "taxi_id", "Type": "int"}
    assert t["Parameters"]["location"] == "s3://%s/context=firehose_delivery/" % BUCKET
    names = [x["Name"] for x in athena.list_table_metadata(CatalogName="AwsDataCatalog",
                                                          DatabaseName="events")["TableMetadataList"]]
    assert "taxi_trajectories" in names
    with pytest.raises(athena.exceptions.MetadataException):
        athena.get_database(CatalogName="AwsDataCatalog", DatabaseName="nope")


def test_errors_as_athena_gives_them(athena):
    with pytest.raises(athena.exceptions.InvalidRequestException) as e:
        athena.start_query_execution(QueryString="SELECT 1")
    assert e.value.response["Error"]["Message"].startswith("No output location provided.")
    with pytest.raises(athena.exceptions.InvalidRequestException) as e:
        athena.get_query_execution(QueryExecutionId="nope")
    assert e.value.response["Error"]["Message"] == "QueryExecution nope was not found"
    assert e.value.response["AthenaErrorCode"] == "INVALID_INPUT"
    qid = athena.start_query_execution(
        QueryString="SELECT * FROM taxi_trajectories WHER trip_id = 1",
        QueryExecutionContext={"Database": "events"},
        ResultConfiguration={"OutputLocation": "s3://%s/q/" % RESULTS})["QueryExecutionId"]
    q = wait(athena, qid)
    assert q["Status"]["State"] == "FAILED"
    assert q["Status"]["StateChangeReason"].startswith("line 1:")
    assert q["Status"]["AthenaError"]["ErrorCategory"] == 2
    with pytest.raises(athena.exceptions.InvalidRequestException) as e:
        athena.get_query_results(QueryExecutionId=qid)
    assert "Final query state: FAILED" in e.value.response["Error"]["Message"]
    assert athena.stop_query_execution(QueryExecutionId=qid) is not None
    assert qid in athena.list_query_executions()["QueryExecutionIds"]


def test_aws_cli_start_query_execution(athena, server):
    env = dict(ENV)
    out = run(["/usr/bin/aws", "--endpoint-url", server.url, "athena", "start-query-execution",
               "--query-string", "SELECT count(*) AS n FROM events.taxi_trajectories",
               "--result-configuration", "OutputLocation=s3://%s/cli/" % RESULTS], env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    qid = json.loads(out.stdout)["QueryExecutionId"]
    wait(athena, qid)
    out = run(["/usr/bin/aws", "--endpoint-url", server.url, "athena", "get-query-results",
               "--query-execution-id", qid], env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)["ResultSet"]["Rows"]
    assert got[0]["Data"][0]["VarCharValue"] == "n"
    assert got[1]["Data"][0]["VarCharValue"] == "200"


def test_sluice_query_cli(athena, server, tmp_path):
    script = tmp_path / "q.sql"
    script.write_text("-- two statements; the last one's rows are printed\n"
                      "SHOW TABLES IN events;\n"
                      "SELECT call_type, count(*) AS n FROM events.taxi_trajectories\n"
                      "GROUP BY call_type ORDER BY call_type;\n")
    out = run([os.environ.get("SLUICE_BIN", "build/sluice"), "query", "--endpoint", server.url, "-f", str(script),
               "--format", "csv"], timeout=60)
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["call_type", "n"]
    assert sum(int(r[1]) for r in rows[1:]) == 200
    assert "(3 rows, " in out.stderr and "scanned" in out.stderr
    out = run([os.environ.get("SLUICE_BIN", "build/sluice"), "query", "--endpoint", server.url, "--database", "events",
               "SELECT trip_id, taxi_id FROM taxi_trajectories ORDER BY trip_id LIMIT 2"], timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split("|")[0].strip() == "trip_id" and set(lines[1]) <= set("-+")
    assert len(lines) == 4
    out = run([os.environ.get("SLUICE_BIN", "build/sluice"), "query", "--endpoint", server.url, "--format", "json",
               "SELECT count(*) AS n FROM events.taxi_trajectories"], timeout=60)
    assert json.loads(out.stdout) == [{"n": "200"}]
    out = run([os.environ.get("SLUICE_BIN", "build/sluice"), "query", "--endpoint", server.url,
               "SELECT 1;\nSELECT *\nFROM events.nope"], timeout=60)
    assert out.returncode == 1
    assert "statement 2 FAILED: line 2:6: Table 'awsdatacatalog.events.nope' does not exist" in out.stderr
    assert "  FROM events.nope\n       ^" in out.stderr


def snappy_framed(data):
    import snappy
    crc = crc32c(data)
    masked = (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
    block = snappy.compress(data)
    chunk = masked.to_bytes(4, "little") + block
    return b"\xff\x06\x00\x00sNaPpY" + b"\x00" + len(chunk).to_bytes(3, "little") + chunk


def test_compressed_and_malformed_objects(athena, server):
    import zipfile
    s3 = s3_client(server.url)
    s3.create_bucket(Bucket="lake-mixed")
    rows = trips(12, 20)
    body = lines(rows[:4])
    # Hadoop's framing by extension (what Firehose's HADOOP_SNAPPY writes), and the Snappy
    # framing format by its stream identifier (python3-snappy's own framing needs a crc32c
    # that is broken on Debian 12's Python, so the frame is built here).
    from snappy import hadoop_snappy
    s3.put_object(Bucket="lake-mixed", Key="ok/a.snappy", Body=hadoop_snappy.StreamCompressor().compress(body[:300])
                  + hadoop_snappy.StreamCompressor().compress(body[300:]))
    s3.put_object(Bucket="lake-mixed", Key="ok/d", Body=snappy_framed(lines(trips(3, 21))))
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        f.writestr("inner.json", lines(rows[4:8]))
    s3.put_object(Bucket="lake-mixed", Key="ok/b.zip", Body=z.getvalue())
    s3.put_object(Bucket="lake-mixed", Key="ok/c", Body=gzip.compress(json.dumps(rows[8:]).encode()))
    sql(athena, "CREATE EXTERNAL TABLE mixed (trip_id string, taxi_id int) ROW FORMAT SERDE "
                "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake-mixed/ok/'")
    _, got = sql(athena, "SELECT trip_id, taxi_id FROM mixed ORDER BY trip_id")
    assert got[1:] == sorted([r["TRIP_ID"], str(r["TAXI_ID"])] for r in rows + trips(3, 21))

    s3.put_object(Bucket="lake-mixed", Key="bad/a.json", Body=lines(rows[:2]) + b"{\"TRIP_ID\": nope}\n" + lines(rows[2:3]))
    for name, props in (("strict", ""), ("lenient", "WITH SERDEPROPERTIES ('ignore.malformed.json'='true') ")):
        sql(athena, "CREATE EXTERNAL TABLE %s (trip_id string) ROW FORMAT SERDE "
                    "'org.openx.data.jsonserde.JsonSerDe' %sSTORED AS TEXTFILE LOCATION 's3://lake-mixed/bad/'"
                    % (name, props))
    qid = athena.start_query_execution(
        QueryString="SELECT count(*) FROM strict", QueryExecutionContext={"Database": "events"},
        ResultConfiguration={"OutputLocation": "s3://%s/q/" % RESULTS})["QueryExecutionId"]
    q = wait(athena, qid)
    assert q["Status"]["State"] == "FAILED"
    assert "HIVE_BAD_DATA" in q["Status"]["StateChangeReason"]
    assert "s3://lake-mixed/bad/a.json, line 3" in q["Status"]["StateChangeReason"]
    _, got = sql(athena, "SELECT count(*) FROM lenient")
    assert got[1] == ["3"]
