"""Custom resources backed by Lambda functions against the real binary: an inline
(ZipFile) Python handler that answers through the cfn-response module sluice adds, its
Data read by Fn::GetAtt into Outputs, a FAILED answer rolling the stack back with its
reason, updates and deletes calling the handler, and the ResponseURL's signature checked
when the server verifies signatures. Also AWS::Logs::LogGroup."""
import json
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config

from test_cloudformation import cfn, client, wait
from test_s3 import s3_client

# The handler records every request event in the audit bucket (the test reads them),
# then answers as its properties say.
HANDLER = """
import json
import boto3
import cfnresponse

def handler(event, context):
    props = event["ResourceProperties"]
    key = event["RequestType"] + "/" + event.get("PhysicalResourceId", "-")
    boto3.client("s3").put_object(Bucket=props["AuditBucket"], Key=key, Body=json.dumps(event).encode())
    if event["RequestType"] == "Create" and props.get("Silent") == "yes":
        return
    if event["RequestType"] == "Create" and props.get("Fail") == "yes":
        cfnresponse.send(event, context, cfnresponse.FAILED, {}, reason="the seeder refuses " + props["Name"])
        return
    cfnresponse.send(event, context, cfnresponse.SUCCESS,
                     {"Greeting": "hello " + props["Name"], "Length": len(props["Name"])},
                     physicalResourceId="seed-" + props["Name"])
"""


def template(extra_properties=""):
    code = "\n".join("          " + line for line in HANDLER.strip("\n").splitlines())
    return """Parameters:
  Name: {Type: String, Default: world}
  AuditBucket: {Type: String}
Resources:
  Seeder:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/seeder
      Timeout: 30
      Code:
        ZipFile: |
%s
  Seed:
    Type: Custom::Seed
    Properties:
      ServiceToken: !GetAtt Seeder.Arn
      Name: !Ref Name
      AuditBucket: !Ref AuditBucket%s
Outputs:
  Greeting: {Value: !GetAtt Seed.Greeting}
  Length: {Value: !GetAtt Seed.Length}
  SeedId: {Value: !Ref Seed}
""" % (code, extra_properties)


def create(server, tmp_path, stack, bucket, extra_properties="", *cli_args):
    s3_client(server.url).create_bucket(Bucket=bucket)
    body = tmp_path / (stack + ".yml")
    body.write_text(template(extra_properties))
    r = cfn(server, "create-stack", "--stack-name", stack, "--template-body", "file://" + str(body),
            "--parameters", "ParameterKey=AuditBucket,ParameterValue=" + bucket, *cli_args)
    assert r.returncode == 0, r.stderr
    return body


def audit(server, bucket):
    """The request events the handler received, by key."""
    s3 = s3_client(server.url)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {k: json.loads(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in keys}


def outputs(cf, stack):
    return {o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}


def test_a_python_custom_resource_answers_with_data_and_is_updated_and_deleted(server, tmp_path):
    body = create(server, tmp_path, "seeded", "seeded-audit")
    assert wait(server, "stack-create-complete", "seeded").returncode == 0
    cf = client(server, "cloudformation")
    assert outputs(cf, "seeded") == {"Greeting": "hello world", "Length": "5", "SeedId": "seed-world"}
    stack_id = cf.describe_stacks(StackName="seeded")["Stacks"][0]["StackId"]
    seeder = cf.describe_stack_resource(StackName="seeded", LogicalResourceId="Seeder")
    arn = "arn:aws:lambda:us-east-1:000000000000:function:" + seeder["StackResourceDetail"]["PhysicalResourceId"]
    resource = cf.describe_stack_resource(StackName="seeded", LogicalResourceId="Seed")["StackResourceDetail"]
    assert (resource["ResourceType"], resource["PhysicalResourceId"]) == ("Custom::Seed", "seed-world")

    events = audit(server, "seeded-audit")
    assert list(events) == ["Create/-"]
    create_event = events["Create/-"]
    assert create_event["RequestType"] == "Create"
    assert create_event["ServiceToken"] == arn
    assert create_event["StackId"] == stack_id
    assert create_event["LogicalResourceId"] == "Seed"
    assert create_event["ResourceType"] == "Custom::Seed"
    assert create_event["ResourceProperties"] == {"ServiceToken": arn, "Name": "world", "AuditBucket": "seeded-audit"}
    assert "PhysicalResourceId" not in create_event and "OldResourceProperties" not in create_event
    assert create_event["ResponseURL"].startswith(server.url + "/cloudformation-custom-resource-response-useast1/")

    # A new Name: the handler answers with a new physical id, so the old one is deleted.
    r = cfn(server, "update-stack", "--stack-name", "seeded", "--template-body", "file://" + str(body),
            "--parameters", "ParameterKey=AuditBucket,UsePreviousValue=true", "ParameterKey=Name,ParameterValue=sluice")
    assert r.returncode == 0, r.stderr
    assert wait(server, "stack-update-complete", "seeded").returncode == 0
    assert outputs(cf, "seeded") == {"Greeting": "hello sluice", "Length": "6", "SeedId": "seed-sluice"}
    events = audit(server, "seeded-audit")
    assert sorted(events) == ["Create/-", "Delete/seed-world", "Update/seed-world"]
    update_event = events["Update/seed-world"]
    assert update_event["ResourceProperties"]["Name"] == "sluice"
    assert update_event["OldResourceProperties"]["Name"] == "world"
    assert events["Delete/seed-world"]["ResourceProperties"]["Name"] == "world"

    assert cfn(server, "delete-stack", "--stack-name", "seeded").returncode == 0
    assert wait(server, "stack-delete-complete", "seeded").returncode == 0
    delete_event = audit(server, "seeded-audit")["Delete/seed-sluice"]
    assert delete_event["RequestType"] == "Delete"
    assert delete_event["ResourceProperties"]["Name"] == "sluice"


def test_a_failed_answer_rolls_the_stack_back_with_its_reason(server, tmp_path):
    create(server, tmp_path, "refused", "refused-audit", "\n      Fail: 'yes'")
    assert wait(server, "stack-create-complete", "refused").returncode == 255
    cf = client(server, "cloudformation")
    assert cf.describe_stacks(StackName="refused")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    events = audit(server, "refused-audit")
    request_id = events["Create/-"]["RequestId"]
    failed = [e for e in cf.describe_stack_events(StackName="refused")["StackEvents"]
              if e["ResourceStatus"] == "CREATE_FAILED"]
    assert [(e["LogicalResourceId"], e["ResourceStatusReason"]) for e in failed] == [
        ("Seed", "Received response status [FAILED] from custom resource. Message returned: the seeder refuses "
                 "world (RequestId: %s)" % request_id)]
    # The rollback asked the handler to delete what its FAILED answer named (cfn-response's
    # default physical id: the log stream).
    deletes = [k for k in events if k.startswith("Delete/")]
    assert len(deletes) == 1 and events[deletes[0]]["RequestType"] == "Delete"
    assert deletes[0].startswith("Delete/20")  # YYYY/MM/DD/[$LATEST]...
    cf.delete_stack(StackName="refused")
    cf.get_waiter("stack_delete_complete").wait(StackName="refused", WaiterConfig={"Delay": 1})


def test_no_answer_within_the_service_timeout_fails_the_resource(server, tmp_path):
    # Without a rollback, so that the Delete below goes to a handler known to be warm:
    # the outcome does not hang on how fast the first process starts.
    create(server, tmp_path, "silent", "silent-audit", "\n      Silent: 'yes'\n      ServiceTimeout: 5",
           "--on-failure", "DO_NOTHING")
    assert wait(server, "stack-create-complete", "silent").returncode == 255
    cf = client(server, "cloudformation")
    assert cf.describe_stacks(StackName="silent")["Stacks"][0]["StackStatus"] == "CREATE_FAILED"
    failed = [e for e in cf.describe_stack_events(StackName="silent")["StackEvents"]
              if e["ResourceStatus"] == "CREATE_FAILED" and e["LogicalResourceId"] == "Seed"]
    deadline = time.time() + 60
    while "Create/-" not in audit(server, "silent-audit") and time.time() < deadline:
        time.sleep(0.1)  # the handler ran (and chose not to answer)
    request_id = audit(server, "silent-audit")["Create/-"]["RequestId"]
    assert [(e["LogicalResourceId"], e["ResourceStatusReason"]) for e in failed] == [("Seed", (
        "CloudFormation did not receive a response from your Custom Resource. Please check your logs for "
        "requestId [%s]. If you are using the Python cfn-response module, you may need to update your Lambda "
        "function code so that CloudFormation can attach the updated version." % request_id))]
    cf.delete_stack(StackName="silent")
    cf.get_waiter("stack_delete_complete").wait(StackName="silent", WaiterConfig={"Delay": 1})
    assert [k for k in audit(server, "silent-audit") if k.startswith("Delete/")] != []


SIGNED = """Resources:
  Echo:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/echo
      Code:
        ZipFile: |
          import cfnresponse
          def handler(event, context):
              cfnresponse.send(event, context, cfnresponse.SUCCESS, {"Url": event["ResponseURL"]}, "echo")
  Probe:
    Type: AWS::CloudFormation::CustomResource
    Properties: {ServiceToken: !GetAtt Echo.Arn}
Outputs:
  Url: {Value: !GetAtt Probe.Url}
"""


def test_response_urls_are_presigned_with_a_configured_key(start_sluice, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("[default]\naws_access_key_id = AKIDCUSTOM\naws_secret_access_key = custom-secret\n")
    s = start_sluice("--credentials", str(creds))
    cf = boto3.client("cloudformation", endpoint_url=s.url, region_name="us-east-1", aws_access_key_id="AKIDCUSTOM",
                      aws_secret_access_key="custom-secret", config=Config(retries={"total_max_attempts": 1}))
    cf.create_stack(StackName="signed", TemplateBody=SIGNED)
    cf.get_waiter("stack_create_complete").wait(StackName="signed", WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    url = outputs(cf, "signed")["Url"]
    assert "X-Amz-Credential=AKIDCUSTOM%2F" in url and "%2Fus-east-1%2Fcloudformation%2Faws4_request" in url

    def put(target):
        req = urllib.request.Request(target, data=b"{}", method="PUT", headers={"Content-Type": ""})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    # The URL itself is accepted again (a later answer is ignored, as S3 keeps a PUT).
    assert put(url)[0] == 200
    # A changed signature is S3's SignatureDoesNotMatch; no signature at all, AccessDenied.
    status, body = put(url[:-4] + ("0000" if not url.endswith("0000") else "1111"))
    assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in body, body
    status, body = put(url.split("?")[0])
    assert status == 403 and "<Code>AccessDenied</Code>" in body, body
    assert cf.describe_stacks(StackName="signed")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


LOG_GROUPS = """Parameters:
  Days: {Type: Number, Default: 7}
Resources:
  Named:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: /sluice/cfn-test, RetentionInDays: !Ref Days}
  Unnamed:
    Type: AWS::Logs::LogGroup
Outputs:
  NamedRef: {Value: !Ref Named}
  NamedArn: {Value: !GetAtt Named.Arn}
  UnnamedRef: {Value: !Ref Unnamed}
"""


def test_log_groups_are_created_with_retention_updated_and_deleted(server):
    cf = client(server, "cloudformation")
    logs = client(server, "logs")
    cf.create_stack(StackName="groups", TemplateBody=LOG_GROUPS)
    cf.get_waiter("stack_create_complete").wait(StackName="groups", WaiterConfig={"Delay": 1})
    out = outputs(cf, "groups")
    assert out["NamedRef"] == "/sluice/cfn-test"
    assert out["NamedArn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/sluice/cfn-test:*"
    assert out["UnnamedRef"].startswith("groups-Unnamed-")

    def group(name):
        found = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
        return found[0] if found else None

    assert group("/sluice/cfn-test")["retentionInDays"] == 7
    assert group("/sluice/cfn-test")["arn"] == out["NamedArn"]
    assert "retentionInDays" not in group(out["UnnamedRef"])
    # A second stack cannot take the same name.
    cf.create_stack(StackName="groups-again", TemplateBody=LOG_GROUPS)
    with pytest.raises(Exception):
        cf.get_waiter("stack_create_complete").wait(StackName="groups-again", WaiterConfig={"Delay": 1})
    failed = [e for e in cf.describe_stack_events(StackName="groups-again")["StackEvents"]
              if e["ResourceStatus"] == "CREATE_FAILED" and e["LogicalResourceId"] == "Named"]
    assert failed[0]["ResourceStatusReason"] == (
        "Resource handler returned message: \"Resource of type 'AWS::Logs::LogGroup' with identifier "
        "'{\"/properties/LogGroupName\":\"/sluice/cfn-test\"}' already exists.\" (HandlerErrorCode: AlreadyExists)")
    # RetentionInDays updates in place; a value Logs refuses fails the update and rolls back.
    cf.update_stack(StackName="groups", TemplateBody=LOG_GROUPS, Parameters=[{"ParameterKey": "Days", "ParameterValue": "30"}])
    cf.get_waiter("stack_update_complete").wait(StackName="groups", WaiterConfig={"Delay": 1})
    assert group("/sluice/cfn-test")["retentionInDays"] == 30
    cf.update_stack(StackName="groups", TemplateBody=LOG_GROUPS, Parameters=[{"ParameterKey": "Days", "ParameterValue": "8"}])
    with pytest.raises(Exception):
        cf.get_waiter("stack_update_complete").wait(StackName="groups", WaiterConfig={"Delay": 1})
    assert cf.describe_stacks(StackName="groups")["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert group("/sluice/cfn-test")["retentionInDays"] == 30
    cf.delete_stack(StackName="groups")
    cf.get_waiter("stack_delete_complete").wait(StackName="groups", WaiterConfig={"Delay": 1})
    assert group("/sluice/cfn-test") is None and group(out["UnnamedRef"]) is None
