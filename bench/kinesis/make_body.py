#!/usr/bin/python3
"""Writes a PutRecords request body: N taxi-trip-like JSON records of about 1.2 KB each,
partition keys spread over taxis. Usage: make_body.py STREAM N OUT"""
import base64
import json
import random
import sys
import uuid

stream, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(42)
records = []
data_bytes = 0
for i in range(n):
    lon, lat = -8.61 + rng.uniform(-0.05, 0.05), 41.15 + rng.uniform(-0.03, 0.03)
    points = []
    for _ in range(38):
        lon += rng.uniform(-0.002, 0.002)
        lat += rng.uniform(-0.002, 0.002)
        points.append([round(lon, 6), round(lat, 6)])
    trip = {"TRIP_ID": str(1372636858620000589 + i), "CALL_TYPE": rng.choice("ABC"),
            "ORIGIN_CALL": "NA", "ORIGIN_STAND": str(rng.randint(1, 63)),
            "TAXI_ID": str(20000000 + rng.randint(1, 450)), "TIMESTAMP": str(1372636858 + i * 7),
            "DAY_TYPE": "A", "MISSING_DATA": "False", "POLYLINE": json.dumps(points),
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4))}
    data = json.dumps(trip).encode()
    data_bytes += len(data)
    records.append({"PartitionKey": trip["TAXI_ID"], "Data": base64.b64encode(data).decode()})
with open(out, "w") as f:
    json.dump({"StreamName": stream, "Records": records}, f)
print(data_bytes)
