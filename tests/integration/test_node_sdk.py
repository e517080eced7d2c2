"""The AWS SDK for JavaScript v3, unmodified: the Kinesis client on its default HTTP/2
transport (kinesalite has failed it for years: its issues #75 and #118), and the S3
client with its default request checksums and aws-chunked trailers."""
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
               for c in ("client-kinesis", "client-s3")):
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
