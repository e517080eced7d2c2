"""S3 API against the real binary with boto3 and the AWS CLI: buckets, objects, odd
keys, listings, ranges, conditions, copy, multipart, every error code, virtual-host
addressing, and crash safety of large PUTs."""
import base64
import hashlib
import io
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zlib

import pytest

from conftest import Sluice, recv_until_closed, run

ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
           AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")


def s3_client(url, addressing="path"):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "s3", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(s3={"addressing_style": addressing}, retries={"total_max_attempts": 1},
                      connect_timeout=5, read_timeout=60))


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.url)


_counter = [0]


@pytest.fixture
def bucket(s3):
    _counter[0] += 1
    name = "bkt-%d-%d" % (os.getpid(), _counter[0])
    s3.create_bucket(Bucket=name)
    return name


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def aws(server, *args, timeout=120):
    return run(["/usr/bin/aws", "--endpoint-url", server.url, "--no-progress", *args]
               if args and args[0] == "s3" and args[1] in ("cp", "sync", "mv")
               else ["/usr/bin/aws", "--endpoint-url", server.url, *args], timeout=timeout, env=ENV)


# ---- buckets ----

def test_bucket_lifecycle_and_errors(s3):
    s3.create_bucket(Bucket="life-cycle")
    with pytest.raises(Exception) as e:
        s3.create_bucket(Bucket="life-cycle")
    assert error_code(e) == "BucketAlreadyOwnedByYou"
    assert any(b["Name"] == "life-cycle" for b in s3.list_buckets()["Buckets"])
    s3.head_bucket(Bucket="life-cycle")
    s3.put_object(Bucket="life-cycle", Key="k", Body=b"x")
    with pytest.raises(Exception) as e:
        s3.delete_bucket(Bucket="life-cycle")
    assert error_code(e) == "BucketNotEmpty"
    s3.delete_object(Bucket="life-cycle", Key="k")
    s3.delete_bucket(Bucket="life-cycle")
    with pytest.raises(Exception) as e:
        s3.head_bucket(Bucket="life-cycle")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(Exception) as e:
        s3.list_objects_v2(Bucket="life-cycle")
    assert error_code(e) == "NoSuchBucket"


@pytest.mark.parametrize("name", ["ab", "UPPER", "a_b", "-abc", "192.168.1.1", "a..b", "x" * 64])
def test_invalid_bucket_names_are_rejected(s3, name):
    from botocore.exceptions import ClientError, ParamValidationError
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidBucketName"
    except ParamValidationError:
        # botocore refuses some names itself; check the server with a raw request
        req = urllib.request.Request(s3.meta.endpoint_url + "/" + name, method="PUT")
        with pytest.raises(urllib.error.HTTPError) as he:
            urllib.request.urlopen(req)
        assert b"InvalidBucketName" in he.value.read()
    else:
        pytest.fail("bucket %r was created" % name)


# ---- objects ----

def test_put_get_head_with_metadata(s3, bucket):
    body = b"hello world"
    r = s3.put_object(Bucket=bucket, Key="a.txt", Body=body, ContentType="text/plain",
                      Metadata={"color": "blue", "n": "1"})
    assert r["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    assert r["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]
    g = s3.get_object(Bucket=bucket, Key="a.txt")
    assert g["Body"].read() == body
    assert g["ContentType"] == "text/plain"
    assert g["Metadata"] == {"color": "blue", "n": "1"}
    h = s3.head_object(Bucket=bucket, Key="a.txt")
    assert h["ContentLength"] == len(body) and h["ETag"] == r["ETag"]


def test_content_md5_is_checked(s3, bucket):
    good = base64.b64encode(hashlib.md5(b"abc").digest()).decode()
    s3.put_object(Bucket=bucket, Key="m", Body=b"abc", ContentMD5=good)
    bad = base64.b64encode(hashlib.md5(b"abd").digest()).decode()
    with pytest.raises(Exception) as e:
        s3.put_object(Bucket=bucket, Key="m", Body=b"abc", ContentMD5=bad)
    assert error_code(e) == "BadDigest"
    with pytest.raises(Exception) as e:
        s3.put_object(Bucket=bucket, Key="m", Body=b"abc", ContentMD5="notbase64!")
    assert error_code(e) == "InvalidDigest"


def test_missing_keys_and_buckets(s3, bucket):
    with pytest.raises(Exception) as e:
        s3.get_object(Bucket=bucket, Key="nope")
    assert error_code(e) == "NoSuchKey"
    assert e.value.response["Error"]["Resource"] == "/%s/nope" % bucket
    assert e.value.response["ResponseMetadata"]["RequestId"]
    with pytest.raises(Exception) as e:
        s3.get_object(Bucket="no-such-bucket-here", Key="k")
    assert error_code(e) == "NoSuchBucket"
    s3.delete_object(Bucket=bucket, Key="never-existed")  # S3: success


ODD_KEYS = ["..", "../../etc/passwd", "a/../../b", "//double//slash", "trailing/", "/leading",
            "with space", "unicodé/日本語/🚀", ".hidden", "%2e%2e", "a%b", "tab\there", ("y" * 200 + "/") * 5 + "y" * 19,
            ".sluice-self", "dir/.sluice-self", "q?x=1&y", "plus+sign", "back\\slash", "."]


def test_odd_keys_round_trip(s3, bucket, server):
    for i, key in enumerate(ODD_KEYS):
        s3.put_object(Bucket=bucket, Key=key, Body=("body %d" % i).encode())
    for i, key in enumerate(ODD_KEYS):
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == ("body %d" % i).encode(), key
    listed = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
              for o in p.get("Contents", [])]
    assert listed == sorted(ODD_KEYS, key=lambda k: k.encode())
    # nothing escaped the bucket directory
    bucket_dir = os.path.join(server.data_dir, "objects", bucket)
    for root, dirs, files in os.walk(bucket_dir):
        for f in files:
            assert os.path.realpath(os.path.join(root, f)).startswith(os.path.realpath(bucket_dir) + os.sep)
    for key in ODD_KEYS:
        s3.delete_object(Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    assert os.listdir(bucket_dir) == []


def test_key_that_is_a_folder_of_another_key(s3, bucket, server):
    s3.put_object(Bucket=bucket, Key="a", Body=b"file a")
    s3.put_object(Bucket=bucket, Key="a/b", Body=b"file a/b")
    s3.put_object(Bucket=bucket, Key="a/b/c", Body=b"file a/b/c")
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"file a"
    assert s3.get_object(Bucket=bucket, Key="a/b")["Body"].read() == b"file a/b"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["a", "a/b", "a/b/c"]
    # the lake stays plain files
    with open(os.path.join(server.data_dir, "objects", bucket, "a", "b", "c"), "rb") as f:
        assert f.read() == b"file a/b/c"


def test_too_long_keys(s3, bucket):
    with pytest.raises(Exception) as e:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_code(e) == "KeyTooLongError"
    # One segment longer than a file name may be is still a valid S3 key
    # (test_s3_hardening.py has the details).
    s3.put_object(Bucket=bucket, Key="s" * 300, Body=b"x")
    assert s3.get_object(Bucket=bucket, Key="s" * 300)["Body"].read() == b"x"


def test_ranges(s3, bucket):
    data = bytes(range(256)) * 4
    s3.put_object(Bucket=bucket, Key="r", Body=data)
    g = s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-19")
    assert g["Body"].read() == data[10:20]
    assert g["ContentRange"] == "bytes 10-19/1024"
    assert g["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1000-")["Body"].read() == data[1000:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=-24")["Body"].read() == data[-24:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1000-5000")["Body"].read() == data[1000:]
    with pytest.raises(Exception) as e:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=2000-3000")
    assert error_code(e) == "InvalidRange"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416


def test_large_objects_stream_over_http1_and_http2_with_ranges(s3, bucket, server, tmp_path):
    # Larger than one transport chunk, and not a multiple of it, so the file-backed
    # body is sent in several pieces with a short last one.
    data = os.urandom(3 * 1024 * 1024 + 12345)
    s3.put_object(Bucket=bucket, Key="big", Body=data)
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == data
    g = s3.get_object(Bucket=bucket, Key="big", Range="bytes=262000-1048700")
    assert g["Body"].read() == data[262000:1048701]
    url = "%s/%s/big" % (server.url, bucket)
    # Two answers on one connection: the session must be ready for the next request
    # after a file-backed body. HTTP/1.1 through curl, HTTP/2 through nghttp.
    a, b = tmp_path / "a", tmp_path / "b"
    r = run(["curl", "-sS", "--fail", "-o", str(a), url,
             "--next", "-sS", "--fail", "-r", "100-299999", "-o", str(b), url])
    assert r.returncode == 0, r.stderr
    assert a.read_bytes() == data
    assert b.read_bytes() == data[100:300000]
    h2 = subprocess.run(["nghttp", url], capture_output=True, timeout=30)
    assert h2.returncode == 0, h2.stderr
    assert h2.stdout == data
    # Two concurrent streams (nghttp fetches a URL once, hence the query): their DATA
    # frames interleave on stdout.
    h2 = subprocess.run(["nghttp", url, url + "?response-cache-control=no-cache"],
                        capture_output=True, timeout=30)
    assert h2.returncode == 0, h2.stderr
    assert len(h2.stdout) == 2 * len(data)
    h2 = subprocess.run(["nghttp", "-H", "range: bytes=100-299999", url], capture_output=True, timeout=30)
    assert h2.returncode == 0, h2.stderr
    assert h2.stdout == data[100:300000]


def test_slow_reader_gets_every_byte(s3, bucket, server):
    """A reader slower than the server: the file-backed response waits for the socket
    to drain (sendfile on plain TCP) and resumes where it stopped."""
    data = os.urandom(24 << 20)
    s3.put_object(Bucket=bucket, Key="slow", Body=data)
    conn = socket.create_connection((server.host, server.port), timeout=10)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    conn.sendall(b"GET /%s/slow HTTP/1.1\r\nHost: localhost\r\nRange: bytes=1000-\r\n"
                 b"Connection: close\r\n\r\n" % bucket.encode())
    got = b""
    for _ in range(20):  # let the server fill the socket and wait a few times
        got += conn.recv(65536)
        time.sleep(0.05)
    got += recv_until_closed(conn)
    head, body = got.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 206")
    assert hashlib.md5(body).hexdigest() == hashlib.md5(data[1000:]).hexdigest()


def test_conditional_gets(s3, bucket):
    r = s3.put_object(Bucket=bucket, Key="c", Body=b"v1")
    etag = r["ETag"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"v1"
    with pytest.raises(Exception) as e:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert error_code(e) == "PreconditionFailed"
    with pytest.raises(Exception) as e:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    import datetime
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    with pytest.raises(Exception) as e:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=future)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=past)["Body"].read() == b"v1"
    with pytest.raises(Exception) as e:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=past)
    assert error_code(e) == "PreconditionFailed"


def test_copy_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src/é x", Body=b"copy me", ContentType="text/x",
                  Metadata={"a": "1"})
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src/é x"})
    assert r["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(b"copy me").hexdigest()
    g = s3.get_object(Bucket=bucket, Key="dst")
    assert g["Body"].read() == b"copy me" and g["Metadata"] == {"a": "1"}
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src/é x"},
                   MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="text/y")
    g = s3.get_object(Bucket=bucket, Key="dst")
    assert g["Metadata"] == {"b": "2"} and g["ContentType"] == "text/y"
    with pytest.raises(Exception) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "nope"})
    assert error_code(e) == "NoSuchKey"


def test_delete_objects(s3, bucket):
    for k in ["d1", "d2", "d/3"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "d1"}, {"Key": "d/3"},
                                                             {"Key": "missing"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["d/3", "d1", "missing"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["d2"]


# ---- listings ----

def test_list_v2_prefix_delimiter_pagination(s3, bucket):
    keys = ["a/1", "a/2", "a/b/3", "b/1", "c", "d/e/f", "d/x"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    r = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "b/", "d/"]
    assert [o["Key"] for o in r["Contents"]] == ["c"]
    r = s3.list_objects_v2(Bucket=bucket, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/b/"]
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}))
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == keys
    assert len(pages) == 4 and pages[0]["IsTruncated"]
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 1}))
    got = [(o.get("Key") or o.get("Prefix")) for p in pages for o in p.get("Contents", []) + p.get("CommonPrefixes", [])]
    assert got == ["a/", "b/", "c", "d/"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, StartAfter="b/1")["Contents"]] == ["c", "d/e/f", "d/x"]
    r = s3.list_objects_v2(Bucket=bucket, MaxKeys=3)
    assert r["KeyCount"] == 3 and r["IsTruncated"] and r["NextContinuationToken"]


def test_list_v1_marker(s3, bucket):
    for k in ["k1", "k2", "k3", "p/q"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    r = s3.list_objects(Bucket=bucket, Marker="k1", MaxKeys=2)
    assert [o["Key"] for o in r["Contents"]] == ["k2", "k3"] and r["IsTruncated"]
    pages = list(s3.get_paginator("list_objects").paginate(Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 1}))
    got = [(o.get("Key") or o.get("Prefix")) for p in pages for o in p.get("Contents", []) + p.get("CommonPrefixes", [])]
    assert got == ["k1", "k2", "k3", "p/"]


def test_list_invalid_max_keys(server, bucket):
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen("%s/%s?list-type=2&max-keys=abc" % (server.url, bucket))
    assert e.value.code == 400 and b"<Code>InvalidArgument</Code>" in e.value.read()


# ---- multipart ----

def test_multipart_api(s3, bucket):
    mpu = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="text/mp")
    uid = mpu["UploadId"]
    p1 = b"a" * (5 << 20)
    p2 = b"b" * 100
    e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=p1)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=p2)["ETag"]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [uid]
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, len(p1)), (2, 100)]
    with pytest.raises(Exception) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    assert error_code(e) == "InvalidPartOrder"
    with pytest.raises(Exception) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": '"%s"' % ("0" * 32)}]})
    assert error_code(e) == "InvalidPart"
    r = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    want = hashlib.md5(hashlib.md5(p1).digest() + hashlib.md5(p2).digest()).hexdigest() + "-2"
    assert r["ETag"] == '"%s"' % want
    g = s3.get_object(Bucket=bucket, Key="mp")
    assert g["Body"].read() == p1 + p2 and g["ContentType"] == "text/mp"
    with pytest.raises(Exception) as e:
        s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)
    assert error_code(e) == "NoSuchUpload"


def test_list_multipart_uploads_pages_with_markers(s3, bucket):
    made = sorted((k, s3.create_multipart_upload(Bucket=bucket, Key=k)["UploadId"])
                  for k in ("u-b", "u-a", "u-c", "u-a"))
    first = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=3)
    assert first["IsTruncated"] is True
    assert [(u["Key"], u["UploadId"]) for u in first["Uploads"]] == made[:3]
    assert (first["NextKeyMarker"], first["NextUploadIdMarker"]) == made[2]
    rest = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=3, KeyMarker=first["NextKeyMarker"],
                                     UploadIdMarker=first["NextUploadIdMarker"])
    assert rest["IsTruncated"] is False
    assert [(u["Key"], u["UploadId"]) for u in rest["Uploads"]] == made[3:]
    after_key = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="u-a")
    assert [u["Key"] for u in after_key["Uploads"]] == ["u-b", "u-c"]
    for k, uid in made:
        s3.abort_multipart_upload(Bucket=bucket, Key=k, UploadId=uid)


def test_list_multipart_uploads_folds_by_delimiter(s3, bucket):
    made = [(k, s3.create_multipart_upload(Bucket=bucket, Key=k)["UploadId"])
            for k in ("logs/2024/a", "logs/2024/b", "logs/2025/c", "logs/top", "other/x", "logs/2024/a")]
    got = s3.list_multipart_uploads(Bucket=bucket, Prefix="logs/", Delimiter="/")
    assert got["Delimiter"] == "/" and got["IsTruncated"] is False
    assert [u["Key"] for u in got["Uploads"]] == ["logs/top"]
    assert [p["Prefix"] for p in got["CommonPrefixes"]] == ["logs/2024/", "logs/2025/"]
    # A common prefix counts once toward MaxUploads; paging resumes after it.
    seen, marker = [], {}
    for _ in range(10):
        page = s3.list_multipart_uploads(Bucket=bucket, Prefix="logs/", Delimiter="/", MaxUploads=1, **marker)
        seen += [p["Prefix"] for p in page.get("CommonPrefixes", [])] + [u["Key"] for u in page.get("Uploads", [])]
        if not page["IsTruncated"]:
            break
        marker = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page.get("NextUploadIdMarker", "")}
    assert seen == ["logs/2024/", "logs/2025/", "logs/top"]
    for k, uid in made:
        s3.abort_multipart_upload(Bucket=bucket, Key=k, UploadId=uid)


def test_upload_part_copy(s3, bucket, server):
    src = os.urandom(12 << 20)
    s3.put_object(Bucket=bucket, Key="src", Body=src)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="joined")["UploadId"]
    five = 5 << 20
    p1 = s3.upload_part_copy(Bucket=bucket, Key="joined", UploadId=uid, PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=0-%d" % (five - 1))
    assert p1["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(src[:five]).hexdigest()
    p2 = s3.upload_part_copy(Bucket=bucket, Key="joined", UploadId=uid, PartNumber=2,
                             CopySource="%s/src" % bucket, CopySourceIfMatch=hashlib.md5(src).hexdigest())
    p3 = s3.upload_part(Bucket=bucket, Key="joined", UploadId=uid, PartNumber=3, Body=b"tail")
    parts = [{"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"]},
             {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}, {"PartNumber": 3, "ETag": p3["ETag"]}]
    s3.complete_multipart_upload(Bucket=bucket, Key="joined", UploadId=uid, MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket=bucket, Key="joined")["Body"].read() == src[:five] + src + b"tail"

    uid = s3.create_multipart_upload(Bucket=bucket, Key="bad")["UploadId"]
    for kwargs, code in (({"CopySourceRange": "bytes=5-"}, "InvalidArgument"),
                         ({"CopySourceRange": "bytes=9-3"}, "InvalidArgument"),
                         ({"CopySourceRange": "bytes=0-%d" % len(src)}, "InvalidArgument"),
                         ({"CopySourceIfMatch": '"0123"'}, "PreconditionFailed")):
        with pytest.raises(Exception) as e:
            s3.upload_part_copy(Bucket=bucket, Key="bad", UploadId=uid, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "src"}, **kwargs)
        assert error_code(e) == code, kwargs
    with pytest.raises(Exception) as e:
        s3.upload_part_copy(Bucket=bucket, Key="bad", UploadId=uid, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "missing"})
    assert error_code(e) == "NoSuchKey"
    with pytest.raises(Exception) as e:
        s3.upload_part_copy(Bucket=bucket, Key="bad", UploadId="f" * 32, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"})
    assert error_code(e) == "NoSuchUpload"
    assert s3.list_parts(Bucket=bucket, Key="bad", UploadId=uid).get("Parts", []) == []
    # The copy request's own (empty) body headers do not apply to the copied bytes.
    empty_md5 = base64.b64encode(hashlib.md5(b"").digest()).decode()
    req = urllib.request.Request("%s/%s/bad?partNumber=2&uploadId=%s" % (server.url, bucket, uid), data=b"",
                                 method="PUT", headers={"x-amz-copy-source": "/%s/src" % bucket,
                                                        "content-md5": empty_md5})
    assert b"<CopyPartResult>" in urllib.request.urlopen(req).read()


def test_multipart_abort_and_small_parts(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="ab")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="ab", UploadId=uid, PartNumber=1, Body=b"small")["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="ab", UploadId=uid, PartNumber=2, Body=b"small")["ETag"]
    with pytest.raises(Exception) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="ab", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert error_code(e) == "EntityTooSmall"
    s3.abort_multipart_upload(Bucket=bucket, Key="ab", UploadId=uid)
    with pytest.raises(Exception) as e:
        s3.abort_multipart_upload(Bucket=bucket, Key="ab", UploadId=uid)
    assert error_code(e) == "NoSuchUpload"
    with pytest.raises(Exception) as e:
        s3.upload_part(Bucket=bucket, Key="ab", UploadId="0" * 32, PartNumber=1, Body=b"x")
    assert error_code(e) == "NoSuchUpload"


# ---- protocol details ----

def test_method_not_allowed_and_not_implemented(server, bucket):
    req = urllib.request.Request(server.url + "/", method="DELETE")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 405 and b"<Code>MethodNotAllowed</Code>" in e.value.read()
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen("%s/%s?acl" % (server.url, bucket))
    assert e.value.code == 501 and b"<Code>NotImplemented</Code>" in e.value.read()


def test_tags_are_not_stored_and_say_so(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    with pytest.raises(Exception) as e:
        s3.get_object_tagging(Bucket=bucket, Key="missing")
    assert error_code(e) == "NoSuchKey"
    for call in (lambda: s3.put_object(Bucket=bucket, Key="t2", Body=b"x", Tagging="team=data"),
                 lambda: s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})):
        with pytest.raises(Exception) as e:
            call()
        assert error_code(e) == "NotImplemented"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="t2")


def test_entity_too_large(tmp_path):
    # --max-body-bytes bounds buffered bodies; object uploads stream to disk and are
    # bounded only by S3's 5 GiB for one PUT.
    s = Sluice(str(tmp_path / "data"), ("--max-body-bytes", "1000"))
    try:
        c = s3_client(s.url)
        c.create_bucket(Bucket="small")
        big = os.urandom(300_000)
        c.put_object(Bucket="small", Key="k", Body=big)
        assert c.get_object(Bucket="small", Key="k")["Body"].read() == big
        # A declared length over 5 GiB is refused from the head, before any body byte.
        conn = socket.create_connection((s.host, s.port), timeout=5)
        conn.sendall(b"PUT /small/huge HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n"
                     % ((5 << 30) + 1))
        resp = recv_until_closed(conn)
        assert resp.startswith(b"HTTP/1.1 400") and b"<Code>EntityTooLarge</Code>" in resp, resp[:300]
        # A buffered request (DeleteObjects XML) over --max-body-bytes.
        keys = "".join("<Object><Key>key-number-%d</Key></Object>" % i for i in range(100))
        xml = ("<Delete>%s</Delete>" % keys).encode()
        conn = socket.create_connection((s.host, s.port), timeout=5)
        conn.sendall(b"POST /small?delete HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(xml), xml))
        resp = recv_until_closed(conn)
        assert b"<Code>EntityTooLarge</Code>" in resp, resp[:300]
        assert c.list_objects_v2(Bucket="small")["KeyCount"] == 1
    finally:
        assert s.stop()[0] == 0


def test_virtual_host_addressing(server):
    # <bucket>.localhost resolves to loopback on this resolver? Use the Host header directly.
    s3 = s3_client(server.url)
    s3.create_bucket(Bucket="vhost-bkt")
    conn = socket.create_connection((server.host, server.port), timeout=5)
    body = b"virtual"
    conn.sendall(b"PUT /obj/x HTTP/1.1\r\nHost: vhost-bkt.localhost:%d\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n%s" % (server.port, len(body), body))
    resp = recv_until_closed(conn)
    assert resp.startswith(b"HTTP/1.1 200"), resp
    assert s3.get_object(Bucket="vhost-bkt", Key="obj/x")["Body"].read() == body
    # boto3 with virtual addressing through an endpoint named localhost
    v = s3_client("http://localhost:%d" % server.port, addressing="virtual")
    try:
        got = v.get_object(Bucket="vhost-bkt", Key="obj/x")["Body"].read()
    except Exception as e:  # resolver without *.localhost support
        pytest.skip("this resolver does not map *.localhost to loopback: %s" % e)
    assert got == body


def test_aws_chunked_signed_body(server, bucket):
    """A STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, as SDKs send for streamed uploads."""
    data = b"0123456789" * 1000
    sig = "0" * 64
    chunked = b"%x;chunk-signature=%s\r\n%s\r\n0;chunk-signature=%s\r\n\r\n" % (
        len(data), sig.encode(), data, sig.encode())
    req = urllib.request.Request("%s/%s/chunked" % (server.url, bucket), data=chunked, method="PUT", headers={
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data))})
    urllib.request.urlopen(req).read()
    assert s3_client(server.url).get_object(Bucket=bucket, Key="chunked")["Body"].read() == data


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def put_trailer(server, bucket, key, data, trailer_value, trailer="x-amz-checksum-crc32"):
    chunked = b"%x\r\n%s\r\n0\r\n%s:%s\r\n\r\n" % (len(data), data, trailer.encode(), trailer_value.encode())
    req = urllib.request.Request("%s/%s/%s" % (server.url, bucket, key), data=chunked, method="PUT", headers={
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "content-encoding": "aws-chunked", "x-amz-trailer": trailer,
        "x-amz-decoded-content-length": str(len(data))})
    return urllib.request.urlopen(req)


def test_aws_chunked_unsigned_trailer_checksum_is_verified(server, bucket):
    data = b"trailer body"
    r = put_trailer(server, bucket, "trailer", data, crc32_b64(data))
    assert r.headers["x-amz-checksum-crc32"] == crc32_b64(data)
    h = s3_client(server.url).head_object(Bucket=bucket, Key="trailer")
    assert h["ContentLength"] == len(data) and "ContentEncoding" not in h
    with pytest.raises(urllib.error.HTTPError) as e:
        put_trailer(server, bucket, "trailer", b"other body!!", crc32_b64(data))
    assert e.value.code == 400
    assert b"<Code>BadDigest</Code>" in e.value.read()
    assert s3_client(server.url).get_object(Bucket=bucket, Key="trailer")["Body"].read() == data
    r = put_trailer(server, bucket, "mixed-case", data, crc32_b64(data), trailer="X-Amz-Checksum-CRC32")
    assert r.headers["x-amz-checksum-crc32"] == crc32_b64(data)
    with pytest.raises(urllib.error.HTTPError) as e:
        put_trailer(server, bucket, "md5-trailer", data, "x", trailer="x-amz-checksum-md5")
    assert e.value.code == 400 and b"<Code>InvalidRequest</Code>" in e.value.read()


def test_checksum_headers_are_verified_and_answered(s3, bucket, server):
    data = os.urandom(3 << 20)
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
    r = s3.put_object(Bucket=bucket, Key="sum", Body=data, ChecksumAlgorithm="SHA256")
    assert r["ChecksumSHA256"] == sha
    # Kept with the object: answered on HEAD/GET when asked for, whole objects only.
    assert s3.head_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")["ChecksumSHA256"] == sha
    assert "ChecksumSHA256" not in s3.head_object(Bucket=bucket, Key="sum")
    got = s3.get_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == sha and got["Body"].read() == data
    assert "ChecksumSHA256" not in s3.get_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED", Range="bytes=0-9")
    s3.copy_object(Bucket=bucket, Key="sum-copy", CopySource={"Bucket": bucket, "Key": "sum"})
    assert s3.head_object(Bucket=bucket, Key="sum-copy", ChecksumMode="ENABLED")["ChecksumSHA256"] == sha
    r = s3.put_object(Bucket=bucket, Key="sum", Body=data, ChecksumCRC32=crc32_b64(data))
    assert r["ChecksumCRC32"] == crc32_b64(data)
    h = s3.head_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert h["ChecksumCRC32"] == crc32_b64(data) and "ChecksumSHA256" not in h
    with pytest.raises(Exception) as e:
        s3.put_object(Bucket=bucket, Key="sum2", Body=data, ChecksumCRC32=crc32_b64(b"not it"))
    assert error_code(e) == "BadDigest"
    # CRC64NVME ("123456789" has the catalogue check value ae8b14860a799888), raw.
    for value, status in (("rosUhgp5mIg=", 200), ("AAAAAAAAAAA=", 400), ("short", 400)):
        req = urllib.request.Request("%s/%s/nvme" % (server.url, bucket), data=b"123456789", method="PUT",
                                     headers={"x-amz-checksum-crc64nvme": value})
        try:
            got = urllib.request.urlopen(req).status
        except urllib.error.HTTPError as err:
            got = err.code
        assert got == status, value
    with pytest.raises(Exception) as e:
        s3.head_object(Bucket=bucket, Key="sum2")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    def raw_put(key, headers):
        req = urllib.request.Request("%s/%s/%s" % (server.url, bucket, key), data=b"123456789", method="PUT",
                                     headers=headers)
        try:
            return urllib.request.urlopen(req).status, b""
        except urllib.error.HTTPError as err:
            return err.code, err.read()
    # Unpadded base64 is the same value; an algorithm named without any value is refused,
    # as is a value header beside a trailer.
    assert raw_put("unpadded", {"x-amz-checksum-crc32": crc32_b64(b"123456789").rstrip("=")})[0] == 200
    status, body = raw_put("sdk-only", {"x-amz-sdk-checksum-algorithm": "CRC32"})
    assert status == 400 and b"<Code>InvalidRequest</Code>" in body
    status, body = raw_put("both", {"x-amz-checksum-crc32": crc32_b64(b"123456789"),
                                    "x-amz-trailer": "x-amz-checksum-crc32",
                                    "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                    "content-encoding": "aws-chunked"})
    assert status == 400 and b"<Code>InvalidRequest</Code>" in body


# ---- streamed uploads ----
# Object bodies go to the temporary file as they arrive (HTTP/1.1 with a length); other
# bodies are buffered and handed over whole.

def wait_for(cond, what, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def temporaries(server):
    return os.listdir(os.path.join(server.data_dir, "objects-tmp"))


def test_streamed_upload_with_wrong_md5_leaves_nothing(s3, bucket, server):
    body = os.urandom(20 << 20)
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(Exception) as e:
        s3.put_object(Bucket=bucket, Key="big", Body=body, ContentMD5=wrong)
    assert error_code(e) == "BadDigest"
    with pytest.raises(Exception) as e:
        s3.head_object(Bucket=bucket, Key="big")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    wait_for(lambda: not temporaries(server), "the temporary to go")
    right = base64.b64encode(hashlib.md5(body).digest()).decode()
    etag = s3.put_object(Bucket=bucket, Key="big", Body=body, ContentMD5=right)["ETag"]
    assert etag == '"%s"' % hashlib.md5(body).hexdigest()
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == body


def test_client_gone_mid_upload_leaves_nothing(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="gone", Body=b"before")
    conn = socket.create_connection((server.host, server.port), timeout=10)
    conn.sendall(b"PUT /%s/gone HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n"
                 % (bucket.encode(), 64 << 20))
    conn.sendall(os.urandom(16 << 20))
    # The body is being written while it arrives: its temporary exists before the end.
    wait_for(lambda: temporaries(server), "the upload's temporary")
    conn.close()
    wait_for(lambda: not temporaries(server), "the abandoned temporary to be removed")
    assert s3.get_object(Bucket=bucket, Key="gone")["Body"].read() == b"before"


def test_shutdown_during_uploads_cuts_them_cleanly(tmp_path):
    """SIGTERM while uploads are mid-body: after the grace period the connections are
    cut, the sinks abort, the server exits 0 and leaves no temporary or object."""
    s = Sluice(str(tmp_path / "data"), ("--shutdown-grace-ms", "300"))
    conns = []
    try:
        s3_client(s.url).create_bucket(Bucket="cut")
        for i in range(3):
            conn = socket.create_connection((s.host, s.port), timeout=10)
            conn.sendall(b"PUT /cut/k%d HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n" % (i, 64 << 20))
            conn.sendall(os.urandom(8 << 20))
            conns.append(conn)
        wait_for(lambda: len(temporaries(s)) == 3, "three uploads in progress")
    finally:
        code, err = s.stop()
        for conn in conns:
            conn.close()
    assert code == 0, err
    assert not os.listdir(os.path.join(s.data_dir, "objects-tmp"))
    assert not os.listdir(os.path.join(s.data_dir, "objects", "cut"))


def test_upload_refused_from_its_head_keeps_the_connection(server, bucket):
    """NoSuchBucket is known before the body; the body is still read so the pipelined
    requests behind it are answered on the same connection."""
    body = os.urandom(3 << 20)
    conn = socket.create_connection((server.host, server.port), timeout=10)
    conn.sendall(b"PUT /no-such-bucket-%d/k HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s"
                 b"PUT /%s/pipelined HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s"
                 b"GET /%s/pipelined HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                 % (os.getpid(), len(body), body, bucket.encode(), len(body), body, bucket.encode()))
    resp = recv_until_closed(conn)
    first, rest = resp.split(b"\r\n", 1)
    assert first == b"HTTP/1.1 404 Not Found" and b"<Code>NoSuchBucket</Code>" in rest
    assert rest.count(b"HTTP/1.1 200 OK") == 2
    assert resp.endswith(body)


def test_expect_continue_upload_is_refused_before_its_body(server, bucket, s3):
    """With Expect: 100-continue the head is judged first: a refused upload is answered
    at once and its body never sent; an accepted one gets 100 Continue."""
    conn = socket.create_connection((server.host, server.port), timeout=10)
    conn.sendall(b"PUT /no-such-bucket-%d/k HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n"
                 b"Expect: 100-continue\r\n\r\n" % (os.getpid(), 1 << 30))
    resp = recv_until_closed(conn)  # no body byte was sent; the server closes after answering
    assert resp.startswith(b"HTTP/1.1 404") and b"<Code>NoSuchBucket</Code>" in resp, resp[:300]
    assert b"100 Continue" not in resp
    conn = socket.create_connection((server.host, server.port), timeout=10)
    conn.sendall(b"PUT /%s/continued HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                 b"Expect: 100-continue\r\nConnection: close\r\n\r\n" % bucket.encode())
    assert conn.recv(4096).startswith(b"HTTP/1.1 100 Continue")
    conn.sendall(b"hello")
    assert recv_until_closed(conn).startswith(b"HTTP/1.1 200")
    assert s3.get_object(Bucket=bucket, Key="continued")["Body"].read() == b"hello"
    # boto3 sends Expect: 100-continue for file-like bodies.
    with pytest.raises(Exception) as e:
        s3.put_object(Bucket="no-such-bucket-%d" % os.getpid(), Key="k", Body=io.BytesIO(os.urandom(20 << 20)))
    assert error_code(e) == "NoSuchBucket"
    s3.put_object(Bucket=bucket, Key="file-like", Body=io.BytesIO(b"x" * 3000000))
    assert s3.head_object(Bucket=bucket, Key="file-like")["ContentLength"] == 3000000


def test_chunked_transfer_coding_upload_is_buffered_then_stored(server, bucket):
    parts = [os.urandom(100_000), os.urandom(7), os.urandom(250_000)]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    conn = socket.create_connection((server.host, server.port), timeout=10)
    conn.sendall(b"PUT /%s/te HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                 b"Connection: close\r\n\r\n%s" % (bucket.encode(), framed))
    resp = recv_until_closed(conn)
    assert resp.startswith(b"HTTP/1.1 200"), resp[:200]
    data = b"".join(parts)
    assert s3_client(server.url).get_object(Bucket=bucket, Key="te")["Body"].read() == data


def test_upload_over_http2(server, bucket, tmp_path):
    body = os.urandom(3 << 20)
    path = tmp_path / "body"
    path.write_bytes(body)
    url = "%s/%s/h2" % (server.url, bucket)
    out = subprocess.run(["nghttp", "-H", ":method: PUT", "-d", str(path), url], capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert s3_client(server.url).get_object(Bucket=bucket, Key="h2")["Body"].read() == body
    wrong = base64.b64encode(hashlib.md5(b"x").digest()).decode()
    out = subprocess.run(["nghttp", "-v", "-H", ":method: PUT", "-H", "content-md5: " + wrong, "-d", str(path),
                          url + "-bad"], capture_output=True, timeout=30)
    assert b"<Code>BadDigest</Code>" in out.stdout, out.stdout[-500:]


# ---- AWS CLI ----

def test_aws_cli_mb_cp_ls_sync_rm(server, tmp_path):
    assert aws(server, "s3", "mb", "s3://cli-bkt").returncode == 0
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "one.txt").write_bytes(b"one")
    (src / "sub" / "two.json").write_bytes(b'{"two":2}')
    r = aws(server, "s3", "cp", str(src / "one.txt"), "s3://cli-bkt/one.txt")
    assert r.returncode == 0, r.stderr
    r = aws(server, "s3", "sync", str(src), "s3://cli-bkt/synced")
    assert r.returncode == 0, r.stderr
    r = aws(server, "s3", "ls", "s3://cli-bkt", "--recursive")
    assert r.returncode == 0, r.stderr
    listed = sorted(line.split()[-1] for line in r.stdout.splitlines())
    assert listed == ["one.txt", "synced/one.txt", "synced/sub/two.json"]
    r = aws(server, "s3", "ls", "s3://cli-bkt/synced/")
    assert "PRE sub/" in r.stdout
    out = tmp_path / "back"
    r = aws(server, "s3", "sync", "s3://cli-bkt/synced", str(out))
    assert r.returncode == 0, r.stderr
    assert (out / "sub" / "two.json").read_bytes() == b'{"two":2}'
    r = aws(server, "s3", "rm", "s3://cli-bkt", "--recursive")
    assert r.returncode == 0, r.stderr
    assert aws(server, "s3", "rb", "s3://cli-bkt").returncode == 0


def test_aws_cli_100mb_multipart_and_ranged_download(server, tmp_path):
    assert aws(server, "s3", "mb", "s3://big-bkt").returncode == 0
    big = tmp_path / "big.bin"
    block = os.urandom(1 << 20)
    with open(big, "wb") as f:
        for i in range(100):
            f.write(block[i:] + block[:i])
    t = time.time()
    r = aws(server, "s3", "cp", str(big), "s3://big-bkt/big.bin")
    assert r.returncode == 0, r.stderr
    h = s3_client(server.url).head_object(Bucket="big-bkt", Key="big.bin")
    assert h["ContentLength"] == 100 << 20 and h["ETag"].endswith('-13"'), h["ETag"]  # 8 MiB parts
    back = tmp_path / "back.bin"
    r = aws(server, "s3", "cp", "s3://big-bkt/big.bin", str(back))
    assert r.returncode == 0, r.stderr
    with open(big, "rb") as a, open(back, "rb") as b:
        assert hashlib.md5(a.read()).digest() == hashlib.md5(b.read()).digest()
    part = tmp_path / "part.bin"
    r = aws(server, "s3api", "get-object", "--bucket", "big-bkt", "--key", "big.bin",
            "--range", "bytes=50000000-50000099", str(part))
    assert r.returncode == 0, r.stderr
    with open(big, "rb") as f:
        f.seek(50000000)
        assert part.read_bytes() == f.read(100)
    assert time.time() - t < 90
    s3_client(server.url).delete_object(Bucket="big-bkt", Key="big.bin")


# ---- durability ----

def test_aws_cli_copies_a_large_object_between_buckets(server, tmp_path):
    """Above the CLI's multipart threshold (8 MB) a bucket-to-bucket copy is a
    multipart upload of UploadPartCopy parts."""
    data = os.urandom(20 << 20)
    (tmp_path / "big").write_bytes(data)
    for b in ("cli-copy-a", "cli-copy-b"):
        assert aws(server, "s3", "mb", "s3://" + b).returncode == 0
    assert aws(server, "s3", "cp", str(tmp_path / "big"), "s3://cli-copy-a/big").returncode == 0
    r = aws(server, "s3", "cp", "s3://cli-copy-a/big", "s3://cli-copy-b/copied")
    assert r.returncode == 0, r.stderr
    got = s3_client(server.url).get_object(Bucket="cli-copy-b", Key="copied")
    assert got["ETag"].endswith('-3"')  # 8 MB parts: a multipart copy, not CopyObject
    assert got["Body"].read() == data


def test_sigkill_during_large_put_leaves_no_partial_object(tmp_path):
    data_dir = str(tmp_path / "data")
    s = Sluice(data_dir)
    c = s3_client(s.url)
    c.create_bucket(Bucket="crash")
    c.put_object(Bucket="crash", Key="big", Body=b"old version")
    size = 200 << 20
    conn = socket.create_connection((s.host, s.port), timeout=10)
    conn.sendall(b"PUT /crash/big HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size)
    chunk = b"n" * (1 << 20)
    for _ in range(120):  # more than half, not all
        conn.sendall(chunk)
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait(timeout=10)
    conn.close()
    s2 = Sluice(data_dir)
    try:
        c2 = s3_client(s2.url)
        assert c2.get_object(Bucket="crash", Key="big")["Body"].read() == b"old version"
        assert [o["Key"] for o in c2.list_objects_v2(Bucket="crash")["Contents"]] == ["big"]
        assert os.listdir(os.path.join(data_dir, "objects-tmp")) == []
    finally:
        assert s2.stop()[0] == 0


def test_sigkill_after_put_keeps_acknowledged_object(tmp_path):
    data_dir = str(tmp_path / "data")
    s = Sluice(data_dir)
    c = s3_client(s.url)
    c.create_bucket(Bucket="ack")
    body = os.urandom(3 << 20)
    etag = c.put_object(Bucket="ack", Key="k/v", Body=body, Metadata={"m": "1"})["ETag"]
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait(timeout=10)
    s2 = Sluice(data_dir)
    try:
        g = s3_client(s2.url).get_object(Bucket="ack", Key="k/v")
        assert g["Body"].read() == body and g["ETag"] == etag and g["Metadata"] == {"m": "1"}
    finally:
        assert s2.stop()[0] == 0
