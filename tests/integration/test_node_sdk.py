"""The AWS SDK for JavaScript v3, unmodified: the Kinesis client on its default HTTP/2
transport (kinesalite has failed it for years: its issues #75 and #118), and the S3
client with its default request checksums and aws-chunked trailers; the Firehose client
on its default HTTP/1.1 transport and on its HTTP/2 handler."""
import json
import base64
import zlib
import os
import shutil

import pytest

from conftest import REPO, run

NODE_DIR = os.path.join(REPO, "tests", "node")


@pytest.fixture(scope="module")
def node_peers():
    if shutil.which("node") is None:
        pytest.fail("node is required for this suite (scripts/setup installs the test peers)")
    if not all(os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@aws-sdk", c))
               for c in ("client-kinesis", "client-s3", "client-firehose")):
        r = run(["npm", "ci", "--prefix", NODE_DIR, "--no-progress"], timeout=300)
        assert r.returncode == 0, r.stderr
    return NODE_DIR


def test_js_sdk_v3_kinesis_over_http2(node_peers, sluice):
    r = run(["node", os.path.join(node_peers, "kinesis_sdk_check.mjs"), sluice.url], timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["status"] == "ACTIVE"
    assert out["created"] is True
    assert out["failed"] == 0
    assert out["shards"] == 2
    assert out["read"] == 101
    assert out["binary"] is True
    assert out["notFound"] == "ResourceNotFoundException"
    assert out["http2Sessions"] >= 1, "the SDK's default handler must have used HTTP/2"


def test_js_sdk_v3_s3_with_default_checksums(node_peers, sluice):
    r = run(["node", os.path.join(node_peers, "s3_sdk_check.mjs"), sluice.url], timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["smallEtag"] is True
    # The SDK sent a CRC32 by default; sluice verified it and answered it.
    assert out["smallChecksum"] == base64.b64encode(
        zlib.crc32(b"hello from the js sdk").to_bytes(4, "big")).decode()
    assert out["smallStoredChecksum"] == out["smallChecksum"] and out["smallRoundTrip"] is True
    assert out["bigSha256"] is True
    assert out["streamedFraming"] == {"sha": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "encoding": "aws-chunked",
                                      "trailer": "x-amz-checksum-crc32"}
    assert out["bigRoundTrip"] and out["streamedRoundTrip"] and out["multipartRoundTrip"]
    assert out["keys"] == ["big.bin", "mp.bin", "small.txt", "streamed.bin"]
    assert out["missing"] == "NoSuchKey"


def test_js_sdk_v3_firehose_over_http1_and_http2(node_peers, sluice):
    import boto3
    s3 = boto3.client("s3", endpoint_url=sluice.url, region_name="us-east-1",
                      aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    s3.create_bucket(Bucket="node-firehose")
    r = run(["node", os.path.join(node_peers, "firehose_sdk_check.mjs"), sluice.url, "node-firehose"], timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    for transport in ("http1", "http2"):
        seen = out[transport]
        assert seen["arn"] == "arn:aws:firehose:us-east-1:000000000000:deliverystream/" + seen["name"]
        assert seen["status"] == "ACTIVE" and seen["created"] is True and seen["type"] == "DirectPut"
        assert (seen["failed"], seen["ids"]) == (0, 50)
        # An empty batch breaks the Records member's length constraint, as AWS says it.
        assert seen["badRequest"] == {
            "name": "ValidationException", "status": 400,
            "message": "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
                       "Member must have length greater than or equal to 1"}, seen["badRequest"]
        assert (seen["http2Sessions"] >= 1) == (transport == "http2"), seen
        assert seen["notFound"] == {
            "name": "ResourceNotFoundException", "status": 400,
            "message": "Firehose %s-missing under account 000000000000 not found." % seen["name"]}, seen["notFound"]
