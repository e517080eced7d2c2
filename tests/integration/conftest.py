"""Fixtures that start the real sluice binary on a free loopback port."""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLUICE_BIN = os.environ.get("SLUICE_BIN", os.path.join(REPO, "build", "sluice"))
START_TIMEOUT_S = 10


class Sluice:
    """One running `sluice serve` process."""

    def __init__(self, data_dir, extra_args=(), scheme="http"):
        self.data_dir = data_dir
        self.args = [SLUICE_BIN, "serve", "--data-dir", data_dir, "--port", "0",
                     *extra_args]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self._first_line()
        m = re.search(r"serving on (https?)://([0-9.]+):(\d+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("sluice did not start: %r %r" % (line, self.proc.stderr.read()))
        self.scheme, self.host, self.port = m.group(1), m.group(2), int(m.group(3))
        self.url = "%s://%s:%d" % (self.scheme, self.host, self.port)

    def _first_line(self):
        deadline = time.time() + START_TIMEOUT_S
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if line:
                return line
            if self.proc.poll() is not None:
                return ""
        return ""

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Signals the server and returns (exit code, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("sluice did not stop within %ss of %s" % (timeout, sig))
        return self.proc.returncode, self.proc.stderr.read()


@pytest.fixture
def data_dir():
    with tempfile.TemporaryDirectory(prefix="sluice-it-") as d:
        yield os.path.join(d, "data")


@pytest.fixture
def start_sluice(data_dir):
    """Factory: start_sluice(*extra_args) -> Sluice; every one is stopped afterwards and
    must exit 0 on SIGTERM."""
    started = []

    def start(*extra_args, dir=None):
        s = Sluice(dir or data_dir, extra_args)
        started.append(s)
        return s

    yield start
    for s in started:
        if s.proc.poll() is None:
            code, err = s.stop()
            assert code == 0, err


@pytest.fixture
def sluice(start_sluice):
    return start_sluice()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Sluice(str(tmp_path_factory.mktemp("sluice") / "data"))
    yield s
    code, err = s.stop()
    assert code == 0, err


@pytest.fixture(scope="module")
def module_sluice(tmp_path_factory):
    """One server shared by a module's tests (each test uses its own stream names)."""
    s = Sluice(str(tmp_path_factory.mktemp("sluice") / "data"), ("--shard-limit", "400"))
    yield s
    code, err = s.stop()
    assert code == 0, err


def kinesis_client(url):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "kinesis", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        # One attempt: botocore's retries (with up to seconds of backoff) would hide the
        # throttling and errors the tests look for.
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))


def recv_until_closed(sock, tolerate_timeout=False):
    """Everything the peer sends until it closes the connection. A socket timeout ends
    the read when tolerate_timeout is set, and fails the test otherwise."""
    chunks = []
    while True:
        try:
            b = sock.recv(65536)
        except socket.timeout:
            if tolerate_timeout:
                break
            raise
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks)


def run(cmd, timeout=30, **kw):
    """Runs a client command; returns CompletedProcess (text)."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
