"""CloudWatch against the real binary: boto3 and the AWS CLI (the Query protocol), the
JavaScript SDK v3 (AWS JSON 1.0), current botocore (Smithy RPC v2 CBOR, run in a
separate interpreter when one is installed); metrics answered from the traffic sent,
AWS's errors, alarms, an alarm invoking a real Python function, and
AWS::CloudWatch::Alarm in a stack."""
import datetime
import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import REPO, run
from test_lambda import ROLE, lambda_client, zip_of
from test_s3 import ENV, s3_client

NODE_DIR = os.path.join(REPO, "tests", "node")
NOW = datetime.datetime.now(datetime.timezone.utc)


def cw_client(url):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "cloudwatch", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60))


def aws(server, *args):
    r = run(["/usr/bin/aws", "--endpoint-url", server.url, "cloudwatch", *args, "--output", "json"], env=ENV)
    return r


@pytest.fixture(scope="module")
def cw(server):
    return cw_client(server.url)


_n = [0]


def fresh(prefix="ns"):
    _n[0] += 1
    return "%s-%d-%d" % (prefix, os.getpid(), _n[0])


def error_of(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Message"]


def stats_when_visible(cw, **kw):
    """The store folds PutMetricData once a second: poll (bounded) until it answers."""
    deadline = time.time() + 10
    while True:
        out = cw.get_metric_statistics(**kw)
        if out["Datapoints"] or time.time() > deadline:
            return out
        time.sleep(0.05)


def test_put_and_get_statistics_answer_the_traffic_sent(cw):
    ns = fresh()
    at = NOW - datetime.timedelta(minutes=5)
    dims = [{"Name": "Stream", "Value": "in"}]
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Bytes", "Dimensions": dims, "Value": v, "Unit": "Bytes", "Timestamp": at} for v in (1, 2, 3, 10)
    ] + [{"MetricName": "Bytes", "Dimensions": dims, "Unit": "Bytes", "Timestamp": at,
          "StatisticValues": {"SampleCount": 2, "Sum": 4, "Minimum": 1, "Maximum": 3}},
         {"MetricName": "Bytes", "Dimensions": dims, "Unit": "Bytes", "Timestamp": at,
          "Values": [5, 6], "Counts": [1, 2]}])
    out = stats_when_visible(cw, Namespace=ns, MetricName="Bytes", Dimensions=dims,
                             StartTime=NOW - datetime.timedelta(minutes=30), EndTime=NOW + datetime.timedelta(minutes=1),
                             Period=60, Statistics=["Sum", "SampleCount", "Minimum", "Maximum", "Average"])
    assert out["Label"] == "Bytes"
    [dp] = out["Datapoints"]
    assert dp["Sum"] == 1 + 2 + 3 + 10 + 4 + 5 + 12
    assert dp["SampleCount"] == 4 + 2 + 3
    assert dp["Minimum"] == 1 and dp["Maximum"] == 10
    assert dp["Average"] == pytest.approx(37 / 9)
    assert dp["Unit"] == "Bytes"
    assert dp["Timestamp"] == at.replace(second=0, microsecond=0)
    # Percentiles of raw values (a statistic set carries none).
    cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "Latency", "Values": [float(v) for v in range(1, 101)],
                                                  "Timestamp": at}])
    out = stats_when_visible(cw, Namespace=ns, MetricName="Latency", StartTime=NOW - datetime.timedelta(minutes=30),
                             EndTime=NOW, Period=300, ExtendedStatistics=["p50", "p99"])
    [dp] = out["Datapoints"]
    assert dp["ExtendedStatistics"]["p50"] == pytest.approx(50, rel=0.03)
    assert dp["ExtendedStatistics"]["p99"] == pytest.approx(99, rel=0.03)


def test_put_metric_data_errors_are_aws_errors_and_change_nothing(cw):
    from botocore.exceptions import ClientError, ParamValidationError
    ns = fresh()
    cases = [
        (dict(Namespace="AWS/Kinesis", MetricData=[{"MetricName": "a", "Value": 1}]),
         "InvalidParameterValue", "The value AWS/Kinesis for parameter Namespace is invalid."),
        (dict(Namespace=ns, MetricData=[{"MetricName": "a", "Value": 1, "Timestamp": NOW - datetime.timedelta(days=15)}]),
         "InvalidParameterValue", "The parameter MetricData.member.1.Timestamp must specify a time no more than two "
                                  "weeks in the past and no more than two hours in the future."),
        (dict(Namespace=ns, MetricData=[{"MetricName": "a", "Value": 1,
                                         "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}]),
         "InvalidParameterCombination", "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues "
                                        "are mutually exclusive and you have specified both."),
        (dict(Namespace=ns, MetricData=[{"MetricName": "a", "Value": 1}] * 1001),
         "InvalidParameterValue", "The collection MetricData must not have a size greater than 1000."),
        (dict(Namespace=ns, MetricData=[{"MetricName": "a", "Value": 1,
                                         "Dimensions": [{"Name": "d%d" % i, "Value": "v"} for i in range(31)]}]),
         "InvalidParameterValue", "The collection MetricData.member.1.Dimensions must not have a size greater than 30."),
    ]
    for kw, code, message in cases:
        with pytest.raises(ClientError) as e:
            cw.put_metric_data(**kw)
        assert error_of(e) == (code, 400, message)
    assert cw.list_metrics(Namespace=ns)["Metrics"] == []


def test_list_metrics_filters_and_pages(cw):
    ns = fresh()
    for chunk in range(2):
        cw.put_metric_data(Namespace=ns, MetricData=[
            {"MetricName": "m%04d" % (chunk * 300 + i), "Value": 1, "Dimensions": [{"Name": "Shard", "Value": str(i % 2)}]}
            for i in range(300)])
    deadline = time.time() + 10
    names = []
    while time.time() < deadline:
        names = [m["MetricName"] for page in cw.get_paginator("list_metrics").paginate(Namespace=ns)
                 for m in page["Metrics"]]
        if len(names) == 600:
            break
        time.sleep(0.05)
    assert names == sorted("m%04d" % i for i in range(600))
    first = cw.list_metrics(Namespace=ns)
    assert len(first["Metrics"]) == 500 and "NextToken" in first
    odd = cw.list_metrics(Namespace=ns, Dimensions=[{"Name": "Shard", "Value": "1"}])["Metrics"]
    assert len(odd) == 300 and all(m["Dimensions"] == [{"Name": "Shard", "Value": "1"}] for m in odd)


def test_get_metric_data_with_math_fill_and_paging(cw):
    ns = fresh()
    base = (NOW - datetime.timedelta(minutes=10)).replace(second=0, microsecond=0)
    data = []
    for minute, (a, b) in enumerate([(1, 10), (2, None), (3, 30)]):
        t = base + datetime.timedelta(minutes=minute)
        data.append({"MetricName": "A", "Value": a, "Timestamp": t})
        if b is not None:
            data.append({"MetricName": "B", "Value": b, "Timestamp": t})
    cw.put_metric_data(Namespace=ns, MetricData=data)
    stats_when_visible(cw, Namespace=ns, MetricName="A", StartTime=base, EndTime=NOW, Period=60, Statistics=["Sum"])

    def query(expr, **kw):
        return cw.get_metric_data(MetricDataQueries=[
            {"Id": "a", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "A"}, "Period": 60, "Stat": "Sum"},
             "ReturnData": False},
            {"Id": "b", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "B"}, "Period": 60, "Stat": "Sum"},
             "ReturnData": False},
            {"Id": "e", "Expression": expr, "Label": "out"}],
            StartTime=base, EndTime=base + datetime.timedelta(minutes=3), **kw)

    r = query("a + b * 2", ScanBy="TimestampAscending")["MetricDataResults"]
    assert [(x["Id"], x["Label"], x["Values"], x["StatusCode"]) for x in r] == [("e", "out", [21.0, 63.0], "Complete")]
    assert query("SUM(METRICS())", ScanBy="TimestampAscending")["MetricDataResults"][0]["Values"] == [11.0, 2.0, 33.0]
    assert query("FILL(b, 0) + a", ScanBy="TimestampAscending")["MetricDataResults"][0]["Values"] == [11.0, 2.0, 33.0]
    assert query("FILL(b, LINEAR)", ScanBy="TimestampAscending")["MetricDataResults"][0]["Values"] == [10.0, 20.0, 30.0]
    assert query("MAX([a, b])")["MetricDataResults"][0]["Values"] == [30.0, 2.0, 10.0]  # descending by default
    r = query("METRICS() * 10", ScanBy="TimestampAscending")["MetricDataResults"]
    assert [(x["Id"], x["Label"], x["Values"]) for x in r] == [("e", "out A", [10.0, 20.0, 30.0]),
                                                               ("e", "out B", [100.0, 300.0])]
    page = query("AVG(METRICS())", MaxDatapoints=2, ScanBy="TimestampAscending")
    assert page["MetricDataResults"][0]["Values"] == [5.5, 2.0]
    assert page["MetricDataResults"][0]["StatusCode"] == "PartialData"
    rest = query("AVG(METRICS())", MaxDatapoints=2, ScanBy="TimestampAscending", NextToken=page["NextToken"])
    assert rest["MetricDataResults"][0]["Values"] == [16.5] and "NextToken" not in rest
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError) as e:
        query("a +")
    assert error_of(e)[:2] == ("InvalidParameterValue", 400)


def test_alarm_lifecycle_with_boto3(cw):
    from botocore.exceptions import ClientError
    ns, name = fresh(), fresh("alarm")
    dims = [{"Name": "FunctionName", "Value": "f"}]
    cw.put_metric_alarm(AlarmName=name, Namespace=ns, MetricName="Errors", Dimensions=dims, Statistic="Sum",
                        Period=60, EvaluationPeriods=3, DatapointsToAlarm=2, Threshold=0,
                        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
                        AlarmActions=["arn:aws:sns:us-east-1:000000000000:ops"], AlarmDescription="errors")
    [a] = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    assert a["AlarmArn"] == "arn:aws:cloudwatch:us-east-1:000000000000:alarm:" + name
    assert (a["Statistic"], a["Period"], a["EvaluationPeriods"], a["DatapointsToAlarm"]) == ("Sum", 60, 3, 2)
    assert a["StateValue"] == "OK"  # no data, notBreaching
    assert "treated as [NonBreaching]" in a["StateReason"]
    assert json.loads(a["StateReasonData"])["statistic"] == "Sum"
    assert [x["AlarmName"] for x in cw.describe_alarms_for_metric(
        Namespace=ns, MetricName="Errors", Dimensions=dims)["MetricAlarms"]] == [name]
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="drill", StateReasonData='{"x": 1}')
    assert cw.describe_alarms(AlarmNames=[name], StateValue="ALARM")["MetricAlarms"][0]["StateReason"] == "drill"
    history = cw.describe_alarm_history(AlarmName=name)["AlarmHistoryItems"]
    assert [h["HistoryItemType"] for h in history] == ["Action", "StateUpdate", "StateUpdate", "ConfigurationUpdate"]
    assert history[0]["HistorySummary"].startswith("Recorded action arn:aws:sns:us-east-1:000000000000:ops")
    assert history[1]["HistorySummary"] == "Alarm updated from OK to ALARM"
    cw.disable_alarm_actions(AlarmNames=[name])
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["ActionsEnabled"] is False
    cw.enable_alarm_actions(AlarmNames=[name])
    for kw, code, status in [
        (dict(AlarmName="x", Namespace=ns, MetricName="E", Statistic="Sum", Period=45, EvaluationPeriods=1,
              Threshold=1, ComparisonOperator="GreaterThanThreshold"), "InvalidParameterValue", 400),
        (dict(AlarmName="x", Namespace=ns, MetricName="E", Statistic="Sum", ExtendedStatistic="p90", Period=60,
              EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold"),
         "InvalidParameterCombination", 400),
    ]:
        with pytest.raises(ClientError) as e:
            cw.put_metric_alarm(**kw)
        assert error_of(e)[:2] == (code, status)
    with pytest.raises(ClientError) as e:
        cw.set_alarm_state(AlarmName="missing-" + name, StateValue="OK", StateReason="x")
    assert error_of(e)[:2] == ("ResourceNotFound", 404)
    with pytest.raises(ClientError) as e:
        cw.delete_alarms(AlarmNames=[name, "missing-" + name])
    assert error_of(e)[:2] == ("ResourceNotFound", 404)
    cw.delete_alarms(AlarmNames=[name])
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"] == []


def test_aws_cli_commands(server):
    ns, name = fresh(), fresh("cli-alarm")
    at = (NOW - datetime.timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = aws(server, "put-metric-data", "--namespace", ns, "--metric-name", "Latency", "--value", "42",
            "--unit", "Milliseconds", "--timestamp", at)
    assert r.returncode == 0, r.stderr
    deadline, dps = time.time() + 10, []
    while not dps and time.time() < deadline:
        r = aws(server, "get-metric-statistics", "--namespace", ns, "--metric-name", "Latency",
                "--start-time", (NOW - datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "--end-time", (NOW + datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "--period", "300", "--statistics", "Maximum")
        assert r.returncode == 0, r.stderr
        dps = json.loads(r.stdout)["Datapoints"]
    assert [(d["Maximum"], d["Unit"]) for d in dps] == [(42.0, "Milliseconds")]
    r = aws(server, "put-metric-alarm", "--alarm-name", name, "--namespace", ns, "--metric-name", "Latency",
            "--statistic", "Maximum", "--period", "60", "--evaluation-periods", "5", "--threshold", "40",
            "--comparison-operator", "GreaterThanOrEqualToThreshold")
    assert r.returncode == 0, r.stderr
    r = aws(server, "describe-alarms", "--alarm-names", name)
    assert r.returncode == 0, r.stderr
    [a] = json.loads(r.stdout)["MetricAlarms"]
    assert (a["StateValue"], a["Threshold"], a["ComparisonOperator"]) == ("ALARM", 40.0, "GreaterThanOrEqualToThreshold")
    assert a["StateReason"].startswith("Threshold Crossed: 1 datapoint [42.0 (")
    r = aws(server, "delete-alarms", "--alarm-names", "nope-" + name)
    assert r.returncode == 254 and "ResourceNotFound" in r.stderr


@pytest.mark.parametrize("protocol,content_type", [
    ("json", "application/x-amz-json-1.0"), ("cbor", "application/cbor"),
    ("query", "application/x-www-form-urlencoded")])
def test_js_sdk_v3_in_each_of_its_protocols(server, protocol, content_type):
    """The JS SDK's CloudWatch client speaks JSON 1.0 by default and, with its `protocol`
    option, RPC v2 CBOR (what current botocore sends) or Query."""
    if shutil.which("node") is None or not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@aws-sdk",
                                                                      "client-cloudwatch")):
        r = run(["npm", "ci", "--prefix", NODE_DIR, "--no-progress"], timeout=300)
        assert r.returncode == 0, r.stderr
    r = run(["node", os.path.join(NODE_DIR, "cloudwatch_sdk_check.mjs"), server.url, protocol], timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert [t.split(";")[0] for t in out["sent"]] == [content_type]
    assert (out["sum"], out["count"], out["timestampIsDate"]) == (8, 2, True)
    assert out["expression"] == [["e", "doubled", [16]]]
    assert out["metrics"] == 1
    # Its one datapoint is older than EvaluationPeriods but inside the evaluation range.
    assert out["alarm"] == [[True, "OK", 100]]
    assert (out["notFound"], out["notFoundStatus"]) == ("ResourceNotFound", 404)
    assert (out["invalid"], out["invalidCode"]) == ("InvalidParameterValueException", "InvalidParameterValue")


CBOR_CHECK = r"""
import datetime, json, sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
url, ns = sys.argv[1], sys.argv[2]
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                  aws_secret_access_key="secret", config=Config(retries={"total_max_attempts": 1}))
assert cw.meta.service_model.protocol == "smithy-rpc-v2-cbor", cw.meta.service_model.protocol
now = datetime.datetime.now(datetime.timezone.utc)
cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "M", "Value": 7, "Timestamp": now - datetime.timedelta(minutes=2)}])
import time
deadline, dps = time.time() + 10, []
while not dps and time.time() < deadline:
    dps = cw.get_metric_statistics(Namespace=ns, MetricName="M", StartTime=now - datetime.timedelta(minutes=10),
                                   EndTime=now + datetime.timedelta(minutes=1), Period=60, Statistics=["Sum"])["Datapoints"]
out = {"sum": dps[0]["Sum"], "ts": isinstance(dps[0]["Timestamp"], datetime.datetime)}
try:
    cw.put_metric_data(Namespace="AWS/X", MetricData=[{"MetricName": "M", "Value": 1}])
except ClientError as e:
    out["error"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
"""


def cbor_python():
    """An interpreter whose botocore sends CloudWatch as Smithy RPC v2 CBOR, if any."""
    for candidate in ("python3", "python3.13", "python3.12", "python3.11"):
        path = shutil.which(candidate)
        if not path or os.path.realpath(path) == os.path.realpath("/usr/bin/python3"):
            continue
        probe = subprocess.run([path, "-c", "import botocore.session as s; "
                                "print(s.get_session().get_service_model('cloudwatch').protocol)"],
                               capture_output=True, text=True, timeout=60)
        if probe.stdout.strip() == "smithy-rpc-v2-cbor":
            return path
    return None


def test_current_botocore_speaks_rpc_v2_cbor(server):
    python = cbor_python()
    if python is None:
        pytest.skip("no botocore that sends CloudWatch as Smithy RPC v2 CBOR is installed")
    r = run([python, "-c", CBOR_CHECK, server.url, fresh()], timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out == {"sum": 7.0, "ts": True, "error": ["InvalidParameterValue", 400]}


ALARM_FUNCTION = """
import json, boto3
def handler(event, context):
    boto3.client("s3").put_object(Bucket=event["alarmData"]["alarmName"], Key="event-%s.json" % event["alarmData"]["state"]["value"],
                                  Body=json.dumps(event).encode())
"""


def wait_for_object(s3, bucket, key):
    deadline = time.time() + 60
    while time.time() < deadline:  # the Event invocation runs in the background
        if any(o["Key"] == key for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])):
            return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        time.sleep(0.05)
    raise AssertionError("the alarm's function did not write %s/%s" % (bucket, key))


def test_alarm_invokes_a_python_function_end_to_end(cw, server):
    lam, s3 = lambda_client(server.url), s3_client(server.url)
    name = fresh("alarm-e2e")  # also the bucket the function writes to
    s3.create_bucket(Bucket=name)
    fn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                             Code={"ZipFile": zip_of({"app.py": ALARM_FUNCTION})})["FunctionArn"]
    ns = fresh()
    # A datapoint in the minute that has just ended: the new alarm evaluates it at once.
    cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "Errors", "Value": 3,
                                                  "Timestamp": datetime.datetime.now(datetime.timezone.utc)
                                                  - datetime.timedelta(seconds=60)}])
    now = datetime.datetime.now(datetime.timezone.utc)
    stats_when_visible(cw, Namespace=ns, MetricName="Errors", StartTime=now - datetime.timedelta(minutes=5),
                       EndTime=now, Period=60, Statistics=["Sum"])
    cw.put_metric_alarm(AlarmName=name, Namespace=ns, MetricName="Errors", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold",
                        AlarmActions=[fn], OKActions=[fn], AlarmDescription="function errors")
    event = wait_for_object(s3, name, "event-ALARM.json")
    assert event["source"] == "aws.cloudwatch"
    assert event["alarmArn"] == "arn:aws:cloudwatch:us-east-1:000000000000:alarm:" + name
    data = event["alarmData"]
    assert data["state"]["value"] == "ALARM"
    assert data["state"]["reason"].startswith("Threshold Crossed: 1 datapoint [3.0 (")
    assert data["previousState"]["value"] == "INSUFFICIENT_DATA"
    assert data["configuration"]["description"] == "function errors"
    stat = data["configuration"]["metrics"][0]["metricStat"]
    assert (stat["metric"]["namespace"], stat["metric"]["name"], stat["period"], stat["stat"]) == (ns, "Errors", 60, "Sum")
    # SetAlarmState runs the OK actions as a transition does.
    cw.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="resolved by hand")
    event = wait_for_object(s3, name, "event-OK.json")
    assert event["alarmData"]["state"]["reason"] == "resolved by hand"
    assert event["alarmData"]["previousState"]["value"] == "ALARM"
    actions = cw.describe_alarm_history(AlarmName=name, HistoryItemType="Action")["AlarmHistoryItems"]
    assert [h["HistorySummary"] for h in actions] == ["Successfully executed action " + fn] * 2


ALARM_TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Namespace:
    Type: String
Resources:
  ErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: consumer errors
      Namespace: !Ref Namespace
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: consumer
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching
  RateAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: !Sub "${AWS::StackName}-rate"
      EvaluationPeriods: 2
      Threshold: 10
      ComparisonOperator: GreaterThanOrEqualToThreshold
      Metrics:
        - Id: e
          Expression: "100 * errors / invocations"
          Label: error rate
        - Id: errors
          ReturnData: false
          MetricStat:
            Metric: {Namespace: !Ref Namespace, MetricName: Errors}
            Period: 60
            Stat: Sum
        - Id: invocations
          ReturnData: false
          MetricStat:
            Metric: {Namespace: !Ref Namespace, MetricName: Invocations}
            Period: 60
            Stat: Sum
Outputs:
  AlarmName:
    Value: !Ref ErrorsAlarm
  AlarmArn:
    Value: !GetAtt ErrorsAlarm.Arn
"""


def test_cloudformation_alarm_resources(cw, server):
    import boto3
    from botocore.config import Config
    cfn = boto3.client("cloudformation", endpoint_url=server.url, region_name="us-east-1",
                       aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                       config=Config(retries={"total_max_attempts": 1}))
    stack, ns = fresh("alarms"), fresh()
    cfn.create_stack(StackName=stack, TemplateBody=ALARM_TEMPLATE,
                     Parameters=[{"ParameterKey": "Namespace", "ParameterValue": ns}])
    cfn.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}
    assert outputs["AlarmName"].startswith(stack + "-ErrorsAlarm-")
    assert outputs["AlarmArn"] == "arn:aws:cloudwatch:us-east-1:000000000000:alarm:" + outputs["AlarmName"]
    [a] = cw.describe_alarms(AlarmNames=[outputs["AlarmName"]])["MetricAlarms"]
    assert (a["Namespace"], a["Dimensions"], a["TreatMissingData"]) == (
        ns, [{"Name": "FunctionName", "Value": "consumer"}], "notBreaching")
    [rate] = cw.describe_alarms(AlarmNames=[stack + "-rate"])["MetricAlarms"]
    assert [m["Id"] for m in rate["Metrics"]] == ["e", "errors", "invocations"]
    # An update in place keeps the alarm (and its name) and changes its threshold.
    cfn.update_stack(StackName=stack, TemplateBody=ALARM_TEMPLATE.replace("Threshold: 0", "Threshold: 5"),
                     Parameters=[{"ParameterKey": "Namespace", "ParameterValue": ns}])
    cfn.get_waiter("stack_update_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    assert cw.describe_alarms(AlarmNames=[outputs["AlarmName"]])["MetricAlarms"][0]["Threshold"] == 5.0
    cfn.delete_stack(StackName=stack)
    cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    assert cw.describe_alarms(AlarmNamePrefix=stack)["MetricAlarms"] == []


def test_background_evaluation_moves_a_high_resolution_alarm(cw):
    ns, name = fresh(), fresh("hires")
    cw.put_metric_alarm(AlarmName=name, Namespace=ns, MetricName="Depth", Statistic="Maximum", Period=10,
                        EvaluationPeriods=1, Threshold=5, ComparisonOperator="GreaterThanThreshold")
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"] == "INSUFFICIENT_DATA"
    # One high-resolution datapoint a second for the next 30 s (timestamps up to two hours
    # ahead are accepted): the evaluation thread sees them as each 10 s period ends.
    start = datetime.datetime.now(datetime.timezone.utc)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Depth", "Value": 9, "StorageResolution": 1, "Timestamp": start + datetime.timedelta(seconds=s)}
        for s in range(30)])
    deadline = time.time() + 40
    state = None
    while time.time() < deadline:
        [a] = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        state = a["StateValue"]
        if state == "ALARM":
            break
        time.sleep(0.1)
    assert state == "ALARM"
    assert a["StateReason"].startswith("Threshold Crossed: 1 datapoint [9.0 (")
    assert json.loads(a["StateReasonData"])["period"] == 10


def test_describe_alarms_pages(cw):
    prefix = fresh("page")
    for i in range(3):
        cw.put_metric_alarm(AlarmName="%s-%d" % (prefix, i), Namespace=prefix, MetricName="M", Statistic="Sum",
                            Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    first = cw.describe_alarms(AlarmNamePrefix=prefix, MaxRecords=2)
    assert [a["AlarmName"] for a in first["MetricAlarms"]] == [prefix + "-0", prefix + "-1"]
    rest = cw.describe_alarms(AlarmNamePrefix=prefix, MaxRecords=2, NextToken=first["NextToken"])
    assert [a["AlarmName"] for a in rest["MetricAlarms"]] == [prefix + "-2"] and "NextToken" not in rest
    cw.delete_alarms(AlarmNames=["%s-%d" % (prefix, i) for i in range(3)])


def test_alarms_and_history_survive_a_restart(start_sluice, data_dir):
    first = start_sluice()
    cw = cw_client(first.url)
    cw.put_metric_alarm(AlarmName="durable", Namespace="App", MetricName="M", Statistic="Sum", Period=60,
                        EvaluationPeriods=2, Threshold=1, ComparisonOperator="GreaterThanThreshold",
                        TreatMissingData="breaching", AlarmActions=["arn:aws:sns:us-east-1:000000000000:t"])
    before = cw.describe_alarms(AlarmNames=["durable"])["MetricAlarms"][0]
    assert before["StateValue"] == "ALARM"
    code, err = first.stop()
    assert code == 0, err
    second = start_sluice()
    cw = cw_client(second.url)
    [after] = cw.describe_alarms(AlarmNames=["durable"])["MetricAlarms"]
    for key in ("AlarmArn", "StateValue", "StateReason", "TreatMissingData", "AlarmActions", "EvaluationPeriods"):
        assert after[key] == before[key], key
    history = cw.describe_alarm_history(AlarmName="durable")["AlarmHistoryItems"]
    assert [h["HistoryItemType"] for h in history] == ["Action", "StateUpdate", "ConfigurationUpdate"]


def test_kinesis_traffic_is_answered_by_get_metric_statistics_and_list_metrics(cw, server):
    from conftest import kinesis_client
    kinesis = kinesis_client(server.url)
    stream = fresh("cw-stream")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    records = [{"Data": b"x" * (10 + i), "PartitionKey": "k%d" % i} for i in range(25)]
    assert kinesis.put_records(StreamName=stream, Records=records)["FailedRecordCount"] == 0
    dims = [{"Name": "StreamName", "Value": stream}]
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    deadline, total = time.time() + 15, 0
    while time.time() < deadline:  # counters are folded into datapoints once a second
        out = cw.get_metric_statistics(Namespace="AWS/Kinesis", MetricName="IncomingRecords", Dimensions=dims,
                                       StartTime=start, EndTime=start + datetime.timedelta(minutes=10),
                                       Period=60, Statistics=["Sum"])
        total = sum(d["Sum"] for d in out["Datapoints"])
        if total >= 25:
            break
        time.sleep(0.1)
    assert total == 25
    out = cw.get_metric_statistics(Namespace="AWS/Kinesis", MetricName="IncomingBytes", Dimensions=dims,
                                   StartTime=start, EndTime=start + datetime.timedelta(minutes=10),
                                   Period=60, Statistics=["Sum"])
    # A record's size, as Kinesis counts it: data and partition key.
    assert sum(d["Sum"] for d in out["Datapoints"]) == sum(len(r["Data"]) + len(r["PartitionKey"]) for r in records)
    names = {m["MetricName"] for m in cw.list_metrics(Namespace="AWS/Kinesis", Dimensions=dims)["Metrics"]}
    assert {"IncomingRecords", "IncomingBytes"} <= names


def raw_cloudwatch(server, path, headers, body):
    """A signed request no SDK sends (unknown actions, missing headers, broken bodies)."""
    import hashlib
    import http.client
    from sigv4_sign import Signer
    h = Signer("AKIDEXAMPLE", "secret", "monitoring").headers(
        "POST", path, "%s:%d" % (server.host, server.port), hashlib.sha256(body).hexdigest(), headers)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def test_requests_sdks_do_not_send_get_cloudwatchs_errors(server):
    status, headers, body = raw_cloudwatch(server, "/", {"content-type": "application/x-amz-json-1.0",
                                                         "x-amz-target": "GraniteServiceVersion20100801.PutDashboard"},
                                           b"{}")
    assert status == 400 and headers["x-amzn-query-error"] == "InvalidAction;Sender"
    assert json.loads(body)["__type"] == "UnknownOperationException"
    status, headers, body = raw_cloudwatch(server, "/", {"content-type": "application/x-amz-json-1.0",
                                                         "x-amz-target": "GraniteServiceVersion20100801.ListMetrics"},
                                           b"{not json")
    assert status == 400 and headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    status, headers, body = raw_cloudwatch(
        server, "/", {"content-type": "application/x-amz-json-1.0",
                      "x-amz-target": "GraniteServiceVersion20100801.PutMetricData"}, b'{"MetricData": []}')
    assert status == 400 and json.loads(body) == {
        "__type": "com.amazonaws.cloudwatch#MissingRequiredParameterException",
        "message": "The parameter Namespace is required."}
    assert headers["x-amzn-query-error"] == "MissingParameter;Sender"
    # RPC v2 CBOR without its smithy-protocol header, and a body that is not CBOR.
    path = "/service/GraniteServiceVersion20100801/operation/ListMetrics"
    status, headers, _ = raw_cloudwatch(server, path, {"content-type": "application/cbor"}, b"\xa0")
    assert status == 400 and headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    status, headers, body = raw_cloudwatch(server, path, {"content-type": "application/cbor",
                                                          "smithy-protocol": "rpc-v2-cbor"}, b"\xa0")
    # {"Metrics": [...]} and, past 500 metrics, NextToken.
    assert status == 200 and headers["smithy-protocol"] == "rpc-v2-cbor" and body[:1] in (b"\xa1", b"\xa2")
    status, headers, _ = raw_cloudwatch(server, path, {"content-type": "application/cbor",
                                                       "smithy-protocol": "rpc-v2-cbor"}, b"\xff\xff")
    assert status == 400 and headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    # Query: an action sluice does not serve, and a wrong version.
    status, _, body = raw_cloudwatch(server, "/", {"content-type": "application/x-www-form-urlencoded"},
                                     b"Action=PutDashboard&Version=2010-08-01")
    assert status == 400 and b"<Code>InvalidAction</Code>" in body
    status, _, body = raw_cloudwatch(server, "/", {"content-type": "application/x-www-form-urlencoded"},
                                     b"Action=ListMetrics&Version=2009-01-01")
    assert status == 400 and b"<Code>InvalidParameterValue</Code>" in body


def put_metric_data_body(ns, datums, dims=30, wire="json", size=1_000_000):
    """A PutMetricData of `datums` datums of `dims` dimensions each, the dimension values
    padded so that the body comes close to `size` bytes; all datums are one series."""
    import cbor2

    def body(pad):
        data = [{"MetricName": "Wide", "Value": 1.0, "Unit": "Count",
                 "Dimensions": [{"Name": "d%02d" % k, "Value": "v" * pad} for k in range(dims)]}
                for _ in range(datums)]
        doc = {"Namespace": ns, "MetricData": data}
        return json.dumps(doc, separators=(",", ":")).encode() if wire == "json" else cbor2.dumps(doc)

    base = len(body(1))
    pad = max(1, 1 + (size - base) // (len(body(2)) - base))  # the size grows by a step per pad character
    while pad > 1 and len(body(pad)) > size:
        pad -= 1
    return body(pad)


def put_metric_data_raw(server, wire, body):
    if wire == "json":
        return raw_cloudwatch(server, "/", {"content-type": "application/x-amz-json-1.0",
                                            "x-amz-target": "GraniteServiceVersion20100801.PutMetricData",
                                            "x-amzn-query-mode": "true"}, body)
    return raw_cloudwatch(server, "/service/GraniteServiceVersion20100801/operation/PutMetricData",
                          {"content-type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}, body)


@pytest.mark.parametrize("wire", ["json", "cbor"])
def test_put_metric_data_at_aws_maxima_parses_and_past_them_gets_aws_errors(cw, server, wire):
    """1,000 datums of 30 dimensions in a body of about 1 MB, as AWS accepts them over AWS
    JSON 1.0 and RPC v2 CBOR: far more values than awsproto's default parse cap."""
    import cbor2
    ns = fresh("wide")
    body = put_metric_data_body(ns, 1000, wire=wire)
    assert 900_000 < len(body) <= 1_000_000
    status, headers, answer = put_metric_data_raw(server, wire, body)
    assert status == 200, answer
    dims = [{"Name": "d%02d" % k, "Value": json.loads(body)["MetricData"][0]["Dimensions"][k]["Value"]}
            for k in range(30)] if wire == "json" else [
        {"Name": "d%02d" % k, "Value": cbor2.loads(body)["MetricData"][0]["Dimensions"][k]["Value"]} for k in range(30)]
    out = stats_when_visible(cw, Namespace=ns, MetricName="Wide", Dimensions=dims,
                             StartTime=NOW - datetime.timedelta(minutes=10),
                             EndTime=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=2),
                             Period=60, Statistics=["Sum", "SampleCount"])
    assert sum(d["Sum"] for d in out["Datapoints"]) == 1000.0
    assert sum(d["SampleCount"] for d in out["Datapoints"]) == 1000.0

    def error(status, headers, answer):
        doc = json.loads(answer) if wire == "json" else cbor2.loads(answer)
        return status, headers["x-amzn-query-error"], doc["__type"], doc["message"]

    # One datum too many, and one dimension too many: CloudWatch's own errors.
    too_many = put_metric_data_body(ns, 1001, size=1_040_000, wire=wire)
    assert error(*put_metric_data_raw(server, wire, too_many)) == (
        400, "InvalidParameterValue;Sender", "com.amazonaws.cloudwatch#InvalidParameterValueException",
        "The collection MetricData must not have a size greater than 1000.")
    too_wide = put_metric_data_body(ns, 10, dims=31, size=10_000, wire=wire)
    assert error(*put_metric_data_raw(server, wire, too_wide)) == (
        400, "InvalidParameterValue;Sender", "com.amazonaws.cloudwatch#InvalidParameterValueException",
        "The collection MetricData.member.1.Dimensions must not have a size greater than 30.")


def query_form(**params):
    import urllib.parse
    return urllib.parse.urlencode(params).encode()


def test_put_metric_data_over_query_takes_what_fits_in_a_megabyte(cw, server):
    """Over AWS Query (boto3 of Debian's botocore) a datum of 30 dimensions takes about
    3 KB of form, so about 300 of them fill CloudWatch's 1 MB body: 18,000 parameters,
    far past the 4,096 the other Query actions take."""
    ns = fresh("wide-query")
    dims = [{"Name": "d%02d" % k, "Value": "v%02d" % k} for k in range(30)]
    data = [{"MetricName": "Wide", "Value": 1.0, "Unit": "Count", "Dimensions": dims} for _ in range(300)]
    cw.put_metric_data(Namespace=ns, MetricData=data)
    out = stats_when_visible(cw, Namespace=ns, MetricName="Wide", Dimensions=dims,
                             StartTime=NOW - datetime.timedelta(minutes=10),
                             EndTime=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=2),
                             Period=60, Statistics=["Sum", "SampleCount"])
    assert sum(d["SampleCount"] for d in out["Datapoints"]) == 300.0
    # Past AWS's datum count, over Query too: CloudWatch's own error.
    import botocore.exceptions
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "W", "Value": 1.0}] * 1001)
    assert error_of(e) == ("InvalidParameterValue", 400,
                           "The collection MetricData must not have a size greater than 1000.")


def test_query_forms_that_would_cost_far_more_than_their_bytes_are_refused_and_the_server_lives(cw, server):
    form = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
    # 400,000 nested segments once built 400,000 nested members, whose destruction
    # overflowed the stack and killed the server after it had answered.
    deep = b"Action=ListMetrics&Version=2010-08-01&Namespace=none&" + b"a" + b".a" * 400_000 + b"=1"
    status, _, body = raw_cloudwatch(server, "/", form, deep)
    assert status == 200, body
    assert b"<ListMetricsResult><Metrics></Metrics></ListMetricsResult>" in body
    # Tiny parameters: about 95 bytes of memory per byte of form, past the 32 per byte
    # (and 64 KiB) the request reserved.
    tiny = query_form(Action="ListMetrics", Version="2010-08-01") + b"&" + b"&".join(
        b"a%d" % i for i in range(100_000))
    status, _, body = raw_cloudwatch(server, "/", form, tiny)
    assert status == 400
    assert b"<Code>MalformedQueryString</Code>" in body
    assert ("<Message>the request parameters need more than %d bytes of memory</Message>" % (
        32 * len(tiny) + 65536)).encode() in body
    assert cw.list_metrics(Namespace="none")["Metrics"] == []
