"""`sluice top --once` after traffic: one frame with the stream's records in and out, the
function's invocations and errors, the event-source mapping's iterator age (by its
UUID), the delivery stream's buffered bytes and the alarm's state, read from the
server's Kinesis, Lambda, CloudWatch and Firehose APIs."""
import time

from conftest import SLUICE_BIN, kinesis_client, run
from test_cloudwatch import cw_client
from test_firehose import extended, firehose_client
from test_lambda import create, invoke, lambda_client
from test_s3 import s3_client

FAILS_ON_ODD = """
def handler(event, context):
    if event["n"] % 2:
        raise ValueError("odd")
    return event["n"]
"""


def frame(url):
    out = run([SLUICE_BIN, "top", "--once", "--endpoint", url], timeout=30)
    assert out.returncode == 0, out.stderr
    assert "\x1b[" not in out.stdout  # --once never clears the screen
    return out.stdout


def row(text, name):
    """The columns of the row that starts with `name`."""
    for line in text.splitlines():
        cols = line.split()
        if cols and cols[0] == name:
            return cols
    return None


def test_once_prints_streams_functions_deliveries_and_alarms_after_traffic(server):
    k = kinesis_client(server.url)
    k.create_stream(StreamName="top-rides", ShardCount=2)
    k.get_waiter("stream_exists").wait(StreamName="top-rides", WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    k.put_records(StreamName="top-rides", Records=[{"PartitionKey": str(i), "Data": b"x" * 10} for i in range(7)])
    for shard in k.list_shards(StreamName="top-rides")["Shards"]:
        it = k.get_shard_iterator(StreamName="top-rides", ShardId=shard["ShardId"],
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        k.get_records(ShardIterator=it)

    lam = lambda_client(server.url)
    fn = create(lam, FAILS_ON_ODD, FunctionName="top-fn")
    for n in range(3):
        invoke(lam, fn, {"n": n})
    # A consumer of the stream: its mapping reports IteratorAge under its UUID.
    consumer = create(lam, "def handler(event, context):\n    return None\n", FunctionName="top-consumer")
    arn = k.describe_stream_summary(StreamName="top-rides")["StreamDescriptionSummary"]["StreamARN"]
    uuid = lam.create_event_source_mapping(FunctionName=consumer, EventSourceArn=arn, BatchSize=100,
                                           StartingPosition="TRIM_HORIZON")["UUID"]

    s3_client(server.url).create_bucket(Bucket="top-lake")
    fh = firehose_client(server.url)
    fh.create_delivery_stream(DeliveryStreamName="top-delivery", ExtendedS3DestinationConfiguration=extended("top-lake"))
    fh.put_record(DeliveryStreamName="top-delivery", Record={"Data": b"0123456789"})

    cw = cw_client(server.url)
    cw.put_metric_alarm(AlarmName="top-errors", Namespace="AWS/Lambda", MetricName="Errors",
                        Dimensions=[{"Name": "FunctionName", "Value": fn}], Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold")
    cw.set_alarm_state(AlarmName="top-errors", StateValue="ALARM", StateReason="set by the test")

    # The metric store folds the registry once a second: poll the frame, bounded.
    deadline = time.time() + 20
    while True:
        text = frame(server.url)
        stream, function, mapping = row(text, "top-rides"), row(text, "top-fn"), row(text, uuid)
        if (stream and stream[5] == "7" and int(stream[6]) >= 7 and function and function[1] == "3"
                and function[2] == "1" and mapping and mapping[3] == "Enabled"
                and mapping[4] != "-") or time.time() > deadline:
            break
        time.sleep(0.1)
    assert text.startswith("sluice top  ")
    # STREAM STATUS SHARDS IN/s OUT/s IN OUT ITER_AGE
    assert stream[:3] == ["top-rides", "ACTIVE", "2"] and stream[5] == "7" and int(stream[6]) >= 7, text
    assert stream[7].endswith("ms")
    # FUNCTION INVOCATIONS ERRORS DURATION
    assert function[1:3] == ["3", "1"] and function[3].endswith("ms") and len(function) == 4, text
    # MAPPING FUNCTION SOURCE STATE ITER_AGE: the mapping's own series, by UUID
    assert mapping[1:4] == ["top-consumer", "top-rides", "Enabled"] and mapping[4].endswith("ms"), text
    # DELIVERY STREAM BUFFERED_BYTES RECORDS OLDEST FRESHNESS LAST_ERROR
    delivery = row(text, "top-delivery")
    assert delivery[1:3] == ["10", "1"] and delivery[3].endswith("s"), text
    assert row(text, "top-errors")[:3] == ["top-errors", "ALARM", "set"], text


def test_an_unreachable_server_is_an_error_not_an_empty_frame():
    out = run([SLUICE_BIN, "top", "--once", "--endpoint", "http://127.0.0.1:9"], timeout=30)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.startswith("sluice top: ")
