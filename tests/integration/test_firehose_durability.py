"""Firehose's exactly-once objects: SIGKILL while records are ingested and objects are
written, then restart: every acknowledged record is in exactly one object, no object is
written twice, and the objects put back in order are the records in the order they
were acknowledged."""
import signal
import threading
import time

from conftest import Sluice
from test_firehose import extended, firehose_client, objects, body, sluice_cli
from test_s3 import s3_client

ROUNDS = 3
RECORD = b"%08d|" + b"r" * 991 + b"\n"  # 1,000 bytes, numbered


def numbers(blob):
    return [int(line.split(b"|")[0]) for line in blob.splitlines()]


def test_acknowledged_records_are_delivered_exactly_once_across_sigkills(data_dir):
    acked = []  # record numbers, in acknowledgement order (one producer: put order)
    next_number = 0
    s = Sluice(data_dir)
    fh, s3 = firehose_client(s.url), s3_client(s.url)
    s3.create_bucket(Bucket="lake")
    # 1 MiB objects and zero buffering: objects are written all the time, so the kill
    # lands between pending, object and checkpoint as often as anywhere else.
    fh.create_delivery_stream(DeliveryStreamName="durable",
                              ExtendedS3DestinationConfiguration=extended("lake", size_mb=1, interval_s=0))
    for round_ in range(ROUNDS):
        if round_ > 0:
            s = Sluice(data_dir)
            fh = firehose_client(s.url)
        stop = threading.Event()
        errors = []

        def produce():
            nonlocal next_number
            client = firehose_client(s.url)
            while not stop.is_set():
                batch = list(range(next_number, next_number + 100))
                next_number += 100
                try:
                    r = client.put_record_batch(DeliveryStreamName="durable",
                                                Records=[{"Data": RECORD % n} for n in batch])
                except Exception:  # the kill: this batch is not acknowledged
                    return
                if r["FailedPutCount"] != 0:
                    errors.append(r)
                    return
                acked.extend(batch)

        t = threading.Thread(target=produce)
        t.start()
        # Let it ingest and deliver for a while (the amount does not decide the result).
        deadline = time.time() + 10  # a bound for slow machines; the count ends it first
        while time.time() < deadline and len(acked) < (round_ + 1) * 3000:
            time.sleep(0.01)
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait(timeout=10)
        stop.set()
        t.join(timeout=30)
        assert not errors, errors

    s = Sluice(data_dir)
    try:
        s3 = s3_client(s.url)
        out = sluice_cli(s, "flush", "durable")
        assert out.returncode == 0, out.stderr
        keys = objects(s3, "lake")
        assert len(keys) == len(set(keys))
        blobs = [body(s3, "lake", k) for k in keys]
        per_object = sorted((numbers(b) for b in blobs), key=lambda ns: ns[0])
        delivered = [n for ns in per_object for n in ns]
        assert len(delivered) == len(set(delivered)), "a record is in two objects"
        assert delivered == sorted(delivered), "objects put back in order hold the records in put order"
        missing = set(acked) - set(delivered)
        assert not missing, "%d acknowledged records lost, e.g. %r" % (len(missing), sorted(missing)[:3])
        # Acknowledged records are a prefix of what was delivered, in the same order;
        # records written but not acknowledged before a kill may follow in between.
        positions = {n: i for i, n in enumerate(delivered)}
        assert [positions[n] for n in acked] == sorted(positions[n] for n in acked)
        assert len(acked) > 1000, "the test acknowledged too little to mean anything"
        assert len(keys) > ROUNDS, "the test wrote too few objects to mean anything"
    finally:
        code, err = s.stop()
        assert code == 0, err
