"""SigV4 authentication against the real binary started with --credentials: real
clients (boto3, the AWS CLI) with the right secret succeed, with a wrong secret or an
unknown key get AWS's exact errors; skew, presigned expiry, payload hashes and chunk
signatures are checked; the startup rules for serving without credentials hold."""
import datetime
import hashlib
import os
import subprocess
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config

from conftest import SLUICE_BIN, run
from sigv4_sign import Signer

KEY, SECRET = "AKIDSLUICETEST", "right-secret"
KEY2, SECRET2 = "AKIDSECONDPROFILE", "second-secret"


@pytest.fixture
def creds_file(tmp_path):
    p = tmp_path / "credentials"
    p.write_text("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n"
                 "[other]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (KEY, SECRET, KEY2, SECRET2))
    return str(p)


@pytest.fixture
def server(start_sluice, creds_file):
    return start_sluice("--credentials", creds_file, "--create-stream-ms", "0")


def client(service, url, key=KEY, secret=SECRET, **config):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret,
                        config=Config(retries={"total_max_attempts": 1}, **config))


def error_of(excinfo):
    r = excinfo.value.response
    return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"].get("Message", "")


def raw(server, method, path, headers, body=b""):
    req = urllib.request.Request(server.url + path, data=body if body else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def host(server):
    return "%s:%d" % (server.host, server.port)


def test_kinesis_with_the_right_secret_puts_and_gets(server):
    k = client("kinesis", server.url)
    k.create_stream(StreamName="auth", ShardCount=1)
    put = k.put_record(StreamName="auth", Data=b"signed record", PartitionKey="p")
    it = k.get_shard_iterator(StreamName="auth", ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON")
    assert k.get_records(ShardIterator=it["ShardIterator"])["Records"][0]["Data"] == b"signed record"
    # Every profile of the file is accepted.
    assert "auth" in client("kinesis", server.url, KEY2, SECRET2).list_streams()["StreamNames"]


def test_kinesis_wrong_secret_and_unknown_key_are_refused_as_aws_does(server):
    with pytest.raises(Exception) as e:
        client("kinesis", server.url, secret="wrong").list_streams()
    code, status, message = error_of(e)
    assert (code, status) == ("InvalidSignatureException", 400)
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    with pytest.raises(Exception) as e:
        client("kinesis", server.url, key="AKIDUNKNOWN").list_streams()
    assert error_of(e) == ("UnrecognizedClientException", 400, "The security token included in the request is invalid.")


def test_kinesis_skew_over_five_minutes_is_signature_expired(server):
    s = Signer(KEY, SECRET, "kinesis", when=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=6))
    body = b"{}"
    h = s.headers("POST", "/", host(server), hashlib.sha256(body).hexdigest(),
                  {"x-amz-target": "Kinesis_20131202.ListStreams", "content-type": "application/x-amz-json-1.1"})
    status, answer = raw(server, "POST", "/", h, body)
    assert status == 400
    assert b'"__type":"InvalidSignatureException"' in answer.replace(b" ", b"")
    assert b"Signature expired: " + s.date.encode() + b" is now earlier than" in answer


def test_s3_with_the_right_secret_puts_gets_multipart_and_presigned(server):
    s3 = client("s3", server.url, s3={"addressing_style": "path"})
    s3.create_bucket(Bucket="authb")
    s3.put_object(Bucket="authb", Key="k", Body=b"hello")
    assert s3.get_object(Bucket="authb", Key="k")["Body"].read() == b"hello"
    up = s3.create_multipart_upload(Bucket="authb", Key="big")
    part = os.urandom(5 << 20)
    etags = [s3.upload_part(Bucket="authb", Key="big", UploadId=up["UploadId"], PartNumber=n, Body=part)["ETag"]
             for n in (1, 2)]
    s3.complete_multipart_upload(Bucket="authb", Key="big", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"ETag": e, "PartNumber": n} for n, e in zip((1, 2), etags)]})
    assert s3.head_object(Bucket="authb", Key="big")["ContentLength"] == 10 << 20
    # boto3 presigns with SigV2 unless told otherwise; sluice verifies SigV4 only.
    v4 = client("s3", server.url, s3={"addressing_style": "path"}, signature_version="s3v4")
    url = v4.generate_presigned_url("get_object", Params={"Bucket": "authb", "Key": "k"}, ExpiresIn=300)
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.read() == b"hello"


def test_s3_errors_are_s3s(server):
    client("s3", server.url, s3={"addressing_style": "path"}).create_bucket(Bucket="errs")
    with pytest.raises(Exception) as e:
        client("s3", server.url, secret="wrong").list_objects_v2(Bucket="errs")
    assert error_of(e)[:2] == ("SignatureDoesNotMatch", 403)
    assert "StringToSign" in e.value.response["Error"] and "CanonicalRequest" in e.value.response["Error"]
    with pytest.raises(Exception) as e:
        client("s3", server.url, key="AKIDUNKNOWN").list_objects_v2(Bucket="errs")
    assert error_of(e) == ("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.")
    # Anonymous: AccessDenied, and nothing is created.
    status, body = raw(server, "PUT", "/errs/anon", {}, b"data")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    # Skewed by more than 15 minutes.
    old = Signer(KEY, SECRET, "s3", when=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=16))
    status, body = raw(server, "GET", "/errs", old.headers("GET", "/errs", host(server), "UNSIGNED-PAYLOAD"))
    assert status == 403 and b"<Code>RequestTimeTooSkewed</Code>" in body and b"<MaxAllowedSkewMilliseconds>900000<" in body
    # A body that is not the one whose hash was signed.
    now = Signer(KEY, SECRET, "s3")
    h = now.headers("PUT", "/errs/swapped", host(server), hashlib.sha256(b"promised").hexdigest())
    status, body = raw(server, "PUT", "/errs/swapped", h, b"delivered")
    assert status == 400 and b"<Code>XAmzContentSHA256Mismatch</Code>" in body
    # An expired presigned URL.
    past = Signer(KEY, SECRET, "s3", when=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2))
    status, body = raw(server, "GET", past.presign("GET", "/errs/anon", host(server), 60), {})
    assert status == 403 and b"<Code>AccessDenied</Code>" in body and b"<Message>Request has expired</Message>" in body
    s3 = client("s3", server.url, s3={"addressing_style": "path"})
    assert s3.list_objects_v2(Bucket="errs")["KeyCount"] == 0


def test_s3_signed_chunked_upload_checks_every_chunk_signature(server):
    client("s3", server.url, s3={"addressing_style": "path"}).create_bucket(Bucket="chunks")
    data = os.urandom(200_000)

    def put(key, tamper=None):
        s = Signer(KEY, SECRET, "s3")
        h = s.headers("PUT", "/chunks/" + key, host(server), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                      {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data))})
        return raw(server, "PUT", "/chunks/" + key, h, s.chunked(data, tamper_chunk=tamper))

    assert put("good")[0] == 200
    status, body = put("bad", tamper=2)
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
    s3 = client("s3", server.url, s3={"addressing_style": "path"})
    assert s3.get_object(Bucket="chunks", Key="good")["Body"].read() == data
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="chunks")["Contents"]] == ["good"]


def aws_cli(server, *args, secret=SECRET, key=KEY, tmp):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=str(tmp / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp / "none"))
    return run(["aws", "--endpoint-url", server.url, *args], env=env, timeout=60)


def test_aws_cli_with_right_and_wrong_secrets(server, tmp_path):
    src = tmp_path / "f.txt"
    src.write_bytes(b"via the cli")
    assert aws_cli(server, "s3", "mb", "s3://clib", tmp=tmp_path).returncode == 0
    assert aws_cli(server, "s3", "cp", str(src), "s3://clib/f.txt", tmp=tmp_path).returncode == 0
    assert aws_cli(server, "kinesis", "list-streams", tmp=tmp_path).returncode == 0
    bad = aws_cli(server, "kinesis", "list-streams", secret="wrong", tmp=tmp_path)
    assert bad.returncode != 0 and "InvalidSignatureException" in bad.stderr
    bad = aws_cli(server, "s3api", "list-objects-v2", "--bucket", "clib", key="AKIDUNKNOWN", tmp=tmp_path)
    assert bad.returncode != 0 and "InvalidAccessKeyId" in bad.stderr


def test_without_credentials_loopback_serves_and_says_so(start_sluice):
    s = start_sluice()
    status, _ = raw(s, "PUT", "/anyone", {})
    assert status == 200
    code, err = s.stop()
    assert code == 0 and "authentication off" in err


def test_non_loopback_bind_without_credentials_is_refused(data_dir):
    p = subprocess.run([SLUICE_BIN, "serve", "--data-dir", data_dir, "--bind", "0.0.0.0", "--port", "0"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "--allow-anonymous" in lines[0] and "--credentials" in lines[0], p.stderr


def test_js_sdk_v3_signs_kinesis_over_http2_and_s3_trailer_uploads_that_verify(start_sluice, tmp_path):
    """The JS SDK's own checks (tests/node) against a server that verifies: HTTP/2
    Kinesis, and S3 uploads with aws-chunked checksum trailers and multipart."""
    import json
    from test_node_sdk import node_peers as _peers  # noqa: F401  (the fixture's checks)
    import shutil
    node_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "node")
    if shutil.which("node") is None or not os.path.isdir(os.path.join(node_dir, "node_modules", "@aws-sdk")):
        pytest.fail("node and the npm test peers are required (scripts/setup installs them)")
    creds = tmp_path / "credentials"
    creds.write_text("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n")
    s = start_sluice("--credentials", str(creds), "--create-stream-ms", "0")
    for script in ("kinesis_sdk_check.mjs", "s3_sdk_check.mjs"):
        r = run(["node", os.path.join(node_dir, script), s.url], timeout=120)
        assert r.returncode == 0, script + r.stdout + r.stderr
        json.loads(r.stdout.strip().splitlines()[-1])
    # The same SDK with a secret sluice does not know is refused.
    creds.write_text("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = other\n")
    t = start_sluice("--credentials", str(creds), dir=str(tmp_path / "d2"))
    r = run(["node", os.path.join(node_dir, "kinesis_sdk_check.mjs"), t.url], timeout=120)
    assert r.returncode != 0 and "InvalidSignatureException" in (r.stdout + r.stderr)
