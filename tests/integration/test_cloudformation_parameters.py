"""Parameter constraints as CloudFormation enforces them, through the AWS CLI: a value
that breaks AllowedPattern, a length, a bound or an AWS-specific type is refused with
AWS's ValidationError and creates nothing."""
import json

from test_cloudformation import cfn, cfn_json

TEMPLATE = """
Parameters:
  ProjectName:
    Type: String
    AllowedPattern: "[a-z][a-z0-9-]*"
    MaxLength: 20
  Stage:
    Type: String
    AllowedPattern: "dev|prod|qa-[0-9]{1,3}"
    ConstraintDescription: must be dev, prod or qa-N
    Default: dev
  Zones:
    Type: CommaDelimitedList
    AllowedPattern: "[a-z]{2}-[a-z]+-[0-9][a-z]"
    Default: us-east-1a,us-east-1b
  Sizes:
    Type: List<Number>
    MinValue: 1
    MaxValue: 5
    Default: "1,2"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${ProjectName}-${Stage}"
Outputs:
  FirstZone:
    Value: !Select [0, !Ref Zones]
"""


def create(server, name, *params):
    args = ["create-stack", "--stack-name", name, "--template-body", TEMPLATE]
    if params:
        args += ["--parameters", *[f"ParameterKey={k},ParameterValue={v}" for k, v in params]]
    return cfn(server, *args)


def refused(server, name, *params):
    r = create(server, name, *params)
    assert r.returncode != 0
    # Nothing was created.
    d = cfn(server, "describe-stacks", "--stack-name", name)
    assert "does not exist" in d.stderr
    return r.stderr.strip()


def test_parameter_constraints_through_the_cli(server):
    op = "An error occurred (ValidationError) when calling the CreateStack operation: "
    assert refused(server, "p1", ("ProjectName", "Taxi")) == op + "Parameter 'ProjectName' must match pattern [a-z][a-z0-9-]*"
    assert refused(server, "p1", ("ProjectName", "a" * 21)) == op + "Parameter 'ProjectName' must contain at most 20 characters"
    assert refused(server, "p1", ("ProjectName", "taxi"), ("Stage", "qa-1000")) == (
        op + "Parameter Stage failed to satisfy constraint: must be dev, prod or qa-N")
    assert refused(server, "p1", ("ProjectName", "taxi"), ("Zones", "us-east-1a\\,nowhere")) == (
        op + "Parameter 'Zones' must match pattern [a-z]{2}-[a-z]+-[0-9][a-z]")
    assert refused(server, "p1", ("ProjectName", "taxi"), ("Sizes", "1\\,6")) == (
        op + "Parameter 'Sizes' must be a number not greater than 5")
    bad_type = cfn(server, "validate-template", "--template-body",
                   "Parameters: {K: {Type: 'AWS::EC2::Nothing::Id'}}\nResources: {B: {Type: AWS::S3::Bucket}}")
    assert bad_type.returncode != 0
    assert bad_type.stderr.strip().endswith("Template format error: Unrecognized parameter type: AWS::EC2::Nothing::Id")
    key = cfn(server, "create-stack", "--stack-name", "p2", "--template-body",
              "Parameters: {K: {Type: 'AWS::EC2::KeyPair::KeyName'}}\nResources: {B: {Type: AWS::S3::Bucket}}",
              "--parameters", "ParameterKey=K,ParameterValue=mykey")
    assert key.stderr.strip() == op + ("Parameter validation failed: parameter value mykey for parameter name K "
                                       "does not exist. Rollback requested by user.")

    r = create(server, "p1", ("ProjectName", "taxi"), ("Stage", "qa-7"), ("Zones", "eu-west-1a\\,eu-west-1b"))
    assert r.returncode == 0, r.stderr
    assert cfn(server, "wait", "stack-create-complete", "--stack-name", "p1").returncode == 0
    stack = cfn_json(server, "describe-stacks", "--stack-name", "p1")["Stacks"][0]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}["Stage"] == "qa-7"
    assert stack["Outputs"] == [{"OutputKey": "FirstZone", "OutputValue": "eu-west-1a"}]
    assert json.loads(cfn(server, "list-stack-resources", "--stack-name", "p1", "--output", "json").stdout)[
        "StackResourceSummaries"][0]["PhysicalResourceId"] == "taxi-qa-7"
