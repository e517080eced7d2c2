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
