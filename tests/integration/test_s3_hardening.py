"""S3 hardening (#11) against the real binary: Range positions past 64 bits, an empty
Content-MD5, keys whose one segment is longer than a file name, internal errors that
never show server paths, and multipart checksums combined at Complete as S3 does.
Raw requests are signed with botocore's SigV4 so they are judged on what they test."""
import base64
import hashlib
import http.client
import os
import zlib

import pytest

from conftest import run
# One module-scoped server per test module, and the same client and bucket fixtures.
from test_s3 import bucket, s3, s3_client  # noqa: F401  (pytest fixtures)

ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
           AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")


def signed(server, method, path, body=b"", headers=None):
    """One SigV4-signed request over a fresh connection: (status, headers, body)."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method=method, url=server.url + path, data=body, headers=dict(headers or {}))
    S3SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "s3", "us-east-1").add_auth(req)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=dict(req.headers.items()))
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def error_of(excinfo):
    e = excinfo.value.response
    return e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Code"], e["Error"].get("Message")


def b64(raw):
    return base64.b64encode(raw).decode()


# ---- Range ----

def test_twenty_digit_range_end_is_satisfiable_to_the_last_byte(s3, bucket):
    data = os.urandom(1000)
    s3.put_object(Bucket=bucket, Key="r", Body=data)
    g = s3.get_object(Bucket=bucket, Key="r", Range="bytes=0-99999999999999999999")
    assert g["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert g["ContentRange"] == "bytes 0-999/1000"
    assert g["Body"].read() == data
    h = s3.head_object(Bucket=bucket, Key="r", Range="bytes=990-18446744073709551616")
    assert h["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert h["ResponseMetadata"]["HTTPHeaders"]["content-range"] == "bytes 990-999/1000"
    # A start past the end, however many digits, is InvalidRange with the size.
    with pytest.raises(Exception) as e:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=99999999999999999999-")
    assert error_of(e)[:2] == (416, "InvalidRange")
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["content-range"] == "bytes */1000"


# ---- Content-MD5 ----

def test_empty_content_md5_is_invalid_digest_and_stores_nothing(server, s3, bucket):
    status, _, body = signed(server, "PUT", "/%s/md5" % bucket, b"data", {"Content-MD5": ""})
    assert status == 400, body
    assert b"<Code>InvalidDigest</Code>" in body
    assert b"<Message>The Content-MD5 you specified was invalid.</Message>" in body
    with pytest.raises(Exception) as e:
        s3.head_object(Bucket=bucket, Key="md5")
    assert error_of(e)[0] == 404


# ---- long keys ----

def test_a_1024_byte_single_segment_key_is_stored_listed_and_read_back(s3, bucket, server):
    long_key = "k" * 1024
    neighbours = ["k" * 300 + "/child", "k" * 1023, "j", "l", "k" * 400 + "é" * 50]
    s3.put_object(Bucket=bucket, Key=long_key, Body=b"the long one")
    for i, k in enumerate(neighbours):
        s3.put_object(Bucket=bucket, Key=k, Body=b"n%d" % i)
    assert s3.get_object(Bucket=bucket, Key=long_key)["Body"].read() == b"the long one"
    assert s3.head_object(Bucket=bucket, Key=long_key)["ContentLength"] == 12
    listed = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
              for o in p.get("Contents", [])]
    assert listed == sorted([long_key] + neighbours, key=lambda k: k.encode())
    page = s3.list_objects_v2(Bucket=bucket, Prefix="k" * 300, Delimiter="/")
    assert [p["Prefix"] for p in page.get("CommonPrefixes", [])] == ["k" * 300 + "/"]
    assert [o["Key"] for o in page["Contents"]] == sorted([long_key, "k" * 1023, "k" * 400 + "é" * 50],
                                                          key=lambda k: k.encode())
    # Every name on disk is a legal file name inside the bucket's directory.
    root = os.path.realpath(os.path.join(server.data_dir, "objects", bucket))
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            assert len(n.encode()) <= 255
            assert os.path.realpath(os.path.join(dirpath, n)).startswith(root + os.sep)
    with pytest.raises(Exception) as e:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_of(e)[:2] == (400, "KeyTooLongError")
    s3.delete_object(Bucket=bucket, Key=long_key)
    assert long_key not in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]


def test_aws_cli_copies_and_lists_a_long_key(server, bucket, tmp_path):
    src = tmp_path / "f"
    src.write_bytes(b"via the cli")
    key = "x" * 700
    r = run(["/usr/bin/aws", "--endpoint-url", server.url, "s3api", "put-object", "--bucket", bucket,
             "--key", key, "--body", str(src)], timeout=60, env=ENV)
    assert r.returncode == 0, r.stderr
    r = run(["/usr/bin/aws", "--endpoint-url", server.url, "s3api", "list-objects-v2", "--bucket", bucket,
             "--query", "Contents[].Key", "--output", "text"], timeout=60, env=ENV)
    assert r.returncode == 0 and r.stdout.split() == [key], r.stderr


# ---- internal errors ----

def test_internal_error_answers_without_server_paths_and_logs_them(start_sluice, data_dir):
    srv = start_sluice()
    s3 = s3_client(srv.url)
    s3.create_bucket(Bucket="fault")
    # A file where the store needs a directory: publishing the key's metadata fails
    # with ENOTDIR, an internal error whose detail names server paths.
    h = hashlib.sha256(b"victim").hexdigest()
    keys_dir = os.path.join(data_dir, "objects-meta", "fault", "keys")
    os.makedirs(keys_dir, exist_ok=True)
    with open(os.path.join(keys_dir, h[:2]), "w") as f:
        f.write("in the way")
    status, headers, body = signed(srv, "PUT", "/fault/victim", b"data")
    assert status == 500, body
    assert b"<Code>InternalError</Code>" in body
    assert b"<Message>We encountered an internal error. Please try again.</Message>" in body
    assert data_dir.encode() not in body and b"objects-" not in body and b"Not a directory" not in body
    request_id = headers["x-amz-request-id"]
    code, err = srv.stop()
    assert code == 0
    logged = [line for line in err.splitlines() if "s3 request failed" in line]
    assert any(request_id in line and "errno=20" in line and data_dir in line for line in logged), err


# ---- multipart checksums ----

ALGORITHMS = {
    "SHA256": lambda d: hashlib.sha256(d).digest(),
    "SHA1": lambda d: hashlib.sha1(d).digest(),
    "CRC32": lambda d: zlib.crc32(d).to_bytes(4, "big"),
}


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_multipart_checksum_is_the_composite_of_part_checksums(s3, bucket, algorithm):
    digest = ALGORITHMS[algorithm]
    field = "Checksum" + algorithm
    key = "mp-" + algorithm
    up = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm)
    assert up["ChecksumAlgorithm"] == algorithm
    datas = [os.urandom(5 << 20), os.urandom(1000)]
    parts = []
    for n, data in enumerate(datas, 1):
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=n, Body=data,
                           ChecksumAlgorithm=algorithm)
        assert r[field] == b64(digest(data))
        parts.append({"PartNumber": n, "ETag": r["ETag"], field: r[field]})
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=up["UploadId"])["Parts"]
    assert [p[field] for p in listed] == [p[field] for p in parts]
    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"],
                                        MultipartUpload={"Parts": parts})
    want = b64(digest(b"".join(digest(d) for d in datas))) + "-2"
    assert done[field] == want
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert head[field] == want
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-checksum-type"] == "COMPOSITE"
    got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert got[field] == want and got["Body"].read() == b"".join(datas)


def test_multipart_complete_checks_the_part_checksums_it_is_given(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp-check", ChecksumAlgorithm="SHA256")
    r = s3.upload_part(Bucket=bucket, Key="mp-check", UploadId=up["UploadId"], PartNumber=1, Body=b"only",
                       ChecksumAlgorithm="SHA256")
    with pytest.raises(Exception) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="mp-check", UploadId=up["UploadId"],
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": r["ETag"]}]})
    assert error_of(e) == (400, "InvalidRequest",
                           "The upload was created using a sha256 checksum. The complete request must include "
                           "the checksum for each part. It was missing for part 1 in the request.")
    with pytest.raises(Exception) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="mp-check", UploadId=up["UploadId"], MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": r["ETag"], "ChecksumSHA256": b64(hashlib.sha256(b"other").digest())}]})
    assert error_of(e)[:2] == (400, "InvalidPart")
    # A stated whole-object checksum that is not the one formed is BadDigest.
    part = {"PartNumber": 1, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]}
    with pytest.raises(Exception) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="mp-check", UploadId=up["UploadId"],
                                     ChecksumSHA256=b64(hashlib.sha256(b"x").digest()) + "-1",
                                     MultipartUpload={"Parts": [part]})
    assert error_of(e)[:2] == (400, "BadDigest")
    # Another algorithm for a part of this upload is refused outright.
    with pytest.raises(Exception) as e:
        s3.upload_part(Bucket=bucket, Key="mp-check", UploadId=up["UploadId"], PartNumber=2, Body=b"x",
                       ChecksumAlgorithm="CRC32")
    assert error_of(e)[:2] == (400, "InvalidRequest")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp-check", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]}]})
    assert s3.get_object(Bucket=bucket, Key="mp-check")["Body"].read() == b"only"


def _crc64nvme_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x9A6C9329AC4BC9B5 if c & 1 else 0)
        table.append(c)
    return table


_CRC64 = _crc64nvme_table()


def crc64nvme(data):
    """CRC-64/NVME by its definition (check value of b"123456789": ae8b14860a799888)."""
    crc = 0xFFFFFFFFFFFFFFFF
    table = _CRC64
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return (crc ^ 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")


def test_crc64nvme_multipart_is_a_full_object_crc(server, bucket):
    """CRC64NVME has no composite form: S3 combines the part CRCs into the CRC of the
    whole object. Raw requests: this botocore predates CRC64NVME."""
    assert crc64nvme(b"123456789").hex() == "ae8b14860a799888"
    status, headers, body = signed(server, "POST", "/%s/nvme?uploads" % bucket, b"",
                                   {"x-amz-checksum-algorithm": "CRC64NVME"})
    assert status == 200 and headers["x-amz-checksum-type"] == "FULL_OBJECT", body
    upload_id = body.split(b"<UploadId>")[1].split(b"</UploadId>")[0].decode()
    datas = [os.urandom(5 << 20), b"the tail"]
    xml = "<CompleteMultipartUpload>"
    for n, data in enumerate(datas, 1):
        status, headers, body = signed(server, "PUT", "/%s/nvme?partNumber=%d&uploadId=%s" % (bucket, n, upload_id),
                                       data, {"x-amz-checksum-crc64nvme": b64(crc64nvme(data))})
        assert status == 200, body
        xml += "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>" % (n, headers["etag"])
    xml += "</CompleteMultipartUpload>"
    status, _, body = signed(server, "POST", "/%s/nvme?uploadId=%s" % (bucket, upload_id), xml.encode())
    assert status == 200, body
    want = b64(crc64nvme(b"".join(datas)))
    assert ("<ChecksumCRC64NVME>%s</ChecksumCRC64NVME>" % want).encode() in body
    assert b"<ChecksumType>FULL_OBJECT</ChecksumType>" in body
    status, headers, _ = signed(server, "HEAD", "/%s/nvme" % bucket, b"", {"x-amz-checksum-mode": "ENABLED"})
    assert status == 200
    assert headers["x-amz-checksum-crc64nvme"] == want and headers["x-amz-checksum-type"] == "FULL_OBJECT"


def test_copied_part_gets_the_uploads_checksum(s3, bucket):
    data = os.urandom(3000)
    s3.put_object(Bucket=bucket, Key="src", Body=data)
    up = s3.create_multipart_upload(Bucket=bucket, Key="copied", ChecksumAlgorithm="SHA256")
    r = s3.upload_part_copy(Bucket=bucket, Key="copied", UploadId=up["UploadId"], PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=0-999")
    digest = hashlib.sha256(data[:1000]).digest()
    assert r["CopyPartResult"]["ChecksumSHA256"] == b64(digest)
    # A body part of a COMPOSITE upload must carry its checksum (this botocore sends
    # none unless asked).
    with pytest.raises(Exception) as e:
        s3.upload_part(Bucket=bucket, Key="copied", UploadId=up["UploadId"], PartNumber=2, Body=b"x")
    assert error_of(e) == (400, "InvalidRequest",
                           "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="copied", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": r["CopyPartResult"]["ETag"], "ChecksumSHA256": b64(digest)}]})
    assert done["ChecksumSHA256"] == b64(hashlib.sha256(digest).digest()) + "-1"
