#!/usr/bin/python3
"""Cold start and warm Invoke round trip of a Python and a `provided` function on sluice.

Starts `sluice serve` on a free loopback port (a fresh data dir), creates one function
per runtime (Python: a handler returning its event; provided: the repository's C++
example bootstrap, built here with g++ -O2), then times Invoke (RequestResponse) over one
kept-alive HTTP/1.1 connection, each request signed before its timer starts:
  cold: after each UpdateFunctionConfiguration (which retires the warm process), the
        first Invoke: process start, runtime init, the invocation; also Lambda's own
        `Init Duration` from the REPORT line (LogType Tail);
  warm: Invoke after Invoke on the warm process.
Usage: bench/functions/invoke_latency.py [--bin build/sluice] [--cold 20] [--warm 1000]
"""
import argparse
import base64
import http.client
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CREDS = Credentials("AKIDEXAMPLE", "secret")
INIT = re.compile(r"Init Duration: (\d+\.\d+) ms")


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (mode | 0o100000) << 16
            z.writestr(info, data)
    return buf.getvalue()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


class Invoker:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def invoke(self, name, payload, tail=False):
        path = "/2015-03-31/functions/%s/invocations" % name
        req = AWSRequest(method="POST", url="http://%s:%d%s" % (self.host, self.port, path), data=payload)
        if tail:
            req.headers["X-Amz-Log-Type"] = "Tail"
        SigV4Auth(CREDS, "lambda", "us-east-1").add_auth(req)
        headers = dict(req.headers.items())
        start = time.perf_counter()
        self.conn.request("POST", path, body=payload, headers=headers)
        resp = self.conn.getresponse()
        body = resp.read()
        elapsed = (time.perf_counter() - start) * 1000.0
        if resp.status != 200 or resp.getheader("X-Amz-Function-Error"):
            raise RuntimeError("invoke %s: %d %s" % (name, resp.status, body[:200]))
        log = base64.b64decode(resp.getheader("X-Amz-Log-Result", "")).decode(errors="replace")
        return elapsed, log


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "sluice"))
    ap.add_argument("--cold", type=int, default=20)
    ap.add_argument("--warm", type=int, default=1000)
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="invoke-latency-")
    exe = os.path.join(work, "bootstrap")
    subprocess.run(["g++", "-std=c++20", "-O2", "-o", exe,
                    os.path.join(REPO, "examples", "functions", "cpp-bootstrap", "bootstrap.cc")], check=True)
    server = subprocess.Popen([a.bin, "serve", "--data-dir", os.path.join(work, "data"), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        m = re.search(r"serving on http://([0-9.]+):(\d+)", server.stdout.readline())
        host, port = m.group(1), int(m.group(2))
        lam = boto3.client("lambda", endpoint_url="http://%s:%d" % (host, port), region_name="us-east-1",
                           aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
        functions = {
            "python3.12": dict(Runtime="python3.12", Handler="app.handler",
                               Code={"ZipFile": zip_of({"app.py": (b"def handler(event, context):\n    return event\n", 0o644)})}),
            "provided.al2023": dict(Runtime="provided.al2023", Handler="unused",
                                    Code={"ZipFile": zip_of({"bootstrap": (open(exe, "rb").read(), 0o755)})}),
        }
        inv = Invoker(host, port)
        for runtime, spec in functions.items():
            name = "bench-" + runtime.replace(".", "-")
            lam.create_function(FunctionName=name, Role="arn:aws:iam::000000000000:role/r", MemorySize=256, **spec)
            cold, init = [], []
            for i in range(a.cold):
                lam.update_function_configuration(FunctionName=name, Description="round %d" % i)
                ms, log = inv.invoke(name, b'"x"', tail=True)
                cold.append(ms)
                found = INIT.search(log)
                if found:
                    init.append(float(found.group(1)))
            warm = [inv.invoke(name, b'"x"')[0] for _ in range(a.warm)]
            print("%-16s cold p50=%.1f ms p90=%.1f ms (Init Duration p50=%.1f ms, n=%d)  warm p50=%.2f ms p99=%.2f ms mean=%.2f ms (n=%d)"
                  % (runtime, pct(cold, 50), pct(cold, 90), statistics.median(init) if init else float("nan"),
                     len(cold), pct(warm, 50), pct(warm, 99), statistics.mean(warm), len(warm)))
            sys.stdout.flush()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
