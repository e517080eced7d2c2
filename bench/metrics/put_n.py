#!/usr/bin/env python3
"""Sends a PutRecords body N times over one keep-alive connection, one at a time, and
fails unless every record of every request was stored. Usage: put_n.py PORT BODY N"""
import http.client
import sys

port, body_file, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
body = open(body_file, "rb").read()
headers = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "Kinesis_20131202.PutRecords",
    "X-Amz-Date": "20260101T000000Z",
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64,
}
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
for i in range(n):
    conn.request("POST", "/", body, headers)
    resp = conn.getresponse()
    text = resp.read()
    if resp.status != 200 or b'"FailedRecordCount":0' not in text:
        sys.exit(f"request {i}: HTTP {resp.status}: {text[:200]!r}")
print(f"requests={n} all stored")
