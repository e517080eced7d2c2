"""`sluice serve --lake-endpoint`: the lake in a remote S3-compatible store, s3rver (npm,
in tests/node) standing in for AWS S3 or MinIO. The taxi pipeline is deployed with its own
scripts (built-in consumers); Firehose and write_to_s3 deliver to the remote store and
`sluice query` reads the lake from there, while the S3 API on the sluice port stays local."""
import os
import signal
import socket
import subprocess
import time

import boto3
import pytest
from botocore.config import Config

from conftest import REPO
from test_pipeline_example import DELIVERY, create_tables, produce, query, script, wait_for_lake
from test_s3 import ENV, s3_client

S3RVER = os.path.join(REPO, "tests", "node", "node_modules", "s3rver", "bin", "s3rver.js")
LAKE = "streaming-pipeline-dev-output"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3rver(tmp_path):
    assert os.path.exists(S3RVER), "run scripts/setup (npm ci in tests/node)"
    port = free_port()
    proc = subprocess.Popen(["node", S3RVER, "-d", str(tmp_path / "s3rver"), "-a", "127.0.0.1", "-p", str(port),
                             "--silent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    deadline = time.time() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.time() < deadline and proc.poll() is None, "s3rver did not start"
            time.sleep(0.05)
    yield url
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)


def remote_client(url):
    # s3rver's fixed credentials.
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="S3RVER",
                        aws_secret_access_key="S3RVER", config=Config(s3={"addressing_style": "path"}))


def keys(client, bucket, prefix):
    return [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for o in page.get("Contents", [])]


def test_firehose_and_write_to_s3_deliver_to_the_remote_lake_and_sql_reads_it(s3rver, start_sluice, monkeypatch,
                                                                               tmp_path):
    remote = remote_client(s3rver)
    remote.create_bucket(Bucket=LAKE)
    # The server signs its requests to the lake with the keys of its environment.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "S3RVER")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "S3RVER")
    server = start_sluice("--lake-endpoint", s3rver)
    env = dict(ENV, AWS_ENDPOINT_URL=server.url, DIST=str(tmp_path / "dist"))
    script(env, "deploy.sh", "--builtin")
    trips = produce(env, tmp_path, 800, seed=3)
    create_tables(env)
    assert wait_for_lake(env, "taxi_trajectories", len(trips)) == len(trips)
    assert wait_for_lake(env, "taxi_batches", len(trips)) == len(trips)
    rows = query(env, "SELECT trip_id FROM events.taxi_trajectories")
    assert sorted(r["trip_id"] for r in rows) == sorted(t["TRIP_ID"] for t in trips.values())

    # The objects are in the remote store, and only there.
    delivered = keys(remote, LAKE, "context=firehose_delivery/")
    batches = keys(remote, LAKE, "context=write_to_s3/")
    assert delivered and batches
    body = remote.get_object(Bucket=LAKE, Key=delivered[0])["Body"].read().decode()
    assert body.endswith("\n") and '"event_id"' in body.splitlines()[0]
    local = s3_client(server.url)
    assert keys(local, LAKE, "context=") == []
    # Query results stay in sluice's own S3, where `sluice query` made their bucket.
    assert keys(local, "sluice-query-results", "")
    assert DELIVERY in delivered[0]


def test_a_lake_endpoint_without_credentials_stops_the_server_at_start(tmp_path, monkeypatch):
    from conftest import SLUICE_BIN
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    r = subprocess.run([SLUICE_BIN, "serve", "--data-dir", str(tmp_path / "data"), "--port", "0",
                        "--lake-endpoint", "http://127.0.0.1:9"], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "--lake-endpoint http://127.0.0.1:9: no AWS credentials" in r.stderr
