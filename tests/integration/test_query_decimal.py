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


def lake_table(server, database, table, columns, body):
    """Puts `body` under the table's folder in the lake bucket and creates `database`
    and the table; the server may be the one an earlier test used."""
    s3 = s3_client(server.url)
    for bucket in (BUCKET, RESULTS):
        if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
            s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=BUCKET, Key="%s/a.json" % table, Body=body.encode())
    athena = athena_client(server.url)
    sql(athena, "CREATE DATABASE IF NOT EXISTS %s" % database, database="default")
    sql(athena, "CREATE EXTERNAL TABLE %s (%s) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                "STORED AS TEXTFILE LOCATION 's3://%s/%s/'" % (table, columns, BUCKET, table), database=database)
    return athena


def test_decimals_under_names_the_text_does_not_show(server):
    """A SELECT * CTE re-exported under other names, and a derived table's alias without
    AS: typed from the schema, so they compute exactly (on SQLite's own operators the
    decimal BLOBs gave 0 and every row)."""
    athena = lake_table(server, "ledger", "acct", "id int, amount decimal(10,2), fee decimal(5,3)",
                        '{"id":1,"amount":0.1,"fee":0.005}\n{"id":2,"amount":2.5,"fee":1.25}\n'
                        '{"id":3,"amount":-1,"fee":0.1}\n{"id":4,"amount":10,"fee":0}\n')
    q, rows = sql(athena, "WITH c(i, a, f) AS (SELECT * FROM acct) "
                          "SELECT sum(a + f) AS total, count(*) AS n FROM c WHERE a > 1", database="ledger")
    assert rows == [["total", "n"], ["13.750", "2"]]
    info = athena.get_query_results(QueryExecutionId=q["QueryExecutionId"])["ResultSet"]["ResultSetMetadata"]
    assert (info["ColumnInfo"][0]["Type"], info["ColumnInfo"][0]["Scale"]) == ("decimal", 3)
    _, rows = sql(athena, "SELECT i, q - 0.05 AS d FROM (SELECT id i, amount q FROM acct) "
                          "WHERE q BETWEEN 0 AND 3 ORDER BY q DESC", database="ledger")
    assert rows == [["i", "d"], ["2", "2.45"], ["1", "0.05"]]


def test_sqlite_functions_over_decimals_convert_or_fail_as_athena(server):
    """SQLite's own functions and operators never see a decimal's BLOB: they get its
    text or number, or the statement fails with Athena's error and position; window
    sums are exact."""
    athena = lake_table(server, "shop", "till", "id int, amount decimal(10,2), name string",
                        '{"id":1,"amount":0.1,"name":"ann"}\n{"id":2,"amount":2.5,"name":"bo"}\n'
                        '{"id":3,"amount":-1,"name":"cy"}\n')
    _, rows = sql(athena, "SELECT CAST(amount AS varchar) || 'x' AS t, printf('%s', a) AS p, json_array(amount) AS j, "
                          "max(amount, 1) AS g, sum(amount) OVER (ORDER BY id) AS run "
                          "FROM till JOIN (SELECT id i, amount a FROM till) ON i = id ORDER BY id", database="shop")
    assert rows == [["t", "p", "j", "g", "run"], ["0.10x", "0.10", "[0.10]", "1", "0.10"],
                    ["2.50x", "2.50", "[2.50]", "2.50", "2.60"], ["-1.00x", "-1.00", "[-1.00]", "1", "1.60"]]
    for query, reason in [
            ("SELECT amount || 'x' FROM till",
             "line 1:8: FUNCTION_NOT_FOUND: operator || takes no decimal; CAST it to varchar first"),
            ("WITH c(i, a, n) AS (SELECT * FROM till) SELECT length(a) FROM c",
             "line 1:55: FUNCTION_NOT_FOUND: function length takes no decimal; CAST it to varchar first"),
            ("SELECT id FROM till WHERE amount LIKE '1%'",
             "line 1:27: TYPE_MISMATCH: LIKE takes no decimal; CAST it to varchar first")]:
        qid = athena.start_query_execution(
            QueryString=query, QueryExecutionContext={"Database": "shop"},
            ResultConfiguration={"OutputLocation": "s3://%s/q/" % RESULTS})["QueryExecutionId"]
        status = wait(athena, qid)["Status"]
        assert (status["State"], status["StateChangeReason"]) == ("FAILED", reason)
