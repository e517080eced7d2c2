"""kill -9 durability of the Kinesis path: every PutRecords the server acknowledged is
readable after a SIGKILL and restart, exactly once, at the sequence number it was given,
in per-shard order."""
import random
import signal
import threading
import time

import botocore.exceptions
import pytest

from conftest import Sluice, kinesis_client

ROUNDS = 5


def read_everything(kin, name):
    out = []
    for shard in kin.list_shards(StreamName=name)["Shards"]:
        it = kin.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while True:
            r = kin.get_records(ShardIterator=it, Limit=10000)
            out.extend((shard["ShardId"], x["SequenceNumber"], x["Data"]) for x in r["Records"])
            if not r["Records"]:
                break
            it = r["NextShardIterator"]
    return out


def test_acknowledged_records_survive_sigkill(data_dir):
    rng = random.Random(7)
    acked = {}  # payload -> (shard id, sequence number)
    sent = 0
    lock = threading.Lock()
    for round_no in range(ROUNDS):
        s = Sluice(data_dir)
        kin = kinesis_client(s.url)
        if round_no == 0:
            kin.create_stream(StreamName="durable", ShardCount=2)
        stop = threading.Event()

        def writer(tid):
            nonlocal sent
            n = 0
            while not stop.is_set():
                with lock:
                    base = sent
                    sent += 50
                payloads = [b"r%d-t%d-%d" % (round_no, tid, base + i) for i in range(50)]
                try:
                    out = kin.put_records(StreamName="durable", Records=[
                        {"PartitionKey": "k%d" % ((base + i) % 17), "Data": p} for i, p in enumerate(payloads)])
                except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
                    return  # the server is gone: these were never acknowledged
                with lock:
                    for p, r in zip(payloads, out["Records"]):
                        assert "ErrorCode" not in r
                        acked[p] = (r["ShardId"], r["SequenceNumber"])
                n += 1

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.0))
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait(timeout=10)
        stop.set()
        for t in threads:
            t.join(timeout=30)

    s = Sluice(data_dir)
    try:
        kin = kinesis_client(s.url)
        stored = read_everything(kin, "durable")
        payloads = [p for _, _, p in stored]
        assert len(payloads) == len(set(payloads)), "no record is stored twice"
        where = {p: (shard, seq) for shard, seq, p in stored}
        missing = [p for p in acked if p not in where]
        assert not missing, "%d acknowledged records lost, e.g. %r" % (len(missing), missing[:3])
        wrong = [p for p, pos in acked.items() if where[p] != pos]
        assert not wrong, "records moved: %r" % wrong[:3]
        for shard in {x[0] for x in stored}:
            seqs = [int(seq) for sh, seq, _ in stored if sh == shard]
            assert seqs == sorted(seqs)
        assert len(acked) > 1000, "the test acknowledged too little to mean anything"
    finally:
        code, err = s.stop()
        assert code == 0, err
