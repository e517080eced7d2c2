"""Kinesis request parsing under hostile input (issue 11): pathological bodies cost a
bounded amount of memory and get AWS's SerializationException, the request-memory
budget answers 503 ServiceUnavailable instead of growing, and out-of-range or
non-finite AT_TIMESTAMP values are refused instead of wrapping into the past."""
import json
import math
import struct
import threading

import cbor2

from test_kinesis import cbor_call, raw_json

MIB = 1 << 20


def rss_peak_kib(proc):
    with open("/proc/%d/status" % proc.pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_pathological_bodies_are_serialization_exceptions_and_cost_little(sluice):
    zeros = b'{"StreamName":"s","Records":[' + b"0," * (8 * MIB - 20) + b"0]}"
    deep = b"[" * (16 * MIB)
    records = b'{"StreamName":"s","Records":[' + b'{"PartitionKey":"a","Data":""},' * ((16 * MIB - 64) // 31) + b"{}]}"
    count = 16 * MIB - 5  # Kinesis takes bodies up to 16 MiB
    cbor_ints = b"\x9a" + struct.pack(">I", count) + b"\x00" * count
    before = rss_peak_kib(sluice.proc)
    results = []

    def send(body, content_type):
        results.append(raw_json(sluice.url, "PutRecords", None, content_type=content_type, raw=body))

    # Four at once: before the fix each grew about 90x (1.4 GB) and together they ended
    # the process with std::bad_alloc.
    threads = [threading.Thread(target=send, args=(b, ct)) for b, ct in (
        (zeros, "application/x-amz-json-1.1"), (deep, "application/x-amz-json-1.1"),
        (records, "application/x-amz-json-1.1"), (cbor_ints, "application/x-amz-cbor-1.1"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 4
    for status, out in results:
        assert status == 400 and out["__type"] == "SerializationException", (status, out)
    # Bodies are held whole while they arrive (4 x 16 MiB); parsing them adds at most the
    # node arrays (128 KiB each), not multiples of the bodies.
    grown_mib = (rss_peak_kib(sluice.proc) - before) / 1024
    print("peak RSS grew by %.0f MiB" % grown_mib)
    assert grown_mib < 4 * 16 * 4, grown_mib
    status, out = raw_json(sluice.url, "ListStreams", {})
    assert status == 200 and "StreamNames" in out


def test_a_list_a_little_over_its_limit_still_gets_the_validation_exception(sluice):
    body = {"StreamName": "s", "Records": [{"PartitionKey": "a", "Data": ""}] * 501}
    status, out = raw_json(sluice.url, "PutRecords", body)
    assert status == 400 and out["__type"] == "ValidationException"
    assert "Member must have length less than or equal to 500" in out["message"]


def test_memory_budget_full_answers_service_unavailable(start_sluice):
    s = start_sluice("--max-request-memory", str(4 * MIB))
    status, _ = raw_json(s.url, "CreateStream", {"StreamName": "budget", "ShardCount": 1})
    assert status == 200
    big = {"StreamName": "budget", "Records": [{"PartitionKey": "k", "Data": "A" * 4096}] * 500}
    status, out = raw_json(s.url, "PutRecords", big)
    assert status == 503, out
    assert out == {"__type": "ServiceUnavailable",
                   "message": "The request has failed due to a temporary failure of the server."}
    small = {"StreamName": "budget", "Records": [{"PartitionKey": "k", "Data": "AAAA"}] * 10}
    status, out = raw_json(s.url, "PutRecords", small)
    assert status == 200 and out["FailedRecordCount"] == 0


def iterator_error(url, timestamp, cbor=False):
    body = {"StreamName": "ts", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
            "Timestamp": timestamp}
    if cbor:
        return cbor_call(url, "GetShardIterator", body)
    return raw_json(url, "GetShardIterator", None, raw=json.dumps(body).encode())


def test_far_future_timestamps_are_refused_not_wrapped_into_the_past(sluice):
    status, _ = raw_json(sluice.url, "CreateStream", {"StreamName": "ts", "ShardCount": 1})
    assert status == 200
    for ts in (1e300, 2**63 - 1, 1e17, 10**30):
        status, out = iterator_error(sluice.url, ts)
        assert status == 400, (ts, out)
        assert out["__type"] == "InvalidArgumentException", (ts, out)
        assert out["message"].startswith("The timestampInMillis parameter cannot be greater than the "
                                         "currentTimestampInMillis. timestampInMillis: "), out
    # CBOR: the same as tag-1 milliseconds and as untagged seconds.
    for ts in (cbor2.CBORTag(1, 2**63 - 1), cbor2.CBORTag(1, 1e300), 1e300):
        status, out = iterator_error(sluice.url, ts, cbor=True)
        assert status == 400 and out["__type"] == "InvalidArgumentException", (ts, out)
    # A time in the past still works.
    status, out = iterator_error(sluice.url, 1.0)
    assert status == 200 and "ShardIterator" in out


def test_non_finite_numbers_are_serialization_exceptions(sluice):
    status, _ = raw_json(sluice.url, "CreateStream", {"StreamName": "ts", "ShardCount": 1})
    assert status == 200
    for ts, text in ((math.nan, "NaN"), (math.inf, "Infinity"), (cbor2.CBORTag(1, math.nan), "NaN")):
        status, out = iterator_error(sluice.url, ts, cbor=True)
        assert status == 400 and out == {
            "__type": "SerializationException",
            "Message": "'%s' can not be converted to milliseconds since epoch" % text}, (ts, out)
    status, out = cbor_call(sluice.url, "ListStreams", {"Limit": math.inf})
    assert status == 400 and out == {"__type": "SerializationException",
                                      "Message": "'Infinity' can not be converted to an Integer"}
    # JSON has no NaN, but 1e999 overflows to infinity.
    status, out = raw_json(sluice.url, "ListStreams", None, raw=b'{"Limit": 1e999}')
    assert status == 400 and out["__type"] == "SerializationException"


def test_cbor_indefinite_length_integer_is_malformed(sluice):
    # {"Limit": <major 0, additional information 31>}: today read as 0.
    body = b"\xa1\x65Limit\x1f"
    status, out = raw_json(sluice.url, "ListStreams", None, content_type="application/x-amz-cbor-1.1", raw=body)
    assert status == 400 and out["__type"] == "SerializationException", out


def test_cbor_text_that_is_not_utf8_is_malformed_and_changes_nothing(sluice):
    # A partition key holding a lone 0xff byte: a JSON client could never read it back.
    status, _ = raw_json(sluice.url, "CreateStream", {"StreamName": "utf8", "ShardCount": 1})
    assert status == 200
    key = b"\x6cPartitionKey\x61\xff"
    body = b"\xa3\x6aStreamName\x64utf8" + key + b"\x64Data\x41x"
    status, out = raw_json(sluice.url, "PutRecord", None, content_type="application/x-amz-cbor-1.1", raw=body)
    assert status == 400 and out["__type"] == "SerializationException", out
    # The same record with a UTF-8 key is stored, and only it.
    good = body.replace(key, b"\x6cPartitionKey\x62\xc3\xa9")
    status, out = raw_json(sluice.url, "PutRecord", None, content_type="application/x-amz-cbor-1.1", raw=good)
    assert status == 200, out
    status, it = raw_json(sluice.url, "GetShardIterator", {"StreamName": "utf8", "ShardId": "shardId-000000000000",
                                                          "ShardIteratorType": "TRIM_HORIZON"})
    status, got = raw_json(sluice.url, "GetRecords", {"ShardIterator": it["ShardIterator"]})
    assert status == 200 and [r["PartitionKey"] for r in got["Records"]] == ["\u00e9"]
