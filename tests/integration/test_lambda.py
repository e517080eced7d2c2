"""Lambda: functions created with boto3 and the AWS CLI, run as local processes that
speak the Lambda Runtime API (python3.x, nodejs, provided), with AWS's errors."""
import base64
import io
import json
import os
import time
import zipfile

import pytest

from conftest import run
from test_s3 import ENV, s3_client

ROLE = "arn:aws:iam::123456789012:role/lambda-role"


def lambda_client(url):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "lambda", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60))


def zip_of(files, modes=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = ((modes or {}).get(name, 0o644) | 0o100000) << 16
            z.writestr(info, text)
    return buf.getvalue()


@pytest.fixture(scope="module")
def lam(server):
    return lambda_client(server.url)


_counter = [0]


def fresh(prefix="fn"):
    _counter[0] += 1
    return "%s-%d-%d" % (prefix, os.getpid(), _counter[0])


def create(lam, code, runtime="python3.12", handler="app.handler", **kw):
    name = kw.pop("FunctionName", None) or fresh()
    files = code if isinstance(code, dict) else {"app.py": code}
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                        Code={"ZipFile": zip_of(files, kw.pop("modes", None))}, **kw)
    return name


def invoke(lam, name, payload=None, **kw):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(payload if payload is not None else {}), **kw)
    return r, json.loads(r["Payload"].read())


def error_of(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Message"]


PY_FUNCTION = """
import asyncio, os, time
import boto3

INIT_COUNT = 0
CALLS = 0
INIT_COUNT += 1  # module level: runs once per process (the init phase)

def handler(event, context):
    global CALLS
    CALLS += 1
    print("handling", event.get("n"))
    loop = asyncio.get_event_loop()  # works only on the main thread
    s3 = boto3.client("s3")
    return {
        "event": event,
        "init_count": INIT_COUNT,
        "calls": CALLS,
        "loop": loop.is_closed() is False,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]],
        "region": os.environ["AWS_REGION"],
        "mine": os.environ.get("MINE"),
        "task_root": os.environ["LAMBDA_TASK_ROOT"] == os.getcwd(),
    }
"""


def test_python_function_runs_warm_with_context_and_reaches_sluice(lam, server):
    s3 = s3_client(server.url)
    bucket = fresh("bkt")
    s3.create_bucket(Bucket=bucket)
    name = create(lam, PY_FUNCTION, MemorySize=256, Timeout=30, Environment={"Variables": {"MINE": "yes"}})
    r1, out1 = invoke(lam, name, {"n": 1})
    r2, out2 = invoke(lam, name, {"n": 2}, LogType="Tail")
    assert r1["StatusCode"] == 200 and "FunctionError" not in r1
    assert r1["ExecutedVersion"] == "$LATEST"
    assert out1["event"] == {"n": 1}
    # One warm process: module code ran once, the handler twice.
    assert (out1["init_count"], out1["calls"]) == (1, 1)
    assert (out2["init_count"], out2["calls"]) == (1, 2)
    assert out1["loop"] is True
    assert out1["function_name"] == name
    assert out1["function_version"] == "$LATEST"
    assert out1["invoked_function_arn"] == "arn:aws:lambda:us-east-1:000000000000:function:" + name
    assert out1["memory_limit_in_mb"] == "256"  # a string, as in Lambda's Python context
    assert out1["aws_request_id"] != out2["aws_request_id"]
    assert out1["log_group_name"] == "/aws/lambda/" + name
    assert out1["log_stream_name"].split("/")[3].startswith("[$LATEST]")
    assert 0 < out1["remaining"] <= 30000
    assert bucket in out1["buckets"]  # the SDK inside the function was pointed at sluice
    assert out1["region"] == "us-east-1" and out1["mine"] == "yes" and out1["task_root"]
    log = base64.b64decode(r2["LogResult"]).decode()
    assert log.startswith("START RequestId: %s Version: $LATEST\n" % out2["aws_request_id"])
    assert "handling 2\n" in log
    assert "END RequestId: %s\n" % out2["aws_request_id"] in log
    assert "REPORT RequestId: %s\tDuration: " % out2["aws_request_id"] in log
    assert "\tMemory Size: 256 MB\t" in log


def test_python_errors_have_lambdas_shape(lam):
    name = create(lam, "def handler(event, context):\n    raise ValueError('bad ' + event['x'])\n")
    r, out = invoke(lam, name, {"x": "input"})
    assert r["StatusCode"] == 200 and r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "ValueError"
    assert out["errorMessage"] == "bad input"
    assert out["requestId"]
    assert len(out["stackTrace"]) == 1 and "in handler" in out["stackTrace"][0]
    # Not serialisable result
    name2 = create(lam, "def handler(event, context):\n    return {1, 2}\n")
    r, out = invoke(lam, name2)
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.MarshalError"
    assert out["errorMessage"] == "Unable to marshal response: Object of type set is not JSON serializable"


def test_import_and_handler_errors_are_init_errors(lam):
    missing_module = create(lam, "x = 1\n", handler="nope.handler")
    r, out = invoke(lam, missing_module)
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.ImportModuleError"
    assert out["errorMessage"] == "Unable to import module 'nope': No module named 'nope'"
    missing_handler = create(lam, "x = 1\n", handler="app.nothere")
    r, out = invoke(lam, missing_handler)
    assert out["errorType"] == "Runtime.HandlerNotFound"
    assert out["errorMessage"] == "Handler 'nothere' missing on module 'app'"


def test_timeout_kills_the_process_and_the_next_invocation_gets_a_new_one(lam):
    code = ("import time\nCALLS = 0\ndef handler(event, context):\n    global CALLS\n    CALLS += 1\n"
            "    if event.get('sleep'):\n        time.sleep(60)\n    return CALLS\n")
    name = create(lam, code, Timeout=1)
    assert invoke(lam, name)[1] == 1
    r, out = invoke(lam, name, {"sleep": True}, LogType="Tail")
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Sandbox.Timedout"
    assert out["errorMessage"].endswith(" Task timed out after 1.00 seconds")
    assert "Task timed out after 1.00 seconds" in base64.b64decode(r["LogResult"]).decode()
    # The killed process is gone: a fresh one counts from 1 again.
    assert invoke(lam, name)[1] == 1


def test_crashing_process_is_unhandled_and_replaced(lam):
    code = "import os\ndef handler(event, context):\n    if event.get('die'):\n        os._exit(3)\n    return 'ok'\n"
    name = create(lam, code)
    r, out = invoke(lam, name, {"die": True})
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.ExitError"
    assert out["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")
    assert invoke(lam, name)[1] == "ok"


def test_node_function(lam):
    code = ("let calls = 0;\nexports.handler = async (event, context) => {\n  calls += 1;\n"
            "  if (event.fail) throw new TypeError('node failed');\n"
            "  return {event, calls, name: context.functionName, arn: context.invokedFunctionArn,\n"
            "          remaining: context.getRemainingTimeInMillis() > 0};\n};\n")
    name = create(lam, {"index.js": code}, runtime="nodejs20.x", handler="index.handler")
    _, out = invoke(lam, name, {"a": 1})
    assert out["event"] == {"a": 1} and out["calls"] == 1 and out["name"] == name and out["remaining"]
    assert invoke(lam, name)[1]["calls"] == 2
    r, out = invoke(lam, name, {"fail": True})
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "TypeError" and out["errorMessage"] == "node failed"


BOOTSTRAP = """#!/bin/sh
# A provided-runtime function in shell: upper-cases the event's "text".
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS=$(mktemp)
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)
  TEXT=$(printf '%s' "$EVENT" | sed 's/.*"text": *"\\([^"]*\\)".*/\\1/' | tr a-z A-Z)
  curl -sS -X POST "$API/invocation/$ID/response" -d "{\\"text\\": \\"$TEXT\\", \\"handler\\": \\"$_HANDLER\\"}" >/dev/null
  rm -f "$HEADERS"
done
"""


def test_provided_bootstrap(lam):
    name = create(lam, {"bootstrap": BOOTSTRAP}, runtime="provided.al2023", handler="my.handler",
                  modes={"bootstrap": 0o755})
    _, out = invoke(lam, name, {"text": "hello"})
    assert out == {"text": "HELLO", "handler": "my.handler"}
    _, out = invoke(lam, name, {"text": "again"})
    assert out["text"] == "AGAIN"


def test_event_and_dry_run_invocations(lam, server):
    s3 = s3_client(server.url)
    bucket = fresh("evt")
    s3.create_bucket(Bucket=bucket)
    code = ("import boto3\ndef handler(event, context):\n"
            "    boto3.client('s3').put_object(Bucket=event['bucket'], Key='done', Body=b'x')\n")
    name = create(lam, code)
    r = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"bucket": bucket}))
    assert r["StatusCode"] == 202
    deadline = time.time() + 30
    while time.time() < deadline:  # the queued invocation runs; wait for its effect
        if s3.list_objects_v2(Bucket=bucket).get("KeyCount"):
            break
        time.sleep(0.05)
    assert s3.get_object(Bucket=bucket, Key="done")["Body"].read() == b"x"
    assert lam.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204


def test_crud_paging_updates_and_revisions(lam):
    prefix = fresh("crud")
    names = [create(lam, "def handler(e, c):\n    return 'v1'\n", FunctionName="%s-%d" % (prefix, i),
                    Description="d%d" % i, Tags={"k": str(i)}) for i in range(3)]
    got = lam.get_function(FunctionName=names[0])
    assert got["Configuration"]["State"] == "Active"
    assert got["Configuration"]["Description"] == "d0"
    assert got["Tags"] == {"k": "0"}
    cfg = lam.get_function_configuration(FunctionName=names[1])
    assert cfg["Handler"] == "app.handler" and cfg["Timeout"] == 3 and cfg["MemorySize"] == 128
    seen = []
    for page in lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1}):
        assert len(page["Functions"]) <= 1
        seen += [f["FunctionName"] for f in page["Functions"]]
    assert all(n in seen for n in names)

    assert invoke(lam, names[0])[1] == "v1"
    up = lam.update_function_code(FunctionName=names[0], ZipFile=zip_of({"app.py": "def handler(e, c):\n    return 'v2'\n"}))
    assert up["LastUpdateStatus"] == "InProgress"
    assert lam.get_function(FunctionName=names[0])["Configuration"]["LastUpdateStatus"] == "Successful"
    assert invoke(lam, names[0])[1] == "v2"  # the warm v1 process was retired

    rev = lam.get_function_configuration(FunctionName=names[0])["RevisionId"]
    with pytest.raises(lam.exceptions.PreconditionFailedException) as e:
        lam.update_function_configuration(FunctionName=names[0], Timeout=10, RevisionId="not-" + rev)
    assert error_of(e)[1] == 412
    up = lam.update_function_configuration(FunctionName=names[0], Timeout=10, RevisionId=rev,
                                           Environment={"Variables": {"A": "1"}})
    assert up["Timeout"] == 10 and up["Environment"]["Variables"] == {"A": "1"}

    lam.delete_function(FunctionName=names[2])
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_function(FunctionName=names[2])
    assert error_of(e) == ("ResourceNotFoundException", 404,
                           "Function not found: arn:aws:lambda:us-east-1:000000000000:function:" + names[2])
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName=names[2])


def test_permissions_tags_and_concurrency(lam):
    name = create(lam, "def handler(e, c):\n    return 1\n")
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    st = lam.add_permission(FunctionName=name, StatementId="s1", Action="lambda:InvokeFunction",
                            Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::b")
    statement = json.loads(st["Statement"])
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"} and statement["Resource"] == arn
    policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["s1"]
    with pytest.raises(lam.exceptions.ResourceConflictException) as e:
        lam.add_permission(FunctionName=name, StatementId="s1", Action="lambda:InvokeFunction", Principal="*")
    assert error_of(e)[1] == 409
    lam.remove_permission(FunctionName=name, StatementId="s1")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_policy(FunctionName=name)
    assert error_of(e) == ("ResourceNotFoundException", 404, "The resource you requested does not exist.")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.remove_permission(FunctionName=name, StatementId="s1")

    lam.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
    lam.untag_resource(Resource=arn, TagKeys=["a"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}

    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 0
    with pytest.raises(lam.exceptions.TooManyRequestsException) as e:
        lam.invoke(FunctionName=name)
    assert error_of(e)[:2] == ("TooManyRequestsException", 429)
    lam.delete_function_concurrency(FunctionName=name)
    assert invoke(lam, name)[1] == 1


def test_code_from_the_object_store(lam, server):
    s3 = s3_client(server.url)
    bucket = fresh("code")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="fn.zip", Body=zip_of({"app.py": "def handler(e, c):\n    return 's3'\n"}))
    name = fresh()
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"S3Bucket": bucket, "S3Key": "fn.zip"})
    assert invoke(lam, name)[1] == "s3"
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.create_function(FunctionName=fresh(), Runtime="python3.12", Role=ROLE, Handler="app.handler",
                            Code={"S3Bucket": bucket, "S3Key": "missing.zip"})
    assert error_of(e) == ("InvalidParameterValueException", 400,
                           "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The "
                           "specified key does not exist.")


def test_bad_input_gets_lambdas_errors_and_changes_nothing(lam):
    existing = create(lam, "def handler(e, c):\n    return 1\n")
    cases = [
        (dict(FunctionName=existing), "ResourceConflictException", 409, "Function already exist: " + existing),
        (dict(Code={"ZipFile": b"not a zip"}), "InvalidParameterValueException", 400,
         "Could not unzip uploaded file. Please check your file, then try to upload again."),
        (dict(Code={"ZipFile": zip_of({"../escape.py": "x"})}), "InvalidParameterValueException", 400,
         "Could not unzip uploaded file. Please check your file, then try to upload again."),
        (dict(Runtime="python9.9"), "ValidationException", 400, None),
        (dict(Runtime="java21"), "InvalidParameterValueException", 400, None),
        (dict(Timeout=901), "ValidationException", 400,
         "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have "
         "value less than or equal to 900"),
        (dict(MemorySize=20000), "ValidationException", 400, None),
        (dict(Environment={"Variables": {"AWS_REGION": "x"}}), "InvalidParameterValueException", 400,
         "Lambda was unable to configure your environment variables because the environment variables you have "
         "provided contains reserved keys that are currently not supported for modification. Reserved keys used "
         "in this request: AWS_REGION"),
        (dict(Role="not-a-role"), "ValidationException", 400, None),
    ]
    for override, code, status, message in cases:
        args = dict(FunctionName=fresh("bad"), Runtime="python3.12", Role=ROLE, Handler="app.handler",
                    Code={"ZipFile": zip_of({"app.py": "x=1"})})
        args.update(override)
        with pytest.raises(lam.exceptions.ClientError) as e:
            lam.create_function(**args)
        got = error_of(e)
        assert got[:2] == (code, status), (override, got)
        if message:
            assert got[2] == message
        if override.get("FunctionName") != existing:
            with pytest.raises(lam.exceptions.ResourceNotFoundException):
                lam.get_function(FunctionName=args["FunctionName"])
    assert "Runtime.ImportModuleError" not in invoke(lam, existing)[1].__class__.__name__

    with pytest.raises(lam.exceptions.ClientError) as e:
        lam.invoke(FunctionName=existing, Payload=b"x" * (6 * 1024 * 1024 + 1))
    assert error_of(e) == ("RequestEntityTooLargeException", 413,
                           "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
    with pytest.raises(lam.exceptions.ClientError) as e:
        lam.invoke(FunctionName=existing, InvocationType="Event", Payload=b"x" * (1024 * 1024 + 1))
    assert error_of(e) == ("RequestEntityTooLargeException", 413,
                           "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)")
    with pytest.raises(lam.exceptions.InvalidRequestContentException) as e:
        lam.invoke(FunctionName=existing, Payload=b"{not json")
    assert error_of(e)[1] == 400
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.invoke(FunctionName="no-such-function")
    assert error_of(e) == ("ResourceNotFoundException", 404,
                           "Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function")


def test_deprecated_runtime_warns_and_strict_refuses_as_aws(start_sluice):
    lenient = start_sluice()
    lam = lambda_client(lenient.url)
    name = create(lam, "def handler(e, c):\n    return 'old'\n", runtime="python3.6")
    assert invoke(lam, name)[1] == "old"  # runs on the machine's python3
    code, err = lenient.stop()
    assert code == 0
    assert err.count("runtime python3.6 is deprecated") == 1, err
    assert "use python3.13" in err

    strict = start_sluice("--strict-runtimes", dir=lenient.data_dir + "-strict")
    lam = lambda_client(strict.url)
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        create(lam, "x=1", runtime="python3.6")
    assert error_of(e) == ("InvalidParameterValueException", 400,
                           "The runtime parameter of python3.6 is no longer supported for creating or updating AWS "
                           "Lambda functions. We recommend you use the new runtime (python3.13) while creating or "
                           "updating functions.")


def test_functions_survive_a_restart(start_sluice, data_dir):
    s = start_sluice()
    lam = lambda_client(s.url)
    name = create(lam, "def handler(e, c):\n    return e['v'] * 2\n")
    assert s.stop()[0] == 0
    s2 = start_sluice()
    lam = lambda_client(s2.url)
    assert lam.get_function(FunctionName=name)["Configuration"]["Handler"] == "app.handler"
    assert invoke(lam, name, {"v": 21})[1] == 42


def test_aws_cli_create_and_invoke(server, tmp_path):
    pkg = tmp_path / "fn.zip"
    pkg.write_bytes(zip_of({"app.py": "def handler(e, c):\n    return {'got': e}\n"}))
    name = fresh("cli")
    r = run(["/usr/bin/aws", "--endpoint-url", server.url, "lambda", "create-function", "--function-name", name,
             "--runtime", "python3.12", "--role", ROLE, "--handler", "app.handler",
             "--zip-file", "fileb://" + str(pkg)], env=ENV, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["FunctionName"] == name
    out = tmp_path / "out.json"
    r = run(["/usr/bin/aws", "--endpoint-url", server.url, "lambda", "invoke", "--function-name", name,
             "--cli-binary-format", "raw-in-base64-out", "--payload", '{"k": "v"}', str(out)], env=ENV, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["StatusCode"] == 200
    assert json.loads(out.read_text()) == {"got": {"k": "v"}}
    r = run(["/usr/bin/aws", "--endpoint-url", server.url, "lambda", "get-function", "--function-name", "nope"],
            env=ENV, timeout=60)
    assert r.returncode != 0
    assert "ResourceNotFoundException" in r.stderr


def test_python_functions_get_an_interpreter_with_boto3(start_sluice, monkeypatch, tmp_path):
    # The first python3 on PATH cannot import boto3 (site-packages off): sluice passes it by.
    shadow = tmp_path / "bin"
    shadow.mkdir()
    (shadow / "python3").write_text("#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n")
    (shadow / "python3").chmod(0o755)
    marked = tmp_path / "marked-python"
    marked.write_text("#!/bin/sh\nSLUICE_TEST_MARK=picked exec /usr/bin/python3 \"$@\"\n")
    marked.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (shadow, os.environ["PATH"]))
    code = ("import os, sys, boto3\ndef handler(e, c):\n"
            "    return [sys.executable, os.environ.get('SLUICE_TEST_MARK'), boto3.__name__]\n")
    s = start_sluice()
    lam = lambda_client(s.url)
    name = create(lam, code)
    exe, mark, mod = invoke(lam, name)[1]
    assert exe != str(shadow / "python3") and mod == "boto3" and mark is None
    code_, err = s.stop()
    assert code_ == 0
    assert "python3.x runtimes run on" in err

    # --python overrides the choice.
    s = start_sluice("--python", str(marked), dir=s.data_dir + "-override")
    lam = lambda_client(s.url)
    name = create(lam, code)
    assert invoke(lam, name)[1][1] == "picked"


def test_cpp_example_bootstrap(lam, tmp_path):
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "examples", "functions", "cpp-bootstrap", "bootstrap.cc")
    exe = tmp_path / "bootstrap"
    r = run(["g++", "-std=c++20", "-O1", "-o", str(exe), src], timeout=120)
    assert r.returncode == 0, r.stderr
    name = create(lam, {"bootstrap": exe.read_bytes()}, runtime="provided.al2", handler="unused",
                  modes={"bootstrap": 0o755})
    _, out = invoke(lam, name, "abc")
    assert out == {"length": 5, "reversed": '"cba"'}


def test_concurrent_invocations_get_a_process_each(lam, tmp_path):
    # A holds its process until B (which needs a second process) opens the gate.
    gate = tmp_path / "gate"
    code = ("import os, time\ndef handler(event, context):\n"
            "    if event['role'] == 'a':\n"
            "        deadline = time.time() + 20\n"
            "        while not os.path.exists(event['gate']) and time.time() < deadline:\n"
            "            time.sleep(0.01)\n"
            "        return [os.getpid(), os.path.exists(event['gate'])]\n"
            "    open(event['gate'], 'w').close()\n"
            "    return [os.getpid(), True]\n")
    name = create(lam, code, Timeout=30)
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        a = pool.submit(invoke, lambda_client(lam.meta.endpoint_url), name, {"role": "a", "gate": str(gate)})
        b = pool.submit(invoke, lambda_client(lam.meta.endpoint_url), name, {"role": "b", "gate": str(gate)})
        (pid_a, opened), (pid_b, _) = a.result()[1], b.result()[1]
    assert opened and pid_a != pid_b


def test_memory_size_bounds_the_process(lam):
    code = "def handler(event, context):\n    return len(bytearray(event['mb'] * 1024 * 1024))\n"
    name = create(lam, code, MemorySize=128)
    assert invoke(lam, name, {"mb": 1})[1] == 1024 * 1024
    r, out = invoke(lam, name, {"mb": 512})
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "MemoryError"
