"""JSON-schema validation for the Python consumers, as the built-ins do it.

When the function's environment sets SCHEMA_S3_URI (s3://bucket/key of a JSON schema),
each record is validated with jsonschema (Debian's python3-jsonschema). Invalid records
(not JSON, or not satisfying the schema) are not passed on: they are written, one object
per batch, as JSON lines {"function_name", "shard_id", "sequence_number", "partition_key",
"approximate_arrival_timestamp" (epoch ms), "reason", "data" (base64)} under
context=dead-letter/date=YYYY-MM-DD/YYYY_MM_DD_HH_<md5>.json of DEAD_LETTER_BUCKET, and
counted in the CloudWatch metric Sluice/Consumers InvalidRecords {FunctionName}.
"""
import base64
import datetime
import hashlib
import json
import os

SCHEMA_S3_URI = os.environ.get("SCHEMA_S3_URI", "")
_cache = {}


def enabled():
    return bool(SCHEMA_S3_URI)


def validator(s3):
    """The compiled schema, read again when the object's ETag changes."""
    if not SCHEMA_S3_URI.startswith("s3://") or "/" not in SCHEMA_S3_URI[5:]:
        raise ValueError("SCHEMA_S3_URI must be s3://bucket/key, not %s" % SCHEMA_S3_URI)
    bucket, key = SCHEMA_S3_URI[5:].split("/", 1)
    etag = s3.head_object(Bucket=bucket, Key=key)["ETag"]
    if _cache.get("etag") != etag:
        import jsonschema
        schema = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _cache.update(etag=etag, validator=cls(schema))
    return _cache["validator"]


def reason(check, data):
    """None when `data` (bytes) is JSON satisfying the schema, else why not."""
    try:
        doc = json.loads(data)
    except ValueError:
        return "not JSON"
    errors = list(check.iter_errors(doc))
    if not errors:
        return None
    deepest = max(errors, key=lambda e: len(e.absolute_path))
    return "%s: %s" % ("".join("/%s" % p for p in deepest.absolute_path), deepest.message)


def dead_letter_key(function_name, invalid):
    first, last = invalid[0], invalid[-1]
    shard = first["eventID"].split(":", 1)[0]
    batch = "%s:%s:%s-%s" % (function_name, shard, first["kinesis"]["sequenceNumber"],
                             last["kinesis"]["sequenceNumber"])
    arrival = datetime.datetime.fromtimestamp(first["kinesis"]["approximateArrivalTimestamp"],
                                              tz=datetime.timezone.utc)
    return "context=dead-letter/date=%s/%s_%s.json" % (
        arrival.strftime("%Y-%m-%d"), arrival.strftime("%Y_%m_%d_%H"), hashlib.md5(batch.encode()).hexdigest())


def keep_valid(records, function_name, dead_letter_bucket, s3, cloudwatch):
    """The event's records that satisfy the schema; the others are dead-lettered first."""
    check = validator(s3)
    valid, invalid, lines = [], [], []
    for r in records:
        k = r["kinesis"]
        why = reason(check, base64.b64decode(k["data"]))
        if why is None:
            valid.append(r)
            continue
        invalid.append(r)
        lines.append(json.dumps({
            "function_name": function_name, "shard_id": r["eventID"].split(":", 1)[0],
            "sequence_number": k["sequenceNumber"], "partition_key": k.get("partitionKey", ""),
            "approximate_arrival_timestamp": int(round(k["approximateArrivalTimestamp"] * 1000)),
            "reason": why, "data": k["data"]}, separators=(",", ":")) + "\n")
    if invalid:
        if not dead_letter_bucket:
            raise ValueError("SCHEMA_S3_URI needs DEAD_LETTER_BUCKET for invalid records")
        s3.put_object(Bucket=dead_letter_bucket, Key=dead_letter_key(function_name, invalid),
                      Body="".join(lines).encode(), ContentType="application/x-ndjson")
        cloudwatch.put_metric_data(Namespace="Sluice/Consumers", MetricData=[{
            "MetricName": "InvalidRecords", "Dimensions": [{"Name": "FunctionName", "Value": function_name}],
            "Value": len(invalid), "Unit": "Count"}])
    return valid
