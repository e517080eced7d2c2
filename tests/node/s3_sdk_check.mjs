// Drives sluice's S3 API with the AWS SDK for JavaScript v3 S3 client, unmodified, on
// its defaults: request checksums (CRC32) on every upload, aws-chunked trailers for
// streamed bodies, response checksum validation on. Prints one JSON line of findings.
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, CreateMultipartUploadCommand,
  UploadPartCommand, CompleteMultipartUploadCommand, ListObjectsV2Command,
} from "@aws-sdk/client-s3";

const url = process.argv[2];
const s3 = new S3Client({
  endpoint: url, region: "us-east-1", forcePathStyle: true, maxAttempts: 1,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
});
const sent = [];
s3.middlewareStack.add((next) => async (args) => {
  const h = args.request.headers;
  sent.push({ sha: h["x-amz-content-sha256"], encoding: h["content-encoding"], trailer: h["x-amz-trailer"],
              checksumHeader: Object.keys(h).find((k) => k.startsWith("x-amz-checksum-")) });
  return next(args);
}, { step: "finalizeRequest", priority: "low", name: "recordHeaders" });

const md5 = (b) => createHash("md5").update(b).digest("hex");
const Bucket = "js-sdk";
const out = {};
await s3.send(new CreateBucketCommand({ Bucket }));

const small = Buffer.from("hello from the js sdk");
const put = await s3.send(new PutObjectCommand({ Bucket, Key: "small.txt", Body: small, ContentType: "text/plain" }));
out.smallEtag = put.ETag === `"${md5(small)}"`;
out.smallChecksum = put.ChecksumCRC32 ?? null;

const big = randomBytes(8 << 20);
const putBig = await s3.send(new PutObjectCommand({ Bucket, Key: "big.bin", Body: big, ChecksumAlgorithm: "SHA256" }));
out.bigSha256 = putBig.ChecksumSHA256 === createHash("sha256").update(big).digest("base64");

// A stream of unknown content: the SDK frames it as aws-chunked with a checksum trailer.
const parts = [randomBytes(300000), randomBytes(5), randomBytes(700000)];
const streamed = Buffer.concat(parts);
await s3.send(new PutObjectCommand({ Bucket, Key: "streamed.bin", Body: Readable.from(parts), ContentLength: streamed.length }));
out.streamedFraming = sent[sent.length - 1];

// The SDK asks for checksums on GET by default and validates the one it gets.
const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "small.txt", ChecksumMode: "ENABLED" }));
out.smallStoredChecksum = head.ChecksumCRC32 ?? null;
const gotSmall = await s3.send(new GetObjectCommand({ Bucket, Key: "small.txt" }));
out.smallRoundTrip = Buffer.from(await gotSmall.Body.transformToByteArray()).equals(small);
const got = await s3.send(new GetObjectCommand({ Bucket, Key: "big.bin" }));
out.bigRoundTrip = Buffer.from(await got.Body.transformToByteArray()).equals(big);
const gotStreamed = await s3.send(new GetObjectCommand({ Bucket, Key: "streamed.bin" }));
out.streamedRoundTrip = Buffer.from(await gotStreamed.Body.transformToByteArray()).equals(streamed);

const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "mp.bin" }));
const p1 = randomBytes(5 << 20), p2 = randomBytes(1000);
const e1 = await s3.send(new UploadPartCommand({ Bucket, Key: "mp.bin", UploadId, PartNumber: 1, Body: p1 }));
const e2 = await s3.send(new UploadPartCommand({ Bucket, Key: "mp.bin", UploadId, PartNumber: 2, Body: p2 }));
await s3.send(new CompleteMultipartUploadCommand({
  Bucket, Key: "mp.bin", UploadId,
  MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] },
}));
const gotMp = await s3.send(new GetObjectCommand({ Bucket, Key: "mp.bin" }));
out.multipartRoundTrip = Buffer.from(await gotMp.Body.transformToByteArray()).equals(Buffer.concat([p1, p2]));

const list = await s3.send(new ListObjectsV2Command({ Bucket }));
out.keys = (list.Contents ?? []).map((o) => o.Key);
try {
  await s3.send(new GetObjectCommand({ Bucket, Key: "missing" }));
  out.missing = "no error";
} catch (e) {
  out.missing = e.name;
}
console.log(JSON.stringify(out));
