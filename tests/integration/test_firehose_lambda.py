"""Firehose's Lambda processor against the real binary: a Python function created with
boto3 transforms a delivery stream's records (Ok, Dropped, ProcessingFailed), the failed
ones land under processing-failed/ in AWS's error record shape, and partition keys the
function returns choose the object's prefix."""
import base64
import json

from test_firehose import (ROLE, body, bucket, extended, fh, objects, s3, sluice_cli,  # noqa: F401
                           unique, wait_for_objects)
from test_lambda import create, lam  # noqa: F401

TRANSFORM = '''
import base64, json

def handler(event, context):
    out = []
    for r in event["records"]:
        data = base64.b64decode(r["data"]).decode()
        rec = {"recordId": r["recordId"], "result": "Ok"}
        if data == "drop":
            rec["result"] = "Dropped"
        elif data == "fail":
            rec["result"] = "ProcessingFailed"
        doc = {"seen": data.upper(), "region": event["region"],
               "ts": r["approximateArrivalTimestamp"] > 0,
               "stream": event["deliveryStreamArn"].rsplit("/", 1)[1]}
        rec["data"] = base64.b64encode((json.dumps(doc) + "\\n").encode()).decode()
        rec["metadata"] = {"partitionKeys": {"letter": data[:1]}}
        out.append(rec)
    return {"records": out}
'''


def lambda_processor(arn, **params):
    ps = [{"ParameterName": "LambdaArn", "ParameterValue": arn}]
    ps += [{"ParameterName": k, "ParameterValue": str(v)} for k, v in params.items()]
    return {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": ps}]}


def test_a_python_function_transforms_drops_and_fails_records(fh, s3, lam, bucket, server):  # noqa: F811
    fn = create(lam, TRANSFORM)
    arn = lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
    name = unique("xf")
    fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=extended(
        bucket, ProcessingConfiguration=lambda_processor(arn, NumberOfRetries=1)))
    desc = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    procs = desc["Destinations"][0]["ExtendedS3DestinationDescription"]["ProcessingConfiguration"]["Processors"]
    assert procs[0]["Type"] == "Lambda"
    fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": d} for d in (b"ab", b"drop", b"fail", b"cd")])
    sluice_cli(server, "flush", name)
    keys = wait_for_objects(s3, bucket, 2)
    data_keys = [k for k in keys if not k.startswith("processing-failed/")]
    error_keys = [k for k in keys if k.startswith("processing-failed/")]
    assert len(data_keys) == 1 and len(error_keys) == 1, keys
    lines = [json.loads(x) for x in body(s3, bucket, data_keys[0]).decode().splitlines()]
    assert [x["seen"] for x in lines] == ["AB", "CD"]
    assert lines[0] == {"seen": "AB", "region": "us-east-1", "ts": True, "stream": name}
    err = json.loads(body(s3, bucket, error_keys[0]))
    assert list(err) == ["attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage",
                         "attemptEndingTimestamp", "rawData", "lambdaArn"]
    assert err["errorCode"] == "Lambda.ProcessingFailedStatus"
    assert err["errorMessage"] == "ProcessingFailed status set for record"
    assert base64.b64decode(err["rawData"]) == b"fail"
    assert err["lambdaArn"] == arn
    assert err["attemptsMade"] == 1


def test_a_failing_function_is_retried_then_its_records_go_to_the_error_output(fh, s3, lam, bucket, server):  # noqa: F811,E501
    fn = create(lam, "def handler(event, context):\n    raise RuntimeError('no')\n")
    name = unique("xf")
    fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=extended(
        bucket, ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
        Prefix="data/!{timestamp:yyyy}/", ProcessingConfiguration=lambda_processor(fn, NumberOfRetries=2)))
    fh.put_record(DeliveryStreamName=name, Record={"Data": b"x"})
    sluice_cli(server, "flush", name)
    keys = wait_for_objects(s3, bucket, 1)
    assert len(keys) == 1 and keys[0].startswith("errors/processing-failed/"), keys
    err = json.loads(body(s3, bucket, keys[0]))
    assert (err["errorCode"], err["attemptsMade"]) == ("Lambda.FunctionError", 3)
    assert err["errorMessage"] == "The Lambda function was successfully invoked but it returned an error result."


def test_partition_keys_from_the_function(fh, s3, lam, bucket, server):  # noqa: F811
    fn = create(lam, TRANSFORM)
    name = unique("xf")
    fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=extended(
        bucket, size_mb=64, interval_s=60, Prefix="letter=!{partitionKeyFromLambda:letter}/",
        ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
        DynamicPartitioningConfiguration={"Enabled": True}, ProcessingConfiguration=lambda_processor(fn)))
    fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": d} for d in (b"ab", b"cd", b"ax")])
    sluice_cli(server, "flush", name)
    keys = wait_for_objects(s3, bucket, 2)
    by_prefix = {k.split("/")[0]: k for k in keys}
    assert sorted(by_prefix) == ["letter=a", "letter=c"], keys
    seen = [json.loads(x)["seen"] for x in body(s3, bucket, by_prefix["letter=a"]).decode().splitlines()]
    assert seen == ["AB", "AX"]
