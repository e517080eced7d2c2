#!/usr/bin/python3
"""Reads every record of a stream with GetRecords (Limit 10000) over one keep-alive HTTP
connection: the same deliberately light client for any endpoint, so the figure is the
server's. It counts records without decoding them (the body's records are all alike)
and finds NextShardIterator by searching for its key instead of parsing the JSON.
Prints: records, seconds."""
import http.client
import json
import re
import sys
import time

url, stream = sys.argv[1], sys.argv[2]
host, port = url.split("//")[1].split(":")
conn = http.client.HTTPConnection(host, int(port), timeout=120)
HEADERS = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Date": "20260101T000000Z",
           "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, "
                            "SignedHeaders=host;x-amz-date, Signature=00"}
NEXT = re.compile(rb'"NextShardIterator"\s*:\s*"([^"]+)"')
KEY = b'"NextShardIterator"'


def next_iterator(data):
    # rfind and a short regex match: scanning 10 MB with the regex engine would make the
    # client, not the server, the bottleneck.
    at = data.rfind(KEY)
    if at < 0:
        at = data.find(KEY)
    return NEXT.match(data, at).group(1).decode()


def call(action, body):
    conn.request("POST", "/", body=json.dumps(body),
                 headers=dict(HEADERS, **{"X-Amz-Target": "Kinesis_20131202." + action}))
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise SystemExit("%s: %d %s" % (action, r.status, data[:300]))
    return data


t0 = time.time()
records = 0
shards = json.loads(call("DescribeStream", {"StreamName": stream}))["StreamDescription"]["Shards"]
for shard in shards:
    it = json.loads(call("GetShardIterator", {"StreamName": stream, "ShardId": shard["ShardId"],
                                              "ShardIteratorType": "TRIM_HORIZON"}))["ShardIterator"]
    while True:
        data = call("GetRecords", {"ShardIterator": it, "Limit": 10000})
        n = data.count(b'"SequenceNumber"')
        records += n
        if n == 0:
            break
        it = next_iterator(data)
print(records, round(time.time() - t0, 3))
