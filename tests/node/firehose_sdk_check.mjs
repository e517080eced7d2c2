// Drives a Firehose endpoint with the AWS SDK for JavaScript v3 Firehose client, on its
// default transport (HTTP/1.1) and on NodeHttp2Handler: create, describe, PutRecordBatch,
// and a bad request's exact error. Prints one JSON line with what it saw; exits non-zero
// on any failure. Usage: node firehose_sdk_check.mjs URL BUCKET
import {
  FirehoseClient, CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, PutRecordBatchCommand,
} from "@aws-sdk/client-firehose";
import { NodeHttp2Handler } from "@smithy/node-http-handler";
import http2 from "node:http2";

const [endpoint, bucket] = process.argv.slice(2);
const common = {
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
};
// Count the HTTP/2 sessions opened: the HTTP/2 handler must really use HTTP/2.
let sessions = 0;
const connect = http2.connect;
http2.connect = (...args) => { sessions += 1; return connect(...args); };
const out = {};
for (const [transport, client] of [
  ["http1", new FirehoseClient(common)],
  ["http2", new FirehoseClient({ ...common, requestHandler: new NodeHttp2Handler() })],
]) {
  const name = `node-fh-${transport}-${Date.now()}`;
  const seen = {};
  const created = await client.send(new CreateDeliveryStreamCommand({
    DeliveryStreamName: name, DeliveryStreamType: "DirectPut",
    ExtendedS3DestinationConfiguration: {
      RoleARN: "arn:aws:iam::000000000000:role/firehose_role", BucketARN: `arn:aws:s3:::${bucket}`,
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
    },
  }));
  seen.arn = created.DeliveryStreamARN;
  const desc = (await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name })))
    .DeliveryStreamDescription;
  seen.status = desc.DeliveryStreamStatus;
  seen.created = desc.CreateTimestamp instanceof Date;
  seen.type = desc.DeliveryStreamType;
  const records = Array.from({ length: 50 }, (_, i) => ({ Data: new TextEncoder().encode(`record-${i}\n`) }));
  const put = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: records }));
  seen.failed = put.FailedPutCount;
  seen.ids = put.RequestResponses.filter((r) => typeof r.RecordId === "string").length;
  try {
    await client.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: [] }));
    seen.badRequest = "accepted";
  } catch (e) {
    seen.badRequest = { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
  }
  try {
    await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name + "-missing" }));
    seen.notFound = "found";
  } catch (e) {
    seen.notFound = { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
  }
  seen.name = name;
  seen.http2Sessions = sessions;
  out[transport] = seen;
  client.destroy();
}
console.log(JSON.stringify(out));
