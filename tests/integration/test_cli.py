"""The `sluice` command line: usage errors (exit 2, one line, then the usage), serve
flags from SLUICE_* variables, and log lines that stay parseable whatever the values."""
import os
import re
import signal
import subprocess

import pytest

from conftest import SLUICE_BIN, START_TIMEOUT_S

USAGE_ERRORS = [
    # (arguments, first line of stderr, a line the usage that follows must hold)
    ([], "sluice: missing command", "commands:"),
    (["frobnicate"], "sluice: unknown command 'frobnicate'", "  produce   Stream a CSV into a Kinesis stream (sluice or AWS)"),
    (["--frob"], "sluice: unknown flag '--frob'", "commands:"),
    (["--log-level", "loud", "serve"], "sluice serve: --log-level: loud not in {trace,debug,info,warn,error}",
     "usage: sluice serve [FLAGS]"),
    (["serve", "--frob"], "sluice serve: unknown flag '--frob'", "usage: sluice serve [FLAGS]"),
    (["serve", "extra"], "sluice serve: unexpected argument 'extra'", "usage: sluice serve [FLAGS]"),
    (["serve", "--threads", "0"], "sluice serve: --threads: Value 0 not in range 1 to 256",
     "usage: sluice serve [FLAGS]"),
    (["serve", "--port"], "sluice serve: --port: 1 required UINT missing", "usage: sluice serve [FLAGS]"),
    (["serve", "--port", "x"], "sluice serve: bad value: Could not convert: --port = x", "usage: sluice serve [FLAGS]"),
    (["serve", "--fsync", "sometimes"],
     "sluice serve: --fsync: expected always, never or interval:MS (MS from 1 to 9999999), got 'sometimes'",
     "usage: sluice serve [FLAGS]"),
    (["gen"], "sluice gen: missing command", "  taxi      Taxi trips around Porto in the public data set's CSV format"),
    (["gen", "frob"], "sluice gen: unknown command 'frob'", "usage: sluice gen COMMAND [FLAGS]"),
    (["gen", "taxi"], "sluice gen taxi: missing required flag --trips", "usage: sluice gen taxi --trips TRIPS [FLAGS]"),
    (["gen", "taxi", "--trips", "1", "--frob"], "sluice gen taxi: unknown flag '--frob'",
     "usage: sluice gen taxi --trips TRIPS [FLAGS]"),
    (["gen", "taxi", "--trips", "1", "--threads", "-1"],
     "sluice gen taxi: --threads: Value -1 not in range 0 to 256", "usage: sluice gen taxi --trips TRIPS [FLAGS]"),
    (["produce"], "sluice produce: missing required flags --stream, --csv",
     "usage: sluice produce --stream STREAM --csv CSV [FLAGS]"),
    (["produce", "--csv", "-", "--stream"], "sluice produce: --stream: 1 required TEXT missing",
     "usage: sluice produce --stream STREAM --csv CSV [FLAGS]"),
    (["produce", "--stream", "s"], "sluice produce: missing required flag --csv",
     "usage: sluice produce --stream STREAM --csv CSV [FLAGS]"),
    (["produce", "--stream", "s", "--csv", "-", "--frob"], "sluice produce: unknown flag '--frob'",
     "usage: sluice produce --stream STREAM --csv CSV [FLAGS]"),
    (["produce", "--stream", "s", "--csv", "-", "--rate", "fast"],
     "sluice produce: --rate: expected records per second as N or N/s, got 'fast'",
     "usage: sluice produce --stream STREAM --csv CSV [FLAGS]"),
]


def run_sluice(args, env=None, timeout=30):
    return subprocess.run([SLUICE_BIN, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("args,first,usage", USAGE_ERRORS, ids=[" ".join(a) or "(none)" for a, _, _ in USAGE_ERRORS])
def test_a_usage_error_exits_2_with_one_line_then_the_usage(args, first, usage):
    r = run_sluice(args)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.splitlines()
    assert lines[0] == first
    assert usage in lines[1:]
    assert r.stdout == ""


def test_help_and_version_still_exit_0():
    for args in (["--help"], ["serve", "--help"], ["--version"]):
        r = run_sluice(args)
        assert r.returncode == 0, r.stderr
        assert r.stdout


def parse_logfmt(line):
    """{key: value} of one logfmt line, with quoted values unescaped."""
    out, i = {}, 0
    while i < len(line):
        m = re.compile(r'([a-z_]+)=').match(line, i)
        assert m, "not logfmt at %d: %r" % (i, line)
        key, i = m.group(1), m.end()
        if line[i:i + 1] == '"':
            i += 1
            val = []
            while line[i] != '"':
                if line[i] == "\\":
                    val.append({"n": "\n", "t": "\t", "r": "\r"}.get(line[i + 1], line[i + 1]))
                    i += 2
                else:
                    val.append(line[i])
                    i += 1
            i += 1
            out[key] = "".join(val)
        else:
            end = line.find(" ", i)
            end = len(line) if end < 0 else end
            out[key] = line[i:end]
            i = end
        while line[i:i + 1] == " ":
            i += 1
    return out


def serve_once(env, *args):
    """Starts `sluice serve` with `env` and `args`, stops it at once; returns (stdout
    first line, stderr lines)."""
    p = subprocess.Popen([SLUICE_BIN, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    try:
        first = p.stdout.readline()
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=START_TIMEOUT_S)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, err
    return first, err.splitlines()


def test_serve_flags_come_from_sluice_variables_and_the_command_line_wins(tmp_path):
    data = str(tmp_path / "from-env")
    env = dict(os.environ, SLUICE_DATA_DIR=data, SLUICE_PORT="1", SLUICE_FSYNC="never", SLUICE_THREADS="3",
               SLUICE_LOG_LEVEL="warn")
    first, err = serve_once(env, "--port", "0", "--log-level", "info")  # port 1 would fail to bind
    assert "(data dir %s)" % data in first
    fields = parse_logfmt(err[0])
    assert fields["fsync"] == "never"
    assert fields["threads"] == "3"
    assert fields["data_dir"] == data
    assert os.path.isdir(data)


@pytest.mark.parametrize("name,value,first", [
    ("SLUICE_PORT", "http", "sluice serve: SLUICE_PORT=http: Could not convert: --port = http"),
    ("SLUICE_THREADS", "0", "sluice serve: SLUICE_THREADS=0: --threads: Value 0 not in range 1 to 256"),
    ("SLUICE_LOG_LEVEL", "loud", "sluice serve: SLUICE_LOG_LEVEL=loud: --log-level: loud not in {trace,debug,info,warn,error}"),
    ("SLUICE_SHARD_LIMITS", "maybe", "sluice serve: SLUICE_SHARD_LIMITS=maybe: Could not convert: --shard-limits = maybe"),
])
def test_a_bad_sluice_variable_is_a_usage_error_naming_it(tmp_path, name, value, first):
    env = dict(os.environ, **{name: value})
    r = run_sluice(["serve", "--data-dir", str(tmp_path / "d")], env=env, timeout=10)
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == first
    assert not os.path.exists(tmp_path / "d")


def test_sluice_log_level_sets_the_level_of_serve(tmp_path):
    env = dict(os.environ, SLUICE_LOG_LEVEL="warn")
    _, err = serve_once(env, "--data-dir", str(tmp_path / "d"), "--port", "0")
    assert err == []  # the info lines are below warn


def test_a_sluice_variable_does_not_touch_other_commands(tmp_path):
    env = dict(os.environ, SLUICE_PORT="http")
    r = run_sluice(["gen", "taxi", "--trips", "1", "-o", str(tmp_path / "t.csv")], env=env)
    assert r.returncode == 0, r.stderr


def test_log_values_with_quotes_and_spaces_stay_inside_their_field(tmp_path):
    data = str(tmp_path / 'a"b c level=error')
    _, err = serve_once(os.environ, "--data-dir", data, "--port", "0")
    fields = parse_logfmt(err[0])
    assert fields["msg"] == "listening"
    assert fields["level"] == "info"
    assert fields["data_dir"] == data
    for line in err:
        parse_logfmt(line)


def test_access_log_has_one_line_per_request(start_sluice, tmp_path):
    import http.client
    from conftest import kinesis_client
    from test_s3 import s3_client

    path = tmp_path / "access.log"
    s = start_sluice("--access-log", str(path))
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    conn.request("GET", "/health")
    conn.getresponse().read()
    conn.close()
    k = kinesis_client(s.url)
    k.create_stream(StreamName="logged", ShardCount=1)
    with pytest.raises(k.exceptions.ResourceNotFoundException):
        k.describe_stream_summary(StreamName="missing")
    s3 = s3_client(s.url)
    s3.create_bucket(Bucket="logged")
    s3.put_object(Bucket="logged", Key="a b/c.txt", Body=b"x" * 1000)
    assert s3.get_object(Bucket="logged", Key="a b/c.txt")["Body"].read() == b"x" * 1000
    code, err = s.stop()
    assert code == 0, err

    lines = [parse_logfmt(l) for l in path.read_text().splitlines()]
    assert [(l["method"], l["service"], l["status"]) for l in lines] == [
        ("GET", "health", "200"),
        ("POST", "kinesis", "200"),
        ("POST", "kinesis", "400"),
        ("PUT", "s3", "200"),
        ("PUT", "s3", "200"),
        ("GET", "s3", "200"),
    ]
    for l in lines:
        assert set(l) == {"time", "remote", "method", "target", "status", "bytes_in", "bytes_out",
                          "duration_ms", "request_id", "service"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", l["time"])
        assert l["remote"].startswith("127.0.0.1:")
        assert int(l["duration_ms"]) >= 0
    assert lines[0]["request_id"] == "-"
    assert lines[2]["request_id"] != "-"  # x-amzn-RequestId of the error
    assert lines[4]["target"] == "/logged/a%20b/c.txt"
    assert lines[4]["bytes_in"] == "1000"
    assert lines[5]["bytes_out"] == "1000"
    assert lines[5]["request_id"] != "-"


def test_access_log_to_standard_output(tmp_path):
    p = subprocess.Popen([SLUICE_BIN, "serve", "--data-dir", str(tmp_path / "d"), "--port", "0",
                          "--access-log", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r":(\d+) ", p.stdout.readline()).group(1))
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/health")
        conn.getresponse().read()
        conn.close()
        line = parse_logfmt(p.stdout.readline().strip())
        assert (line["method"], line["target"], line["status"]) == ("GET", "/health", "200")
    finally:
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=START_TIMEOUT_S)
    assert p.returncode == 0


def test_an_unwritable_access_log_is_a_one_line_error(tmp_path):
    r = run_sluice(["serve", "--data-dir", str(tmp_path / "d"), "--port", "0",
                    "--access-log", str(tmp_path / "no" / "such" / "dir" / "log")])
    assert r.returncode == 1
    assert len(r.stderr.splitlines()) == 1
    assert "access log" in r.stderr
