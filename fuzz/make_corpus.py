#!/usr/bin/python3
"""Writes the seed corpora in fuzz/corpus/<target>/: small, hand-made inputs in the
shape each fuzz target reads (see the comment at the top of each target). Synthetic
only: the taxi rows are made up here, not copied from any data file.

    fuzz/make_corpus.py      (rewrites the corpora it writes; the files are committed)
"""
import base64
import json
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

# FuzzedDataProvider: ConsumeRandomLengthString ends a string at a backslash followed
# by any other byte; integers are taken from the end of the input.
SEP = b"\\;"


_cleared = set()


def write(target, name, data):
    d = os.path.join(OUT, target)
    if target not in _cleared:  # only the targets written here: others keep their seeds
        shutil.rmtree(d, ignore_errors=True)
        _cleared.add(target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ----------------------------------------------------------------- Kinesis bodies
ACTIONS = ["PutRecords", "GetShardIterator", "PutRecord", "CreateStream", "ListShards",
           "AddTagsToStream", "RemoveTagsFromStream", "GetRecords", "UpdateShardCount",
           "DescribeStream"]
ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/ingress"

REQUESTS = {
    "PutRecords": {"StreamName": "ingress", "Records": [
        {"Data": b'{"trip_id":"1372636858620000589"}', "PartitionKey": "20000589"},
        {"Data": b"\x00\x01\xff", "PartitionKey": "k\u00e9y", "ExplicitHashKey": "170141183460469231731687303715884105728"}]},
    "GetShardIterator": {"StreamARN": ARN, "ShardId": "shardId-000000000001",
                         "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": 1717243200.5},
    "PutRecord": {"StreamName": "ingress", "Data": b"hello", "PartitionKey": "p",
                  "SequenceNumberForOrdering": "49590338271490256608559692538361571095921575989136588898"},
    "CreateStream": {"StreamName": "s-1", "ShardCount": 2, "Tags": {"team": "data", "": "x"},
                     "StreamModeDetails": {"StreamMode": "PROVISIONED"}},
    "ListShards": {"StreamName": "ingress", "MaxResults": 100,
                   "ShardFilter": {"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000000"}},
    "AddTagsToStream": {"StreamName": "ingress", "Tags": {"k": "v"}},
    "RemoveTagsFromStream": {"StreamName": "ingress", "TagKeys": ["k", "\u20ac"]},
    "GetRecords": {"ShardIterator": "AAAAAAAAAAH" + "a" * 40, "Limit": 10000},
    "UpdateShardCount": {"StreamName": "ingress", "TargetShardCount": 4, "ScalingType": "UNIFORM_SCALING"},
    "DescribeStream": {"StreamName": "ingress", "Limit": 1.9e19, "ExclusiveStartShardId": None},
}


def to_json(v):
    import json

    def conv(x):
        if isinstance(x, bytes):
            return base64.b64encode(x).decode()
        if isinstance(x, dict):
            return {k: conv(y) for k, y in x.items()}
        if isinstance(x, list):
            return [conv(y) for y in x]
        return x
    return json.dumps(conv(v), ensure_ascii=False).encode()


def cbor_head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError(n)


def to_cbor(v, indefinite=True, key=None):
    if v is None:
        return b"\xf6"
    if v is True or v is False:
        return b"\xf5" if v else b"\xf4"
    if isinstance(v, int):
        return cbor_head(0, v) if v >= 0 else cbor_head(1, -1 - v)
    if isinstance(v, float):
        if key == "Timestamp":  # the AWS SDKs: tag 1 with integer milliseconds
            return b"\xc1" + cbor_head(0, int(v * 1000))
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, bytes):
        return cbor_head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return cbor_head(3, len(b)) + b
    if isinstance(v, list):
        body = b"".join(to_cbor(x, indefinite) for x in v)
        return (b"\x9f" + body + b"\xff") if indefinite else cbor_head(4, len(v)) + body
    if isinstance(v, dict):
        body = b"".join(to_cbor(k) + to_cbor(x, indefinite, k) for k, x in v.items())
        return (b"\xbf" + body + b"\xff") if indefinite else cbor_head(5, len(v)) + body
    raise TypeError(type(v))


def bodies():
    for i, action in enumerate(ACTIONS):
        req = REQUESTS[action]
        sel = bytes([i])
        write("json_codec", action.lower(), to_json(req) + sel)
        write("cbor_codec", action.lower(), to_cbor(req) + sel)
        write("cbor_codec", action.lower() + "-definite", to_cbor(req, indefinite=False) + sel)
    write("json_codec", "escapes", b'{"S":"a\\"b\\\\c\\u00e9\\ud83d\\ude00\\n","N":[-9223372036854775808,18446744073709551615,1e308,-0.0,true,false,null],"M":{"":{}}}\x00')
    write("json_codec", "bad-types", b'{"Records":{"a":1},"StreamName":7}\x00')
    write("json_codec", "deep", b"[" * 64 + b"]" * 64 + b"\x01")
    # CBOR corners: half/single floats, NaN, big negatives, indefinite strings, tags.
    write("cbor_codec", "floats", b"\xa4\x61h\xf9\x7e\x00\x61f\xfa\x7f\x80\x00\x00\x61n\x3b\xff\xff\xff\xff\xff\xff\xff\xff\x61t\xc1\xfb\x41\xd9\x99\x99\x99\x99\x99\x9a\x01")
    write("cbor_codec", "chunked-strings", b"\xbf\x7f\x61S\x61t\xff\x5f\x42\x01\x02\x41\x03\xff\xff\x00")
    write("cbor_codec", "timestamp-negative", b"\xa1\x69Timestamp\xc1\x38\x63\x01")


# ----------------------------------------------------------------- aws-chunked
def chunked():
    sig = b";chunk-signature=" + b"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
    write("aws_chunked", "signed", b"5" + sig + b"\r\nhello\r\n0" + sig + b"\r\n\r\n")
    write("aws_chunked", "trailer", b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n")
    write("aws_chunked", "many", b"".join(b"%x\r\n%s\r\n" % (n, b"x" * n) for n in (1, 16, 3)) + b"0\r\n\r\n")
    write("aws_chunked", "no-final-crlf", b"2\r\nab\r\n0\r\nx-amz-trailer-signature:abc")
    write("aws_chunked", "bad", b"\x01zz\r\nab\r\n")


# ----------------------------------------------------------------- S3 requests
def s3():
    def seed(name, host, target, rest, digits=19):
        write("s3_request", name, host + SEP + target + SEP + rest + bytes([digits]))
    seed("path-style", b"localhost:4566", b"/bucket/a%20b/c//d/?list-type=2&prefix=a%2Fb&max-keys=1000", b"bytes=0-1023")
    seed("virtual-host", b"bucket.s3.localhost", b"/key%3Fwith?uploadId=abc&partNumber=10000", b"bytes=-500")
    seed("range-open", b"localhost", b"/b/k", b"bytes=1024-")
    seed("range-20-digits", b"localhost", b"/b/k", b"bytes=0-18446744073709551615", 20)
    seed("http-date", b"localhost", b"/b/k", b"Sun, 06 Nov 1994 08:49:37 GMT")
    seed("iso-date", b"localhost", b"/b/k", b"2009-10-12T17:50:30")
    seed("integer", b"2147483647", b"/%2e%2e/%2F", b"a=1&a=2&+b+=%zz&=&c")


# ----------------------------------------------------------------- keys
def keys():
    for name, a, b in [("lake", b"context=write_to_s3/date=2024-05-01/2024_05_01_10_abc.json", b"a"),
                       ("dots", b"../a/./b/..", b".sluice-self"),
                       ("slashes", b"//a//b/", b"/"),
                       ("escapes", b"%41%/\x01\x7f/\xc3\xa9", b"%2E"),
                       ("long-segment", b"k" * 300, b"k" * 255)]:
        write("key_path", name, a + SEP + b)


# ----------------------------------------------------------------- XML
def xml():
    docs = {
        "complete-multipart": b'<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>"a54357aff0632cce46d942af68356b38"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag></Part></CompleteMultipartUpload>',
        "delete": b"<Delete><Quiet>true</Quiet><Object><Key>a&amp;b&#x1F600;&#13;</Key></Object><Object><Key><![CDATA[<raw>]]></Key><VersionId>null</VersionId></Object></Delete>",
        "create-bucket": b"<CreateBucketConfiguration xmlns='http://s3.amazonaws.com/doc/2006-03-01/'><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>",
        "comments": b"<!-- c --><s3:Tagging xmlns:s3='x'><!-- in --><TagSet><Tag><Key>k</Key><Value/></Tag></TagSet></s3:Tagging>  ",
        "dtd": b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>",
    }
    for name, d in docs.items():
        write("xml", name, d)


# ----------------------------------------------------------------- CSV (synthetic trips)
def csv():
    header = b'"TRIP_ID","CALL_TYPE","ORIGIN_CALL","ORIGIN_STAND","TAXI_ID","TIMESTAMP","DAY_TYPE","MISSING_DATA","POLYLINE"\n'
    rows = [
        b'"1700000000000000001","A","31508",NA,"20000123","1700000000","A","False","[[-8.610291,41.140746],[-8.6103,41.14068]]"\n',
        b'"1700000000000000002","B",NA,"15","20000456","1700000042","A","False","[]"\n',
        b'"1700000000000000003","C",NA,NA,"20000789","1700000099","A","True","[[-8.6,41.15]]"\r\n',
    ]
    # The last three bytes are the read sizes and the small row limit.
    write("csv_reader", "trips", header + b"".join(rows) + b"\x07\x05\x40")
    write("csv_reader", "bom-crlf", b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n3,4" + b"\x01\x01\x03")
    write("csv_reader", "quotes", b'a,b\n"x,""y""","multi\nline"\n"open,\n' + b"\x02\x03\x10")
    write("csv_reader", "broken", b'a,b,c\n1,2\nx"y,2,3\n"a"b,1,2\r' + b"\x05\x09\x02")


# ----------------------------------------------------------------- log formats
def log():
    def record(data, key, arrival, hash_key=None):
        flags = 1 if hash_key else 0
        return struct.pack("<IHBBq", len(data), len(key), flags, 0, arrival) + (hash_key or b"") + key + data
    payload = record(b'{"trip":1}', b"20000589", 1700000000000) + record(b"", b"k", -1, b"\x7f" * 16)
    # payload, base offset (u64, taken from the end), record count byte, mode 1
    write("log_batch", "records", payload + struct.pack("<Q", 42) + bytes([2, 1]))
    index = struct.pack("<IBBHIIQQQq", 0x534C4931, 1, 0, 0, 0, 2, 0, 1000, 4096, 1700000000000)
    index += struct.pack("<QQq", 0, 0, 0) + struct.pack("<QQq", 500, 2048, 1699999999999)
    # index bytes, fix-the-checksum flag, mode 2
    write("log_batch", "index", index + bytes([1, 2]))
    write("log_batch", "segment-name", b"00000000000000000042.log" + bytes([3]))
    write("log_batch", "header", bytes(range(48)) + bytes([0]))


# ----------------------------------------------------------------- SigV4
def sigv4():
    def seed(name, method, path, query, headers, region, service, raw):
        # Strings are read from the front, the header count from the end.
        parts = [method, path, query]
        for n, v in headers:
            parts += [n, v]
        parts += [region, service]
        write("sigv4", name, SEP.join(parts) + SEP + raw + bytes([len(headers)]))
    seed("get-vanilla", b"GET", b"/", b"", [(b"Host", b"example.amazonaws.com"), (b"X-Amz-Date", b"20150830T123600Z")],
         b"us-east-1", b"service",
         b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    seed("normalize", b"GET", b"/example/../a/./b//c%20d/", b"Param2=value2&Param1=value1&a=%7e&b", [(b"My-Header1", b"  value1   a  b ")],
         b"eu-west-1", b"kinesis", b"X-Amz-Credential=AKID%2F20240601%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240601T000000Z")
    seed("duplicate-headers", b"POST", b"/%E1%88%B4", b"=&&x=", [(b"x", b"1"), (b"X", b"2"), (b"a", b"\tz")],
         b"", b"s3", b"Credential=a/b/c/d/aws4_request")


# ----------------------------------------------------------------- CloudFormation
# stack_template: a template ends in a newline (an even last byte: the template part);
# a pattern seed is pattern, separator, value and an odd last byte.
TEMPLATES = {
    "reference.yml": """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ProjectName: {Type: String, Default: streaming-pipeline, AllowedPattern: "[a-z][a-z0-9-]*", MaxLength: 40}
  Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Shards: {Type: Number, Default: 2, MinValue: 1}
  Zones: {Type: CommaDelimitedList, Default: "a,b"}
Mappings:
  Sizes: {dev: {Mb: 5}, prod: {Mb: 64}}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${ProjectName}-${Stage}-output"
      Tags: [{Key: size, Value: !FindInMap [Sizes, !Ref Stage, Mb]}]
  Stream:
    Type: AWS::Kinesis::Stream
    DependsOn: Bucket
    Properties:
      Name: !Join ["-", [!Ref ProjectName, !Select [0, !Ref Zones]]]
      ShardCount: !If [IsProd, 4, !Ref Shards]
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Action: "sts:AssumeRole"}]}
      Policies:
        - PolicyName: !Sub
            - "${Name}-policy"
            - {Name: !GetAtt Bucket.Arn}
          PolicyDocument: {Statement: [{Effect: Allow, Resource: !Split [",", "a,b"]}]}
Outputs:
  BucketArn:
    Value: !Join ["", ["arn:aws:s3:::", !Ref Bucket, "/*"]]
    Export: {Name: !Join [":", [!Ref "AWS::StackName", OutputBucketARN]]}
  Stream: {Value: !GetAtt [Stream, Arn], Condition: NotProd}
  Encoded: {Value: !Base64 {"Fn::Sub": "${AWS::Region}/${AWS::AccountId}"}}
  Zone: {Value: !Select [1, !GetAZs ""]}
  Imported: {Value: !ImportValue {"Fn::Sub": "data-sources-${Stage}:OutputBucketARN"}}
""",
    "json.json": json.dumps({
        "Parameters": {"Key": {"Type": "String", "Default": "code/v1.zip", "MinLength": 1},
                       "Sizes": {"Type": "List<Number>", "Default": "1,2"}},
        "Conditions": {"Both": {"Fn::And": [{"Fn::Equals": ["a", "a"]}, {"Fn::Or": [{"Fn::Equals": [{"Ref": "Key"}, "x"]}, {"Fn::Equals": ["1", "1"]}]}]}},
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Condition": "Both",
                   "Properties": {"Code": {"S3Bucket": "deploy", "S3Key": {"Ref": "Key"}},
                                  "Environment": {"Variables": {"A": {"Fn::If": ["Both", "y", {"Ref": "AWS::NoValue"}]}}}}},
            "Map": {"Type": "AWS::Lambda::EventSourceMapping",
                    "Properties": {"FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
                                   "EventSourceArn": {"Fn::Join": ["", ["arn:aws:kinesis:", {"Ref": "AWS::Region"}, ":stream/s"]]}},
                    "DeletionPolicy": "Retain"}},
        "Outputs": {"Id": {"Value": {"Ref": "Map"}}, "Second": {"Value": {"Fn::Select": ["1", {"Ref": "Sizes"}]}}},
    }, indent=1) + "\n",
    "cycle.yml": "Resources:\n  A: {Type: AWS::S3::Bucket, DependsOn: B}\n  B: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref A}}\n",
    "flow.yml": "Resources: {B: {Type: 'AWS::Logs::LogGroup', Properties: {LogGroupName: !Sub '/${AWS::StackName}/${!Literal}'}}}\n",
}
PATTERNS = [
    (rb"[a-z][a-z0-9-]*", b"streaming-pipeline"),
    (rb"(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})", b"10.0.0.0/16"),
    (rb"^db\\.[tr]\\d+[a-z0-9]*\\.[a-z0-9]*$", b"db.r5.large"),
    (rb"(?:dev|prod)(-[^\\s,]{2,3})?", b"prod-x1"),
    (rb"(a+)+$", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"),
    (b"[\xc3\xa0-\xc3\xbf]+.\\u0041", "\u00e9\u00e8\u20acA".encode()),
]


def templates():
    for name, body in TEMPLATES.items():
        write("stack_template", name, body.encode())
    for i, (pattern, value) in enumerate(PATTERNS):
        # ConsumeRandomLengthString reads a doubled backslash as one.
        write("stack_template", f"pattern-{i}", pattern + SEP + value + SEP + b"\x01")


def main():
    bodies()
    chunked()
    s3()
    keys()
    xml()
    csv()
    log()
    sigv4()
    templates()
    return 0


if __name__ == "__main__":
    sys.exit(main())
