"""NextToken paging of the list actions, pages of 100 as CloudFormation answers,
followed by boto3's paginators and the AWS CLI's automatic paging."""
import json

import pytest

from test_cloudformation import cfn_json, client

N = 101  # one more than a page


def test_list_actions_page_by_100_with_next_token(server):
    cf = client(server, "cloudformation")
    body = {
        "Resources": {f"L{i}": {"Type": "AWS::Logs::LogGroup"} for i in range(N)},
        "Outputs": {f"O{i}": {"Value": f"v{i}", "Export": {"Name": f"page-e{i}"}} for i in range(N)},
    }
    cf.create_stack(StackName="pages", TemplateBody=json.dumps(body))
    waiter = cf.get_waiter("stack_create_complete")
    waiter.wait(StackName="pages", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    for i in range(N):
        # Log groups are real: each importer names its own, from the import.
        cf.create_stack(StackName=f"importer-{i}",
                        TemplateBody="Resources: {G: {Type: AWS::Logs::LogGroup, Properties: "
                                     f"{{LogGroupName: !Join ['-', [!ImportValue page-e0, importer-{i}]]}}}}}}")
    for name in [f"importer-{i}" for i in range(N)]:
        waiter.wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})

    def pages(operation, key, **kwargs):
        out = []
        for page in cf.get_paginator(operation).paginate(**kwargs):
            out.append(page[key])
        return out

    stacks = pages("describe_stacks", "Stacks")
    assert [len(p) for p in stacks] == [100, N + 1 - 100]
    assert len({s["StackId"] for p in stacks for s in p}) == N + 1

    summaries = pages("list_stacks", "StackSummaries")
    assert [len(p) for p in summaries] == [100, N + 1 - 100]

    resources = pages("list_stack_resources", "StackResourceSummaries", StackName="pages")
    assert [len(p) for p in resources] == [100, 1]
    assert sorted(r["LogicalResourceId"] for p in resources for r in p) == sorted(f"L{i}" for i in range(N))

    events = pages("describe_stack_events", "StackEvents", StackName="pages")
    assert all(len(p) == 100 for p in events[:-1]) and 0 < len(events[-1]) <= 100
    ids = [e["EventId"] for p in events for e in p]
    # Per resource: CREATE_IN_PROGRESS, again with "Resource creation Initiated", and
    # CREATE_COMPLETE, as AWS writes them; the stack twice.
    assert len(ids) == len(set(ids)) == 3 * N + 2
    assert events[0][0]["ResourceStatus"] == "CREATE_COMPLETE" and events[0][0]["LogicalResourceId"] == "pages"

    exports = pages("list_exports", "Exports")
    assert [len(p) for p in exports] == [100, 1]
    assert sorted(e["Name"] for p in exports for e in p) == sorted(f"page-e{i}" for i in range(N))

    imports = pages("list_imports", "Imports", ExportName="page-e0")
    assert [len(p) for p in imports] == [100, 1]
    assert sorted(s for p in imports for s in p) == sorted(f"importer-{i}" for i in range(N))

    # The AWS CLI follows NextToken by itself.
    assert len(cfn_json(server, "list-exports")["Exports"]) == N

    # A token from another action, or one that is no token, is refused.
    token = cf.list_exports()["NextToken"]
    with pytest.raises(Exception) as e:
        cf.list_stacks(NextToken=token)
    assert e.value.response["Error"]["Code"] == "ValidationError"
    assert e.value.response["Error"]["Message"] == "Invalid NextToken: " + token
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # A single stack by name answers in one page.
    assert "NextToken" not in cf.describe_stacks(StackName="pages")
