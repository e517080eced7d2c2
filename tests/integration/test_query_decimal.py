"""decimal(p,s) through the Athena API of the real binary: values printed with their
scale, exact arithmetic with Presto's result types, Athena's errors, Precision/Scale in
ColumnInfo, the .metadata object in Athena's protobuf layout; a database named with a
keyword used as a qualifier."""
from test_query import BUCKET, RESULTS, athena_client, sql, wait
from test_s3 import s3_client


def test_decimals_and_keyword_database(server):
    s3 = s3_client(server.url)
    s3.create_bucket(Bucket=BUCKET)
    s3.create_bucket(Bucket=RESULTS)
    body = "".join('{"id":%d,"amount":0.1}\n' % i for i in range(10)) + '{"id":10,"amount":"1.10"}\n'
    s3.put_object(Bucket=BUCKET, Key="money/a.json", Body=body.encode())
    athena = athena_client(server.url)
    sql(athena, "CREATE DATABASE `default`", database="default")
    sql(athena, "CREATE EXTERNAL TABLE default.money (id int, amount decimal(10,2)) ROW FORMAT SERDE "
                "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://%s/money/'" % BUCKET,
        database="default")
    q, rows = sql(athena, "SELECT amount FROM default.money WHERE id IN (0, 10) ORDER BY id", database="default")
    assert rows == [["amount"], ["0.10"], ["1.10"]]
    info = athena.get_query_results(QueryExecutionId=q["QueryExecutionId"])["ResultSet"]["ResultSetMetadata"]
    col = info["ColumnInfo"][0]
    assert (col["Type"], col["Precision"], col["Scale"]) == ("decimal", 10, 2)
    # Ten 0.1s: 0.9999999999999999 as doubles; sum(decimal(10,2)) is decimal(38,2).
    _, rows = sql(athena, "SELECT sum(amount) FROM default.money WHERE id < 10", database="default")
    assert rows[1] == ["1.00"]
    q, rows = sql(athena, "SELECT 0.1 + 0.2 AS x, avg(amount) AS a, amount * 3 AS m FROM default.money "
                          "WHERE id IN (0, 10) GROUP BY amount ORDER BY amount", database="default")
    assert rows == [["x", "a", "m"], ["0.3", "0.10", "0.30"], ["0.3", "1.10", "3.30"]]
    info = athena.get_query_results(QueryExecutionId=q["QueryExecutionId"])["ResultSet"]["ResultSetMetadata"]
    assert [(c["Type"], c["Precision"], c["Scale"]) for c in info["ColumnInfo"]] == [
        ("decimal", 2, 1), ("decimal", 10, 2), ("decimal", 20, 2)]
    # The .metadata beside the CSV: Athena's protobuf, one ColumnInfo (field 4) per column.
    meta = s3.get_object(Bucket=RESULTS, Key="q/%s.csv.metadata" % q["QueryExecutionId"])["Body"].read()
    qid = q["QueryExecutionId"].encode()
    assert meta[:2 + len(qid)] == b"\x0a" + bytes([len(qid)]) + qid
    assert meta[2 + len(qid)] == 0x22
    assert b"\x0a\x04hive\x22\x01x\x2a\x01x\x32\x07decimal\x38\x02\x40\x01\x48\x03" in meta
    # Athena's error on overflow, as the execution's StateChangeReason.
    qid = athena.start_query_execution(
        QueryString="SELECT amount * CAST('%s' AS decimal(38,0)) FROM default.money" % ("9" * 38), QueryExecutionContext={"Database": "default"},
        ResultConfiguration={"OutputLocation": "s3://%s/q/" % RESULTS})["QueryExecutionId"]
    status = wait(athena, qid)["Status"]
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"] == "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow"


def test_decimals_under_names_the_text_does_not_show(server):
    """A SELECT * CTE re-exported under other names, and a derived table's alias without
    AS: typed from the schema, so they compute exactly (on SQLite's own operators the
    decimal BLOBs gave 0 and every row)."""
    s3 = s3_client(server.url)
    for bucket in (BUCKET, RESULTS):  # the server may be the one the test above used
        if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
            s3.create_bucket(Bucket=bucket)
    body = ('{"id":1,"amount":0.1,"fee":0.005}\n{"id":2,"amount":2.5,"fee":1.25}\n'
            '{"id":3,"amount":-1,"fee":0.1}\n{"id":4,"amount":10,"fee":0}\n')
    s3.put_object(Bucket=BUCKET, Key="acct/a.json", Body=body.encode())
    athena = athena_client(server.url)
    sql(athena, "CREATE DATABASE ledger", database="default")
    sql(athena, "CREATE EXTERNAL TABLE acct (id int, amount decimal(10,2), fee decimal(5,3)) ROW FORMAT SERDE "
                "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://%s/acct/'" % BUCKET,
        database="ledger")
    q, rows = sql(athena, "WITH c(i, a, f) AS (SELECT * FROM acct) "
                          "SELECT sum(a + f) AS total, count(*) AS n FROM c WHERE a > 1", database="ledger")
    assert rows == [["total", "n"], ["13.750", "2"]]
    info = athena.get_query_results(QueryExecutionId=q["QueryExecutionId"])["ResultSet"]["ResultSetMetadata"]
    assert (info["ColumnInfo"][0]["Type"], info["ColumnInfo"][0]["Scale"]) == ("decimal", 3)
    _, rows = sql(athena, "SELECT i, q - 0.05 AS d FROM (SELECT id i, amount q FROM acct) "
                          "WHERE q BETWEEN 0 AND 3 ORDER BY q DESC", database="ledger")
    assert rows == [["i", "d"], ["2", "2.45"], ["1", "0.05"]]
