"""Athena query executions survive a restart of the real binary (kill -9): finished
ones answer GetQueryExecution, ListQueryExecutions and GetQueryResults as before, and
one that was running comes back FAILED with Athena's internal-error wording."""
import signal
import time

from test_query import REFERENCE_DDL, RESULTS, BUCKET, athena_client, lines, sql, trips, wait
from test_s3 import s3_client

# Runs until stopped: SQLite counts a recursive sequence of 10^12 rows.
ENDLESS = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000000) "
           "SELECT count(*) FROM n")


def start(athena, query):
    return athena.start_query_execution(
        QueryString=query, QueryExecutionContext={"Database": "events"},
        ResultConfiguration={"OutputLocation": "s3://%s/q/" % RESULTS})["QueryExecutionId"]


def test_executions_survive_kill_9(start_sluice):
    first = start_sluice()
    s3 = s3_client(first.url)
    s3.create_bucket(Bucket=BUCKET)
    s3.create_bucket(Bucket=RESULTS)
    s3.put_object(Bucket=BUCKET, Key="context=firehose_delivery/2024/05/01/10/a", Body=lines(trips(30, 1)))
    athena = athena_client(first.url)
    for ddl in REFERENCE_DDL:
        sql(athena, ddl, database="default")
    done, rows = sql(athena, "SELECT call_type, count(*) AS n FROM taxi_trajectories GROUP BY 1 ORDER BY 1")
    failed = wait(athena, start(athena, "SELECT nope FROM taxi_trajectories"))
    assert failed["Status"]["State"] == "FAILED"
    running = start(athena, ENDLESS)
    end = time.monotonic() + 30
    while athena.get_query_execution(QueryExecutionId=running)["QueryExecution"]["Status"]["State"] != "RUNNING":
        assert time.monotonic() < end
        time.sleep(0.02)
    listed = athena.list_query_executions()["QueryExecutionIds"]

    first.stop(signal.SIGKILL)
    second = start_sluice()
    athena = athena_client(second.url)

    assert athena.list_query_executions()["QueryExecutionIds"] == listed
    again = athena.get_query_execution(QueryExecutionId=done["QueryExecutionId"])["QueryExecution"]
    assert again["Status"]["State"] == "SUCCEEDED"
    assert again["ResultConfiguration"] == done["ResultConfiguration"]
    assert again["Statistics"]["DataScannedInBytes"] == done["Statistics"]["DataScannedInBytes"]
    assert again["Status"]["SubmissionDateTime"] == done["Status"]["SubmissionDateTime"]
    got = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=done["QueryExecutionId"]):
        got += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
        assert [c["Name"] for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]] == ["call_type", "n"]
    assert got == rows

    f = athena.get_query_execution(QueryExecutionId=failed["QueryExecutionId"])["QueryExecution"]
    assert f["Status"]["StateChangeReason"] == failed["Status"]["StateChangeReason"]

    r = athena.get_query_execution(QueryExecutionId=running)["QueryExecution"]["Status"]
    assert r["State"] == "FAILED"
    assert r["StateChangeReason"].startswith(
        "[ErrorCode: INTERNAL_ERROR_QUERY_ENGINE] Amazon Athena experienced an internal error")
    assert r["AthenaError"]["ErrorCategory"] == 1
    # A new execution after the restart is listed first, before the remembered ones.
    newer, _ = sql(athena, "SELECT 1")
    assert athena.list_query_executions()["QueryExecutionIds"] == [newer["QueryExecutionId"]] + listed
