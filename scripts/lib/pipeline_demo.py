"""The produce-and-watch step of scripts/demo and bench/e2e, with Debian's boto3.

  pipeline_demo.py URL CSV --sluice BIN --stream S --delivery D --bucket B [--quiet]

Notes what the lake holds, starts `sluice produce` on CSV, and polls the APIs while the
lake fills: records in the stream per shard (read with GetRecords from where the last
poll stopped), objects and records written by write_to_s3 (its objects under
context=write_to_s3/), records put into the delivery stream by send_to_firehose and the
bytes it buffers (Firehose's stats, a sluice extension). Once the delivery stream has
every record it is flushed; once write_to_s3 has them too, a summary follows: records per
shard, objects and sizes per consumer, end-to-end time and MB/s, freshness. --quiet skips
the stream reads, the progress lines and the object listings until the flush (for
benchmarks: only the end-to-end numbers) and prints them as one JSON object instead.
"""
import argparse
import datetime
import json
import resource
import subprocess
import sys
import threading
import time
import urllib.request

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

WRITE_PREFIX = "context=write_to_s3/"
FIREHOSE_PREFIX = "context=firehose_delivery/"
POLL_S = 0.5


def client(url, service):
    # sluice checks the shape of the signature, not the keys: placeholders do.
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="demo", aws_secret_access_key="demo",
                        config=Config(retries={"max_attempts": 3}, read_timeout=120))


def firehose_stats(url, name):
    """SluiceListDeliveryStreamStats (not in botocore's model): signed by hand."""
    req = AWSRequest(method="POST", url=url + "/", data=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Firehose_20150804.SluiceListDeliveryStreamStats"})
    SigV4Auth(Credentials("demo", "demo"), "firehose", "us-east-1").add_auth(req)
    with urllib.request.urlopen(urllib.request.Request(url + "/", data=b"{}", headers=dict(req.headers)),
                                timeout=30) as r:
        streams = json.loads(r.read())["DeliveryStreams"]
    return next((s for s in streams if s["DeliveryStreamName"] == name), {})


def list_objects(s3, bucket, prefix):
    """{key: size} under prefix."""
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            out[o["Key"]] = o["Size"]
    return out


class StreamReader:
    """Counts the records each shard receives after `since`, reading on from the last poll."""

    def __init__(self, kinesis, stream, since):
        self.kinesis, self.counts, self.bytes, self.iterators = kinesis, {}, 0, {}
        for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
            sid = shard["ShardId"]
            self.counts[sid] = 0
            self.iterators[sid] = kinesis.get_shard_iterator(
                StreamName=stream, ShardId=sid, ShardIteratorType="AT_TIMESTAMP",
                Timestamp=datetime.datetime.fromtimestamp(since, tz=datetime.timezone.utc))["ShardIterator"]

    def poll(self):
        for sid, it in self.iterators.items():
            while it:
                page = self.kinesis.get_records(ShardIterator=it, Limit=10000)
                self.counts[sid] += len(page["Records"])
                self.bytes += sum(len(r["Data"]) for r in page["Records"])
                it = page.get("NextShardIterator")
                if not page["Records"]:
                    break
            self.iterators[sid] = it

    def total(self):
        return sum(self.counts.values())


class WriteToS3Counter:
    """Objects write_to_s3 wrote since the baseline and the records in them: each new
    object is read once and its records counted by their "event_id" keys (one per trip)."""

    def __init__(self, s3, bucket):
        self.s3, self.bucket = s3, bucket
        self.seen = set(list_objects(s3, bucket, WRITE_PREFIX))
        self.new, self.unread, self.records, self.last_written = {}, [], 0, 0.0

    def poll(self, read=True):
        """Lists new objects and, when `read`, counts the records of those not read yet.
        Returns how many new objects the listing found."""
        found = 0
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=WRITE_PREFIX):
            for o in page.get("Contents", []):
                if o["Key"] not in self.seen and o["Key"] not in self.new:
                    self.new[o["Key"]] = o["Size"]
                    self.last_written = max(self.last_written, o["LastModified"].timestamp())
                    self.unread.append(o["Key"])
                    found += 1
        while read and self.unread:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.unread.pop())["Body"].read()
            self.records += body.count(b'"event_id"')
        return found


def cpu(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def mb(n):
    return n / 1e6


def sizes(objs):
    if not objs:
        return "no objects"
    v = sorted(objs.values())
    return "%d objects, %.1f MB (smallest %.2f MB, largest %.2f MB)" % (len(v), mb(sum(v)), mb(v[0]), mb(v[-1]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("csv")
    p.add_argument("--sluice", required=True)
    p.add_argument("--stream", required=True)
    p.add_argument("--delivery", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--timeout", type=float, default=600)
    a = p.parse_args()
    with open(a.csv, "rb") as f:
        expect = sum(1 for _ in f) - 1
    kinesis, s3 = client(a.url, "kinesis"), client(a.url, "s3")
    fh0 = firehose_stats(a.url, a.delivery)
    firehose_objects0 = list_objects(s3, a.bucket, FIREHOSE_PREFIX)
    writes = WriteToS3Counter(s3, a.bucket)
    start = time.time()
    reader = None if a.quiet else StreamReader(kinesis, a.stream, start - 1)
    producer = subprocess.Popen([a.sluice, "produce", "--stream", a.stream, "--csv", a.csv, "--endpoint", a.url,
                                 "--region", "us-east-1", "--access-key-id", "demo", "--secret-access-key", "demo",
                                 "--progress", "off"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # When the producer exits, to the millisecond (the loop below notices it later).
    exited = []
    threading.Thread(target=lambda: (producer.wait(), exited.append(time.time())), daemon=True).start()
    produced_at = flushed_at = None
    oldest_ms = -1
    while True:
        if exited and produced_at is None:
            produced_at = exited[0]
            out = producer.stdout.read().strip()
            if producer.returncode != 0:
                sys.exit("pipeline_demo: sluice produce failed: " + out)
            if not a.quiet:
                print("  " + out)
        if reader:
            reader.poll()
        # Quiet runs list write_to_s3's objects only once the delivery stream is flushed,
        # and read them (1.2 GB for a million trips) only once a listing finds nothing
        # new, so the watcher does not compete with the consumers for the cores (the end
        # time is the last object's LastModified either way); if the count falls short,
        # they go on listing.
        if not a.quiet:
            writes.poll()
        elif flushed_at is not None and writes.poll(read=False) == 0:
            writes.poll()
        fh = firehose_stats(a.url, a.delivery)
        into_firehose = fh.get("IncomingRecords", 0) - fh0.get("IncomingRecords", 0)
        now = time.time() - start
        if not a.quiet:
            print("  %5.1f s  stream %7d   write_to_s3 %7d records in %4d objects   send_to_firehose %7d records, "
                  "%6.1f MB buffered, %d objects" % (now, reader.total(), writes.records, len(writes.new), into_firehose,
                                                      mb(fh.get("BufferedBytes", 0)),
                                                      fh.get("ObjectsWritten", 0) - fh0.get("ObjectsWritten", 0)),
                  flush=True)
        if produced_at and flushed_at is None and into_firehose >= expect:
            # Every record is in the delivery stream: deliver what it buffers now.
            oldest_ms = fh.get("OldestRecordAgeMillis", -1)
            subprocess.run([a.sluice, "firehose", "flush", a.delivery, "--endpoint", a.url], check=True,
                           stdout=subprocess.DEVNULL)
            flushed_at = time.time()
            continue
        if flushed_at and writes.records >= expect:
            break
        if now > a.timeout:
            sys.exit("pipeline_demo: the lake did not fill within %.0f s" % a.timeout)
        time.sleep(POLL_S if not a.quiet else 0.2)
    # The lake is complete at the later of the flush and write_to_s3's last object.
    end = max(flushed_at, writes.last_written)
    firehose_new = {k: v for k, v in list_objects(s3, a.bucket, FIREHOSE_PREFIX).items() if k not in firehose_objects0}
    data_bytes = sum(firehose_new.values())  # the trips as JSON lines, each once
    total = end - start
    result = {"trips": expect, "seconds": round(total, 3), "produce_seconds": round(produced_at - start, 3),
              "MBps": round(mb(data_bytes) / total, 1), "records_per_s": round(expect / total),
              "write_to_s3_lag_s": round(max(writes.last_written - produced_at, 0), 3),
              "firehose_oldest_buffered_s": round(oldest_ms / 1000, 3) if oldest_ms >= 0 else None,
              "write_to_s3_objects": len(writes.new), "firehose_objects": len(firehose_new),
              "lake_bytes": data_bytes + sum(writes.new.values()),
              # CPU seconds (user + system): the producer (and the flush command), this watcher.
              "producer_cpu_s": round(cpu(resource.RUSAGE_CHILDREN), 1), "watcher_cpu_s": round(cpu(resource.RUSAGE_SELF), 1)}
    if a.quiet:
        print(json.dumps(result))
        return
    print()
    print("== summary")
    print("  records per shard:   " + ", ".join("%s %d" % kv for kv in sorted(reader.counts.items())))
    print("  write_to_s3:         %s" % sizes(writes.new))
    print("  firehose delivery:   %s" % sizes(firehose_new))
    print("  end to end:          %d trips (%.1f MB of JSON) in %.2f s: %.1f MB/s, %d records/s "
          "(producing took %.2f s)" % (expect, mb(data_bytes), total, result["MBps"], result["records_per_s"],
                                       result["produce_seconds"]))
    print("  freshness:           write_to_s3 had every record %.2f s after the producer's last one; "
          "the delivery stream's oldest buffered record was %.1f s old when flushed (without a flush it "
          "delivers at 300 s or 5 MB, the template's BufferingHints)" % (result["write_to_s3_lag_s"],
                                                                           max(oldest_ms, 0) / 1000))


if __name__ == "__main__":
    main()
