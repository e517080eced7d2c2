"""decimal(p,s) through the Athena API of the real binary: values printed with their
scale, exact sums, and Athena's Precision/Scale in ColumnInfo; a database named with a
keyword used as a qualifier."""
from test_query import BUCKET, RESULTS, athena_client, sql
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
    # Ten 0.1s: 0.9999999999999999 as doubles.
    _, rows = sql(athena, "SELECT sum(amount) FROM default.money WHERE id < 10", database="default")
    assert rows[1] == ["1.0"]
