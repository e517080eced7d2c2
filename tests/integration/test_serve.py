"""`sluice serve`: one port, HTTP/1.1 and HTTP/2, limits, timeouts, shutdown, bad input."""
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import time

import pytest

from conftest import SLUICE_BIN, recv_until_closed, run


def health_http1(port, host="127.0.0.1"):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/health")
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, json.loads(body)


def raw_request(port, data, timeout=5):
    """Sends raw bytes, returns everything the server sends until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        return recv_until_closed(s, tolerate_timeout=True)


def test_health_over_http1(sluice):
    status, body = health_http1(sluice.port)
    assert status == 200
    assert body["status"] == "ok"
    assert body["version"]


def test_keep_alive_serves_many_requests_on_one_connection(sluice):
    conn = http.client.HTTPConnection("127.0.0.1", sluice.port, timeout=10)
    for _ in range(5):
        conn.request("GET", "/health")
        resp = conn.getresponse()
        assert resp.status == 200
        resp.read()
    conn.close()


def test_pipelined_requests_are_answered_in_order(sluice):
    out = raw_request(sluice.port,
                      b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    first = out.find(b"HTTP/1.1 200")
    second = out.find(b"HTTP/1.1 404")
    assert 0 <= first < second


def test_health_over_http2_prior_knowledge(sluice):
    r = run(["curl", "-sS", "--http2-prior-knowledge", "-w", "\n%{http_version} %{http_code}",
             sluice.url + "/health"])
    assert r.returncode == 0, r.stderr
    body, _, tail = r.stdout.rpartition("\n")
    assert tail == "2 200"
    assert json.loads(body)["status"] == "ok"


def test_http2_multiplexes_concurrent_streams_on_one_connection(sluice):
    # nghttp (nghttp2's own client) sends every request at once on one connection.
    # (curl 7.88's --parallel with prior knowledge fails against any h2c server.)
    urls = ["%s/health?i=%d" % (sluice.url, i) for i in range(20)]
    urls += ["%s/missing?i=%d" % (sluice.url, i) for i in range(5)]
    r = run(["nghttp", "-v", "-n", "-m", "1", *urls])
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count(":status: 200") == 20
    assert r.stdout.count(":status: 404") == 5
    assert r.stdout.count("send HEADERS frame") == 25


def test_http2_body_over_limit_is_413(start_sluice, tmp_path):
    s = start_sluice("--max-body-bytes", "1024")
    big = tmp_path / "big"
    big.write_bytes(b"x" * 4096)
    r = run(["curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}",
             "--data-binary", "@" + str(big), s.url + "/health"])
    assert r.stdout == "413", r.stderr
    # The connection and server stay healthy.
    assert health_http1(s.port)[0] == 200


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
             "-days", "2", "-keyout", str(key), "-out", str(cert)])
    assert r.returncode == 0, r.stderr
    return str(cert), str(key)


def test_tls_negotiates_h2_and_http11_by_alpn(start_sluice, tls_pair):
    cert, key = tls_pair
    s = start_sluice("--tls-cert", cert, "--tls-key", key)
    assert s.scheme == "https"
    for flag, want in (("--http2", "2"), ("--http1.1", "1.1")):
        r = run(["curl", "-sS", "-k", flag, "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                 s.url + "/health"])
        assert r.returncode == 0, r.stderr
        assert r.stdout == want + " 200"
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", s.port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "h2"


def test_body_over_limit_is_rejected_before_it_is_read(start_sluice):
    s = start_sluice("--max-body-bytes", "1024")
    # The transport's own answer, where the route takes small bodies only.
    out = raw_request(s.port, b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 413")
    assert b"exceeds the limit of 1024 bytes" in out
    # The server-wide cap on buffered bodies, answered by the S3 route in S3's words
    # (EntityTooLarge is a 400 there); no body byte was sent.
    out = raw_request(s.port, b"POST /bucket?delete HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400")
    assert b"<Code>EntityTooLarge</Code>" in out
    # Object uploads stream to disk: only S3's 5 GiB bounds one PUT.
    out = raw_request(s.port, b"PUT /bucket/key HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                      % ((5 << 30) + 1))
    assert out.startswith(b"HTTP/1.1 400")
    assert b"<Code>EntityTooLarge</Code>" in out


def test_refusal_reaches_a_client_that_keeps_sending(start_sluice):
    """A refusal sent before the body is read must not be destroyed by a reset: the
    server half-closes and drops what still comes for a moment before closing."""
    s = start_sluice("--max-body-bytes", "1024")
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as c:
            c.sendall(b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n")
            c.sendall(b"z" * 4000000)  # the whole body, already refused
            out = b""
            while True:
                got = c.recv(65536)
                if not got:
                    break
                out += got
            assert out.startswith(b"HTTP/1.1 413"), out[:100]


def test_chunked_body_over_limit_is_413(start_sluice):
    s = start_sluice("--max-body-bytes", "1024")
    chunk = b"800\r\n" + b"y" * 0x800 + b"\r\n"
    out = raw_request(s.port, b"POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + chunk + b"0\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 413")


def test_oversized_headers_are_431(sluice):
    out = raw_request(sluice.port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000
                      + b"\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 431")


def test_malformed_request_is_400(sluice):
    out = raw_request(sluice.port, b"THIS IS NOT HTTP\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400")


def test_expect_100_continue_gets_interim_response(sluice):
    with socket.create_connection(("127.0.0.1", sluice.port), timeout=5) as s:
        s.sendall(b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        interim = s.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        s.sendall(b"hello")
        assert s.recv(4096).startswith(b"HTTP/1.1 405")


def test_slow_headers_are_cut_at_the_header_timeout(start_sluice):
    s = start_sluice("--header-timeout-ms", "300")
    with socket.create_connection(("127.0.0.1", s.port), timeout=5) as c:
        c.sendall(b"GET /health HTTP/1.1\r\n")
        t0 = time.time()
        assert c.recv(4096) == b""
        assert time.time() - t0 < 4


def test_idle_connection_is_closed_after_idle_timeout(start_sluice):
    s = start_sluice("--idle-timeout-ms", "300")
    with socket.create_connection(("127.0.0.1", s.port), timeout=5) as c:
        t0 = time.time()
        assert c.recv(4096) == b""
        assert time.time() - t0 < 4


def test_sigterm_finishes_a_request_in_flight(start_sluice):
    s = start_sluice()
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as c:
        c.sendall(b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        time.sleep(0.2)
        s.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # No new connections once draining.
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
        c.sendall(b"defghij")
        resp = recv_until_closed(c)
    assert resp.startswith(b"HTTP/1.1 405"), resp
    assert b"Connection: close" in resp or b"connection: close" in resp
    code, err = s.stop()
    assert code == 0
    assert 'msg="stopped"' in err


def test_sigterm_closes_idle_keep_alive_connections_promptly(start_sluice):
    s = start_sluice()
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    conn.request("GET", "/health")
    conn.getresponse().read()
    t0 = time.time()
    code, _ = s.stop(signal.SIGINT)
    assert code == 0
    assert time.time() - t0 < 5, "an idle connection must not hold shutdown for the grace period"
    conn.close()


H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
H2_EMPTY_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def h2_frame_types(data):
    """Frame types in a byte string of whole HTTP/2 frames (RFC 9113 §4.1)."""
    types, i = [], 0
    while i + 9 <= len(data):
        length = int.from_bytes(data[i:i + 3], "big")
        types.append(data[i + 3])
        i += 9 + length
    return types


def test_sigterm_sends_goaway_to_idle_http2_connections(start_sluice):
    s = start_sluice()
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as c:
        c.sendall(H2_PREFACE + H2_EMPTY_SETTINGS)
        time.sleep(0.2)
        s.proc.send_signal(signal.SIGTERM)
        t0 = time.time()
        data = recv_until_closed(c)
        assert time.time() - t0 < 5
    types = h2_frame_types(data)
    assert types[0] == 0x4, "server SETTINGS first"
    assert 0x7 in types, "GOAWAY before close: %r" % types
    code, _ = s.stop()
    assert code == 0


def test_taken_port_is_a_one_line_error(start_sluice, tmp_path):
    s = start_sluice()
    r = run([SLUICE_BIN, "serve", "--data-dir", str(tmp_path / "other"), "--port", str(s.port)])
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert ("127.0.0.1:%d" % s.port) in lines[0] and "in use" in lines[0]


def test_data_dir_in_use_is_refused(start_sluice, data_dir):
    start_sluice()
    r = run([SLUICE_BIN, "serve", "--data-dir", data_dir, "--port", "0"])
    assert r.returncode != 0
    assert data_dir in r.stderr and "in use by another sluice process" in r.stderr


def test_unusable_data_dir_is_named_and_left_alone(tmp_path):
    f = tmp_path / "a-file"
    f.write_text("keep me")
    for target in (str(f), str(f / "below")):
        r = run([SLUICE_BIN, "serve", "--data-dir", target, "--port", "0"])
        assert r.returncode != 0
        assert len(r.stderr.strip().splitlines()) == 1
        assert target in r.stderr
    assert f.read_text() == "keep me"


@pytest.mark.parametrize("args, needle", [
    (["--fsync", "sometimes"], "--fsync"),
    (["--fsync", "interval:0"], "--fsync"),
    (["--bind", "not-an-ip"], "--bind"),
    (["--port", "70000"], "--port"),
    (["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"], "--tls-cert"),
])
def test_bad_flags_are_rejected_with_the_flag_named(tmp_path, args, needle):
    r = run([SLUICE_BIN, "serve", "--data-dir", str(tmp_path / "d"), "--port", "0", *args])
    assert r.returncode != 0
    assert needle in r.stderr


def test_tls_needs_cert_and_key_together(tmp_path, tls_pair):
    cert, _ = tls_pair
    r = run([SLUICE_BIN, "serve", "--data-dir", str(tmp_path / "d"), "--port", "0",
             "--tls-cert", cert])
    assert r.returncode != 0
    assert "--tls-cert and --tls-key must be given together" in r.stderr


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def file_digest(path):
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_segment_of_a_newer_format_version_is_refused_by_name(start_sluice, data_dir):
    from conftest import kinesis_client
    s = start_sluice()
    kin = kinesis_client(s.url)
    kin.create_stream(StreamName="v", ShardCount=1)
    kin.put_record(StreamName="v", PartitionKey="k", Data=b"x")
    assert s.stop()[0] == 0
    seg_dir = os.path.join(data_dir, "streams", "1", "0")
    seg = os.path.join(seg_dir, sorted(f for f in os.listdir(seg_dir) if f.endswith(".log"))[0])
    with open(seg, "r+b") as f:
        header = bytearray(f.read(48))
        header[4] = 99  # format version
        header[8:12] = b"\0\0\0\0"
        header[8:12] = crc32c(bytes(header)).to_bytes(4, "little")
        f.seek(0)
        f.write(header)
    before = file_digest(seg)
    r = run([SLUICE_BIN, "serve", "--data-dir", data_dir, "--port", "0"])
    assert r.returncode != 0
    assert seg in r.stderr or os.path.basename(seg) in r.stderr, r.stderr
    assert "version" in r.stderr
    assert file_digest(seg) == before, "nothing modified"


def test_catalog_with_an_unknown_schema_version_is_refused_by_name(start_sluice, data_dir):
    import sqlite3
    s = start_sluice()
    assert s.stop()[0] == 0
    path = os.path.join(data_dir, "catalog.db")
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version (version, description, applied_at_ms) VALUES (999, 'future', 0)")
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = file_digest(path)
    r = run([SLUICE_BIN, "serve", "--data-dir", data_dir, "--port", "0"])
    assert r.returncode != 0
    assert path in r.stderr and "999" in r.stderr, r.stderr
    assert file_digest(path) == before, "nothing modified"
