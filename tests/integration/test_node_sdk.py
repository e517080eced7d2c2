"""The AWS SDK for JavaScript v3 Kinesis client, unmodified, on its default HTTP/2
transport (kinesalite has failed it for years: its issues #75 and #118)."""
import json
import os
import shutil

import pytest

from conftest import REPO, run

NODE_DIR = os.path.join(REPO, "tests", "node")


@pytest.fixture(scope="module")
def node_peers():
    if shutil.which("node") is None:
        pytest.fail("node is required for this suite (scripts/setup installs the test peers)")
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@aws-sdk", "client-kinesis")):
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
