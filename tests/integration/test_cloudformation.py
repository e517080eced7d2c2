"""CloudFormation against the real binary with the AWS CLI (the reference's scripts'
commands: validate-template, create-stack, wait, update-stack, deploy) and boto3."""
import json
import os
import time

import pytest

from conftest import run
from test_s3 import ENV, s3_client

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "cloudformation")


def cfn(server, *args, timeout=120):
    return run(["/usr/bin/aws", "--endpoint-url", server.url, "cloudformation", *args], timeout=timeout, env=ENV)


def cfn_json(server, *args):
    r = cfn(server, *args, "--output", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else {}


def client(server, service):
    import boto3
    from botocore.config import Config
    return boto3.client(service, endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                        config=Config(retries={"total_max_attempts": 1}))


def fixture(name):
    return "file://" + os.path.join(FIXTURES, name)


def wait(server, waiter, stack):
    r = cfn(server, "wait", waiter, "--stack-name", stack, timeout=300)
    return r


def test_validate_template_reports_parameters_and_capabilities(server):
    out = cfn_json(server, "validate-template", "--template-body", fixture("data-sources.yml"))
    params = {p["ParameterKey"]: p for p in out["Parameters"]}
    assert params["ProjectName"]["DefaultValue"] == "streaming-pipeline"
    assert "DefaultValue" not in params["Stage"]
    assert out["Description"].startswith("Buckets of the pipeline")
    out = cfn_json(server, "validate-template", "--template-body", fixture("stream.yml"))
    assert out["Capabilities"] == ["CAPABILITY_IAM"]
    assert out["CapabilitiesReason"] == "The following resource(s) require capabilities: [ConsumerRole]"
    bad = cfn(server, "validate-template", "--template-body", "Resources:\n  B: [unclosed\n")
    assert bad.returncode == 254
    assert "ValidationError" in bad.stderr
    assert "Template format error: YAML not well-formed. (line 3, column 1)" in bad.stderr
    # Nested aliases would expand to 10^9 values: refused as AWS refuses any alias.
    laughs = "Metadata:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        "  l%d: &l%d [%s]\n" % (i, i, ", ".join(["*l%d" % (i - 1)] * 10)) for i in range(1, 9))
    bad = cfn(server, "validate-template", "--template-body", laughs + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    assert bad.returncode == 254
    assert "(ValidationError)" in bad.stderr
    assert "Template error: YAML aliases are not allowed in CloudFormation templates" in bad.stderr
    assert cfn_json(server, "validate-template", "--template-body", fixture("data-sources.yml"))["Parameters"]


def test_the_reference_flow_create_import_update_and_delete(server):
    r = cfn(server, "create-stack", "--stack-name", "data-sources-dev", "--template-body",
            fixture("data-sources.yml"), "--parameters", "ParameterKey=Stage,ParameterValue=dev")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["StackId"].startswith(
        "arn:aws:cloudformation:us-east-1:000000000000:stack/data-sources-dev/")
    assert wait(server, "stack-create-complete", "data-sources-dev").returncode == 0
    s3 = s3_client(server.url)
    s3.head_bucket(Bucket="streaming-pipeline-dev-deployment")
    s3.head_bucket(Bucket="streaming-pipeline-dev-output")
    stack = cfn_json(server, "describe-stacks", "--stack-name", "data-sources-dev")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o for o in stack["Outputs"]}
    assert outputs["OutputBucketARN"]["OutputValue"] == "arn:aws:s3:::streaming-pipeline-dev-output"
    assert outputs["OutputBucketARN"]["ExportName"] == "data-sources-dev:OutputBucketARN"
    assert outputs["OutputBucketObjects"]["OutputValue"] == "arn:aws:s3:::streaming-pipeline-dev-output/*"
    exports = {e["Name"]: e["Value"] for e in cfn_json(server, "list-exports")["Exports"]}
    assert exports["data-sources-dev:DeploymentBucket"] == "streaming-pipeline-dev-deployment"

    # The second stack imports the first one's export and needs CAPABILITY_IAM.
    refused = cfn(server, "create-stack", "--stack-name", "stream-dev", "--template-body", fixture("stream.yml"),
                  "--parameters", "ParameterKey=Stage,ParameterValue=dev")
    assert refused.returncode == 254
    assert "InsufficientCapabilitiesException" in refused.stderr
    assert "Requires capabilities : [CAPABILITY_IAM]" in refused.stderr
    r = cfn(server, "create-stack", "--stack-name", "stream-dev", "--template-body", fixture("stream.yml"),
            "--capabilities", "CAPABILITY_IAM", "--parameters", "ParameterKey=Stage,ParameterValue=dev")
    assert r.returncode == 0, r.stderr
    assert wait(server, "stack-create-complete", "stream-dev").returncode == 0
    kinesis = client(server, "kinesis")
    summary = kinesis.describe_stream_summary(StreamName="streaming-pipeline-dev-ingress")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2
    assert summary["RetentionPeriodHours"] == 48
    stack = cfn_json(server, "describe-stacks", "--stack-name", "stream-dev")["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert outputs["StreamArn"] == "arn:aws:kinesis:us-east-1:000000000000:stream/streaming-pipeline-dev-ingress"
    assert outputs["RoleArn"].startswith("arn:aws:iam::000000000000:role/stream-dev-ConsumerRole-")
    assert cfn_json(server, "list-imports", "--export-name", "data-sources-dev:OutputBucketARN")["Imports"] == [
        "stream-dev"]
    resources = cfn_json(server, "describe-stack-resources", "--stack-name", "stream-dev")["StackResources"]
    assert sorted(r["LogicalResourceId"] for r in resources) == ["ConsumerRole", "Logs", "Stream"]
    assert all(r["ResourceStatus"] == "CREATE_COMPLETE" for r in resources)
    logs = cfn_json(server, "describe-stack-resource", "--stack-name", "stream-dev", "--logical-resource-id", "Logs")
    assert logs["StackResourceDetail"]["PhysicalResourceId"] == "/aws/lambda/streaming-pipeline-dev-write_to_s3"

    # update-stack: ShardCount changes in place (UpdateShardCount), the stream keeps its name.
    r = cfn(server, "update-stack", "--stack-name", "stream-dev", "--template-body", fixture("stream.yml"),
            "--capabilities", "CAPABILITY_IAM", "--parameters", "ParameterKey=Stage,UsePreviousValue=true",
            "ParameterKey=ShardCount,ParameterValue=3")
    assert r.returncode == 0, r.stderr
    assert wait(server, "stack-update-complete", "stream-dev").returncode == 0
    summary = kinesis.describe_stream_summary(StreamName="streaming-pipeline-dev-ingress")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 3
    same = cfn(server, "update-stack", "--stack-name", "stream-dev", "--template-body", fixture("stream.yml"),
               "--capabilities", "CAPABILITY_IAM", "--parameters", "ParameterKey=Stage,UsePreviousValue=true",
               "ParameterKey=ShardCount,UsePreviousValue=true")
    assert same.returncode == 254
    assert "No updates are to be performed." in same.stderr
    events = cfn_json(server, "describe-stack-events", "--stack-name", "stream-dev")["StackEvents"]
    assert events[0]["ResourceStatus"] == "UPDATE_COMPLETE"  # newest first
    assert any(e["LogicalResourceId"] == "Stream" and e["ResourceStatus"] == "UPDATE_COMPLETE" for e in events)

    # An export in use blocks deleting its stack.
    assert cfn(server, "delete-stack", "--stack-name", "data-sources-dev").returncode == 0
    assert wait(server, "stack-delete-complete", "data-sources-dev").returncode != 0
    stack = cfn_json(server, "describe-stacks", "--stack-name", "data-sources-dev")["Stacks"][0]
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert "cannot be deleted as it is in use by stream-dev" in stack["StackStatusReason"]

    assert cfn(server, "delete-stack", "--stack-name", "stream-dev").returncode == 0
    assert wait(server, "stack-delete-complete", "stream-dev").returncode == 0
    with pytest.raises(Exception):
        kinesis.describe_stream_summary(StreamName="streaming-pipeline-dev-ingress")
    assert cfn(server, "delete-stack", "--stack-name", "data-sources-dev").returncode == 0
    assert wait(server, "stack-delete-complete", "data-sources-dev").returncode == 0
    with pytest.raises(Exception):
        s3.head_bucket(Bucket="streaming-pipeline-dev-output")
    gone = cfn(server, "describe-stacks", "--stack-name", "data-sources-dev")
    assert gone.returncode == 254
    assert "Stack with id data-sources-dev does not exist" in gone.stderr


def test_a_failed_create_rolls_back_with_the_reason(server):
    body = """Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: rollback-me}
  Queue:
    Type: AWS::SQS::Queue
    DependsOn: Bucket
"""
    cf = client(server, "cloudformation")
    cf.create_stack(StackName="will-fail", TemplateBody=body)
    r = wait(server, "stack-create-complete", "will-fail")
    assert r.returncode == 255
    assert "ROLLBACK_COMPLETE" in r.stderr
    stack = cf.describe_stacks(StackName="will-fail")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cf.describe_stack_events(StackName="will-fail")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["LogicalResourceId"] == "Queue"
    assert failed[0]["ResourceStatusReason"].startswith("Resource type AWS::SQS::Queue is not supported by sluice")
    rollback = [e for e in events if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"]
    assert rollback[0]["ResourceStatusReason"] == (
        "The following resource(s) failed to create: [Queue]. Rollback requested by user.")
    with pytest.raises(Exception) as e:
        s3_client(server.url).head_bucket(Bucket="rollback-me")
    assert e.value.response["Error"]["Code"] == "404"
    cf.delete_stack(StackName="will-fail")
    cf.get_waiter("stack_delete_complete").wait(StackName="will-fail", WaiterConfig={"Delay": 1})


def test_deploy_with_change_sets_and_empty_changes(server, tmp_path):
    template = tmp_path / "bucket.yml"
    template.write_text("Parameters: {Suffix: {Type: String, Default: a}}\n"
                        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
                        "    Properties: {BucketName: !Sub 'deployed-${Suffix}'}\n")
    r = cfn(server, "deploy", "--template-file", str(template), "--stack-name", "deployed")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Successfully created/updated stack - deployed" in r.stdout
    s3 = s3_client(server.url)
    s3.head_bucket(Bucket="deployed-a")
    # No changes: the change set fails with CloudFormation's reason, which the CLI turns
    # into "No changes to deploy" (an error with --fail-on-empty-changeset, the default of
    # AWS CLI v2; Debian's v1 defaults to success).
    cf = client(server, "cloudformation")

    def forget_change_sets():
        # The CLI names change sets by the second and leaves failed ones behind, as AWS
        # keeps them; two deploys within a second would reuse a name.
        for c in cf.list_change_sets(StackName="deployed")["Summaries"]:
            cf.delete_change_set(ChangeSetName=c["ChangeSetId"])

    forget_change_sets()
    again = cfn(server, "deploy", "--template-file", str(template), "--stack-name", "deployed",
                "--fail-on-empty-changeset")
    assert again.returncode == 255
    assert "No changes to deploy. Stack deployed is up to date" in again.stderr
    forget_change_sets()
    ok = cfn(server, "deploy", "--template-file", str(template), "--stack-name", "deployed",
             "--no-fail-on-empty-changeset")
    assert ok.returncode == 0, ok.stderr
    assert "No changes to deploy. Stack deployed is up to date" in ok.stdout
    # A parameter change replaces the bucket (BucketName changes).
    forget_change_sets()
    r = cfn(server, "deploy", "--template-file", str(template), "--stack-name", "deployed",
            "--parameter-overrides", "Suffix=b")
    assert r.returncode == 0, r.stdout + r.stderr
    s3.head_bucket(Bucket="deployed-b")
    with pytest.raises(Exception):
        s3.head_bucket(Bucket="deployed-a")


def test_template_url_and_bad_input(server):
    s3 = s3_client(server.url)
    s3.create_bucket(Bucket="templates")
    s3.put_object(Bucket="templates", Key="t/one.yml",
                  Body=b"Resources:\n  B: {Type: AWS::S3::Bucket, Properties: {BucketName: from-url}}\n")
    cf = client(server, "cloudformation")
    cf.create_stack(StackName="from-url", TemplateURL=server.url + "/templates/t/one.yml")
    cf.get_waiter("stack_create_complete").wait(StackName="from-url", WaiterConfig={"Delay": 1})
    s3.head_bucket(Bucket="from-url")
    assert "from-url" in cf.get_template(StackName="from-url")["TemplateBody"]
    with pytest.raises(Exception) as e:
        cf.create_stack(StackName="nope", TemplateURL=server.url + "/templates/missing.yml")
    assert e.value.response["Error"]["Code"] == "ValidationError"
    assert e.value.response["Error"]["Message"].startswith("S3 error:")
    with pytest.raises(Exception) as e:
        cf.create_stack(StackName="from-url", TemplateBody="Resources: {B: {Type: AWS::S3::Bucket}}")
    assert e.value.response["Error"]["Code"] == "AlreadyExistsException"
    assert e.value.response["Error"]["Message"] == "Stack [from-url] already exists"
    with pytest.raises(Exception) as e:
        cf.create_stack(StackName="params", TemplateBody=open(os.path.join(FIXTURES, "data-sources.yml")).read(),
                        Parameters=[{"ParameterKey": "Stage", "ParameterValue": "qa"}])
    assert e.value.response["Error"]["Message"] == "Parameter 'Stage' must be one of AllowedValues"
    with pytest.raises(Exception) as e:
        cf.create_stack(StackName="params", TemplateBody="Resources: {B: {Type: AWS::S3::Bucket, "
                                                         "Properties: {BucketName: !Ref Nope}}}")
    assert e.value.response["Error"]["Message"] == (
        "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(Exception) as e:
        cf.describe_change_set(ChangeSetName="none", StackName="from-url")
    assert e.value.response["Error"]["Code"] == "ChangeSetNotFound"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(Exception) as e:
        cf.describe_stacks(StackName="never")
    assert e.value.response["Error"]["Message"] == "Stack with id never does not exist"
    cf.delete_stack(StackName="from-url")
    cf.get_waiter("stack_delete_complete").wait(StackName="from-url", WaiterConfig={"Delay": 1})
    assert [s["StackName"] for s in cf.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
            if s["StackName"] == "from-url"] == ["from-url"]


def test_kill_9_during_a_create_rolls_it_back_after_restart(start_sluice, data_dir):
    # New streams stay CREATING for 30 s, so the stack is surely mid-create when killed.
    server = start_sluice("--create-stream-ms", "30000")
    cf = client(server, "cloudformation")
    cf.create_stack(StackName="interrupted", TemplateBody="""Resources:
  Bucket: {Type: AWS::S3::Bucket, Properties: {BucketName: interrupted-bucket}}
  Stream: {Type: AWS::Kinesis::Stream, DependsOn: Bucket, Properties: {Name: interrupted-stream, ShardCount: 1}}
""")
    deadline = time.time() + 60
    while True:
        resources = cf.describe_stack_resources(StackName="interrupted")["StackResources"]
        states = {r["LogicalResourceId"]: r["ResourceStatus"] for r in resources}
        if states.get("Stream") == "CREATE_IN_PROGRESS":
            break
        assert time.time() < deadline, states
        time.sleep(0.05)
    server.proc.kill()
    server.proc.wait()
    server = start_sluice("--create-stream-ms", "0", dir=data_dir)
    cf = client(server, "cloudformation")
    # (botocore's stack_rollback_complete waiter is for update rollbacks.)
    deadline = time.time() + 120
    while True:
        stack = cf.describe_stacks(StackName="interrupted")["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            break
        assert time.time() < deadline, stack
        time.sleep(0.1)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    with pytest.raises(Exception):
        s3_client(server.url).head_bucket(Bucket="interrupted-bucket")
    names = client(server, "kinesis").list_streams()["StreamNames"]
    assert "interrupted-stream" not in names
    events = cf.describe_stack_events(StackName="interrupted")["StackEvents"]
    assert any(e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS" and
               e["ResourceStatusReason"] == "sluice restarted while the stack was being created" for e in events)


PIPELINE = """AWSTemplateFormatVersion: "2010-09-09"
Description: The reference's stream stack in shape (test)
Parameters:
  DeploymentBucket: {Type: String}
  CodeKey: {Type: String}
  BatchSize: {Type: Number, Default: 1000}
Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties: {ShardCount: 1}
  Output:
    Type: AWS::S3::Bucket
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: [lambda.amazonaws.com]}, Action: ["sts:AssumeRole"]}
  Delivery:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamType: DirectPut
      S3DestinationConfiguration:
        BucketARN: !GetAtt Output.Arn
        BufferingHints: {IntervalInSeconds: 300, SizeInMBs: 5}
        CompressionFormat: UNCOMPRESSED
        Prefix: context=firehose_delivery/
        RoleARN: !GetAtt Role.Arn
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: {S3Bucket: !Ref DeploymentBucket, S3Key: !Ref CodeKey}
      Runtime: python3.9
      Handler: lambda_function.lambda_handler
      Role: !GetAtt Role.Arn
      Timeout: 60
      MemorySize: 256
      Environment:
        Variables: {DELIVERY_STREAM: !Ref Delivery}
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !Join ["", ["arn:aws:kinesis:", !Ref "AWS::Region", ":", !Ref "AWS::AccountId", ":stream/",
                                  !Ref Stream]]
      FunctionName: !GetAtt Fn.Arn
      BatchSize: !Ref BatchSize
      StartingPosition: LATEST
  Inline:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        ZipFile: |
          def handler(event, context):
              return {"inline": event["n"] + 1}
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
  Allow:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Fn
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
      SourceArn: !GetAtt Output.Arn
Outputs:
  FunctionArn: {Value: !GetAtt Fn.Arn}
  MappingId: {Value: !Ref Mapping}
  DeliveryArn: {Value: !GetAtt Delivery.Arn}
"""

LAMBDA_SOURCE = """import os

def lambda_handler(event, context):
    return {"records": len(event.get("Records", [])), "to": os.environ["DELIVERY_STREAM"]}
"""


def deployment_bucket(server, name, key):
    from test_lambda import zip_of
    s3 = s3_client(server.url)
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key=key, Body=zip_of({"lambda_function.py": LAMBDA_SOURCE}))


def test_the_stream_stack_provisions_functions_mappings_and_delivery_streams(server, tmp_path):
    deployment_bucket(server, "pipeline-deployment", "lambda/write_to_s3.zip")
    template = tmp_path / "pipeline.yml"
    template.write_text(PIPELINE)
    params = ["ParameterKey=DeploymentBucket,ParameterValue=pipeline-deployment",
              "ParameterKey=CodeKey,ParameterValue=lambda/write_to_s3.zip"]
    r = cfn(server, "create-stack", "--stack-name", "pipeline", "--template-body", "file://" + str(template),
            "--capabilities", "CAPABILITY_IAM", "--parameters", *params)
    assert r.returncode == 0, r.stderr
    assert wait(server, "stack-create-complete", "pipeline").returncode == 0
    cf = client(server, "cloudformation")
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cf.describe_stack_resources(StackName="pipeline")["StackResources"]}
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName="pipeline")["Stacks"][0]["Outputs"]}
    fn, delivery, stream = physical["Fn"], physical["Delivery"], physical["Stream"]
    assert fn.startswith("pipeline-Fn-") and delivery.startswith("pipeline-Delivery-")

    lam = client(server, "lambda")
    config = lam.get_function(FunctionName=fn)["Configuration"]
    assert config["FunctionArn"] == outputs["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:" + fn
    assert (config["Runtime"], config["Handler"], config["Timeout"], config["MemorySize"]) == (
        "python3.9", "lambda_function.lambda_handler", 60, 256)
    assert config["Role"].startswith("arn:aws:iam::000000000000:role/pipeline-Role-")
    assert config["Environment"]["Variables"] == {"DELIVERY_STREAM": delivery}
    mappings = lam.list_event_source_mappings(FunctionName=fn)["EventSourceMappings"]
    assert len(mappings) == 1
    assert mappings[0]["UUID"] == physical["Mapping"] == outputs["MappingId"]
    assert mappings[0]["EventSourceArn"] == "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream
    assert mappings[0]["BatchSize"] == 1000
    policy = json.loads(lam.get_policy(FunctionName=fn)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == [physical["Allow"]]
    # Code.ZipFile: CloudFormation's index.py.
    out = lam.invoke(FunctionName=physical["Inline"], Payload=json.dumps({"n": 41}))
    assert json.loads(out["Payload"].read()) == {"inline": 42}

    firehose = client(server, "firehose")
    desc = firehose.describe_delivery_stream(DeliveryStreamName=delivery)["DeliveryStreamDescription"]
    assert desc["DeliveryStreamARN"] == outputs["DeliveryArn"]
    assert desc["DeliveryStreamType"] == "DirectPut"
    s3dest = desc["Destinations"][0]["S3DestinationDescription"]
    assert s3dest["BucketARN"] == "arn:aws:s3:::" + physical["Output"]
    assert s3dest["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    assert s3dest["Prefix"] == "context=firehose_delivery/"

    # BatchSize updates the mapping in place: same UUID.
    r = cfn(server, "update-stack", "--stack-name", "pipeline", "--template-body", "file://" + str(template),
            "--capabilities", "CAPABILITY_IAM", "--parameters", *params, "ParameterKey=BatchSize,ParameterValue=500")
    assert r.returncode == 0, r.stderr
    assert wait(server, "stack-update-complete", "pipeline").returncode == 0
    assert lam.get_event_source_mapping(UUID=physical["Mapping"])["BatchSize"] == 500

    assert cfn(server, "delete-stack", "--stack-name", "pipeline").returncode == 0
    assert wait(server, "stack-delete-complete", "pipeline").returncode == 0
    for name in (fn, physical["Inline"]):
        with pytest.raises(lam.exceptions.ResourceNotFoundException):
            lam.get_function(FunctionName=name)
    assert lam.list_event_source_mappings(EventSourceArn=mappings[0]["EventSourceArn"])["EventSourceMappings"] == []
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.describe_delivery_stream(DeliveryStreamName=delivery)


def test_a_function_whose_code_key_is_missing_rolls_the_stack_back(server, tmp_path):
    deployment_bucket(server, "pipeline-missing", "lambda/present.zip")
    template = tmp_path / "pipeline.yml"
    template.write_text(PIPELINE)
    r = cfn(server, "create-stack", "--stack-name", "missing-code", "--template-body", "file://" + str(template),
            "--capabilities", "CAPABILITY_IAM", "--parameters",
            "ParameterKey=DeploymentBucket,ParameterValue=pipeline-missing",
            "ParameterKey=CodeKey,ParameterValue=lambda/absent.zip")
    assert r.returncode == 0, r.stderr
    assert wait(server, "stack-create-complete", "missing-code").returncode == 255
    cf = client(server, "cloudformation")
    assert cf.describe_stacks(StackName="missing-code")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cf.describe_stack_events(StackName="missing-code")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert [e["LogicalResourceId"] for e in failed] == ["Fn"]
    reason = failed[0]["ResourceStatusReason"]
    assert "S3 Error Code: NoSuchKey" in reason and "S3Key: lambda/absent.zip" in reason
    # What was created before the failure is gone again.
    firehose = client(server, "firehose")
    assert [n for n in firehose.list_delivery_streams()["DeliveryStreamNames"] if n.startswith("missing-code-")] == []
    cf.delete_stack(StackName="missing-code")
    cf.get_waiter("stack_delete_complete").wait(StackName="missing-code", WaiterConfig={"Delay": 1})
