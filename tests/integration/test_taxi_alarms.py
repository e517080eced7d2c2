"""The taxi pipeline's alarms: alarms.yml turns to ALARM when a consumer function fails
(CloudWatch's own evaluation, one-minute period), and the shard autoscaling of
autoscale/: an alarm on IncomingBytes invokes the autoscale function, which follows a
spike with UpdateShardCount, keeps its cooldown in a stream tag and scales a quiet stream
down; no record is lost or reordered per key across the change."""
import datetime
import io
import json
import os
import time
import zipfile


from test_cloudformation import client
from test_lambda_mappings import unique, wait_for
from test_pipeline_example import EXAMPLE

ROLE = "arn:aws:iam::000000000000:role/consumer"
FAILS = "def lambda_handler(event, context):\n    raise RuntimeError('the lake is gone')\n"


def template(*path):
    with open(os.path.join(EXAMPLE, *path)) as f:
        return f.read()


def create_stack(cfn, name, body, **params):
    cfn.create_stack(StackName=name, TemplateBody=body, Capabilities=["CAPABILITY_IAM"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": str(v)} for k, v in params.items()])
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def test_consumer_errors_alarm_goes_to_alarm_when_the_function_fails(server):
    cfn, lam, cw = client(server, "cloudformation"), client(server, "lambda"), client(server, "cloudwatch")
    project = unique("alarmed")
    create_stack(cfn, "alarms-test", template("alarms.yml"), ProjectName=project, Stage="test")
    names = ["%s-test-write_to_s3-errors" % project, "%s-test-send_to_firehose-errors" % project]
    alarms = {a["AlarmName"]: a for a in cw.describe_alarms(AlarmNames=names)["MetricAlarms"]}
    assert sorted(alarms) == sorted(names)
    a = alarms[names[0]]
    assert (a["Namespace"], a["MetricName"], a["Statistic"], a["Period"], a["Threshold"], a["ComparisonOperator"]) == (
        "AWS/Lambda", "Errors", "Sum", 60, 0.0, "GreaterThanThreshold")
    assert a["Dimensions"] == [{"Name": "FunctionName", "Value": "%s-test-write_to_s3" % project}]

    fn = "%s-test-write_to_s3" % project
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="lambda_function.lambda_handler",
                        Code={"ZipFile": zip_of({"lambda_function.py": FAILS})})
    # The evaluation after a minute ends reads that minute: fail early enough in a minute
    # that the error is stored (folded each second) before it ends.
    wait_for("a minute with time to spare", lambda: time.time() % 60 < 50, timeout=15)
    out = lam.invoke(FunctionName=fn, Payload=b"{}")
    assert out["FunctionError"] == "Unhandled"
    # CloudWatch evaluates a 60 s alarm once per minute, after the minute ended: bounded poll.
    state = wait_for("the alarm in ALARM", lambda: [
        x for x in cw.describe_alarms(AlarmNames=[names[0]])["MetricAlarms"] if x["StateValue"] == "ALARM"], timeout=150)
    assert state[0]["StateReason"].startswith("Threshold Crossed: 1 datapoint [1.0 ("), state[0]["StateReason"]
    # The other consumer did not fail: its alarm is not in ALARM.
    assert cw.describe_alarms(AlarmNames=[names[1]])["MetricAlarms"][0]["StateValue"] != "ALARM"


def read_all(kin, stream):
    """Every record of every shard, parents before children (shard ids grow with resharding)."""
    records = []
    for shard in sorted(kin.list_shards(StreamName=stream)["Shards"], key=lambda s: s["ShardId"]):
        it = kin.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            got = kin.get_records(ShardIterator=it, Limit=10000)
            records += got["Records"]
            if not got["Records"] and got.get("MillisBehindLatest", 0) == 0:
                break
            it = got.get("NextShardIterator")
    return records


def alarm_event(stream):
    return {"source": "aws.cloudwatch", "alarmData": {"alarmName": "x", "state": {"value": "OK"}, "configuration": {
        "metrics": [{"id": "m1", "metricStat": {"metric": {"namespace": "AWS/Kinesis", "name": "IncomingBytes",
                                                           "dimensions": {"StreamName": stream}}}}]}}}


def minutes_sum(cw, namespace, name, dims, minutes=5):
    """The Sum datapoints of the last `minutes` minutes (and the running one)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return cw.get_metric_statistics(
        Namespace=namespace, MetricName=name, Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=now - datetime.timedelta(minutes=minutes), EndTime=now + datetime.timedelta(minutes=1), Period=60,
        Statistics=["Sum"])["Datapoints"]


def alarm(cw, name):
    return cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def executed_actions(cw, name):
    return [h["HistorySummary"] for h in cw.describe_alarm_history(AlarmName=name, HistoryItemType="Action")[
        "AlarmHistoryItems"] if h["HistorySummary"].startswith("Successfully executed action")]


def open_shards(kin, stream):
    s = kin.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    return s["OpenShardCount"] if s["StreamStatus"] == "ACTIVE" else None


def test_autoscaling_follows_a_spike_keeps_order_per_key_and_scales_a_quiet_stream_down(server):
    """Nothing here sets an alarm's state: each scaling is the autoscale function run by
    the IncomingBytes alarm's own evaluation. The spike goes to ALARM at the first
    periodic evaluation after the minute that holds it ends (at most a minute and a
    second after the spike is stored: bounded polls); a new alarm on a quiet stream is
    evaluated when it is created and goes to OK, whose action scales the stream down."""
    cfn, kin, s3, lam, cw = (client(server, s) for s in ("cloudformation", "kinesis", "s3", "lambda", "cloudwatch"))
    project, quiet_project = unique("scaled"), unique("quiet")
    create_stack(cfn, "data-sources-test", template("data-sources.yml"), ProjectName=project, Stage="test")
    bucket = cfn.describe_stacks(StackName="data-sources-test")["Stacks"][0]["Outputs"]
    bucket = [o["OutputValue"] for o in bucket if o["OutputKey"] == "DeploymentBucket"][0]
    s3.put_object(Bucket=bucket, Key="lambda/autoscale.zip",
                  Body=zip_of({"lambda_function.py": template("autoscale", "lambda_function.py")}))
    stream = "%s-test-ingress" % project
    kin.create_stream(StreamName=stream, ShardCount=1)
    kin.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    # 100 bytes/s per shard: the spike below (~12 KB in a minute, 200 B/s) wants 2+ shards.
    scaling = dict(TargetBytesPerShard=100, ThresholdBytesPerMinute=1000, MaxShards=4, CooldownSeconds=3600)
    create_stack(cfn, "autoscale-test", template("autoscale", "autoscale.yml"), ProjectName=project, Stage="test",
                 **scaling)
    fn, alarm_name = "%s-test-autoscale" % project, "%s-test-ingress-incoming-bytes" % project

    # Created, the alarm is evaluated at once: no datapoint, notBreaching, so OK, whose
    # action runs the function on the quiet one-shard stream (it changes nothing). Wait
    # for that run to finish, so that only the spike's ALARM can scale the stream.
    assert wait_for("the alarm in OK", lambda: alarm(cw, alarm_name)["StateValue"] == "OK")
    wait_for("the OK action's run", lambda: sum(
        d["Sum"] for d in minutes_sum(cw, "AWS/Lambda", "Invocations", {"FunctionName": fn})) >= 1, timeout=60)
    assert open_shards(kin, stream) == 1

    keys = ["taxi-%d" % k for k in range(8)]
    sent = 0

    def put(n):
        nonlocal sent
        recs = [{"PartitionKey": keys[i % len(keys)], "Data": json.dumps(
            {"key": keys[i % len(keys)], "i": i, "pad": "x" * 100}).encode()} for i in range(sent, sent + n)]
        assert kin.put_records(StreamName=stream, Records=recs)["FailedRecordCount"] == 0
        sent += n

    put(100)  # the spike
    spike = wait_for("the spike in IncomingBytes",
                     lambda: [d for d in minutes_sum(cw, "AWS/Kinesis", "IncomingBytes", {"StreamName": stream})
                              if d["Sum"] > 1000])

    # Meanwhile, a second autoscale stack on a quiet stream of 4 shards: its alarm's
    # evaluation at creation goes to OK and the OK action halves the stream.
    quiet = "%s-test-ingress" % quiet_project
    kin.create_stream(StreamName=quiet, ShardCount=4)
    kin.get_waiter("stream_exists").wait(StreamName=quiet, WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    create_stack(cfn, "autoscale-quiet", template("autoscale", "autoscale.yml"), ProjectName=quiet_project,
                 Stage="test", **scaling)
    quiet_alarm = "%s-test-ingress-incoming-bytes" % quiet_project
    wait_for("2 shards on the quiet stream", lambda: open_shards(kin, quiet) == 2, timeout=60)
    a = alarm(cw, quiet_alarm)
    assert (a["StateValue"], a["StateReason"]) == ("OK", "Threshold Crossed: no datapoints were received for 1 "
                                                        "period and 1 missing datapoint was treated as [NonBreaching].")
    assert executed_actions(cw, quiet_alarm) == ["Successfully executed action %s" % a["OKActions"][0]]

    # The spike's minute ends; the server's periodic evaluation reads it and goes to ALARM.
    a = wait_for("the alarm in ALARM", lambda: [x for x in [alarm(cw, alarm_name)] if x["StateValue"] == "ALARM"],
                 timeout=150)[0]
    seen = json.loads(a["StateReasonData"])["recentDatapoints"]
    assert len(seen) == 1 and seen[0] in [d["Sum"] for d in spike], (seen, spike)
    assert a["StateReason"].startswith("Threshold Crossed: 1 datapoint [%s (" % seen[0]), a["StateReason"]
    assert a["StateReason"].endswith("was greater than the threshold (1000.0)."), a["StateReason"]
    assert "Successfully executed action %s" % a["AlarmActions"][0] in executed_actions(cw, alarm_name)

    wait_for("2 shards after the spike", lambda: open_shards(kin, stream) == 2, timeout=60)
    put(100)  # traffic after the change lands in the children
    tags = {t["Key"]: t["Value"] for t in kin.list_tags_for_stream(StreamName=stream)["Tags"]}
    assert abs(float(tags["autoscale-last-change"]) - time.time()) < 300

    # Within the cooldown another invocation changes nothing.
    again = json.loads(lam.invoke(FunctionName=fn, Payload=json.dumps(alarm_event(stream)).encode())["Payload"].read())
    assert again == {"stream": stream, "action": "cooldown", "from": 2, "to": 2}

    # Nothing lost, nothing reordered per key across the split.
    got = [json.loads(r["Data"]) for r in read_all(kin, stream)]
    assert sorted(r["i"] for r in got) == list(range(sent))
    for k in keys:
        order = [r["i"] for r in got if r["key"] == k]
        assert order == sorted(order), (k, order)
