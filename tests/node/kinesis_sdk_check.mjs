// Drives a Kinesis endpoint with the AWS SDK for JavaScript v3 on its default transport
// (NodeHttp2Handler: HTTP/2 with prior knowledge over clear text). Prints one JSON line
// with what it saw; exits non-zero on any failure. Usage: node kinesis_sdk_check.mjs URL
import {
  KinesisClient, CreateStreamCommand, PutRecordsCommand, PutRecordCommand, ListShardsCommand,
  GetShardIteratorCommand, GetRecordsCommand, DescribeStreamSummaryCommand,
} from "@aws-sdk/client-kinesis";
import http2 from "node:http2";

const endpoint = process.argv[2];
const name = "node-sdk-" + Date.now();
const client = new KinesisClient({
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
});

// Record which protocol each session negotiated: the handler must really use HTTP/2.
const sessions = [];
const connect = http2.connect;
http2.connect = (...args) => { const s = connect(...args); sessions.push(s); return s; };

const out = { stream: name };
await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
out.status = summary.StreamDescriptionSummary.StreamStatus;
out.created = summary.StreamDescriptionSummary.StreamCreationTimestamp instanceof Date;
const records = Array.from({ length: 100 }, (_, i) => ({
  PartitionKey: `key-${i % 10}`, Data: new TextEncoder().encode(`record-${i}`),
}));
const put = await client.send(new PutRecordsCommand({ StreamName: name, Records: records }));
out.failed = put.FailedRecordCount;
await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "one", Data: new Uint8Array([0, 255]) }));
const shards = (await client.send(new ListShardsCommand({ StreamName: name }))).Shards;
out.shards = shards.length;
let read = 0;
let sawBinary = false;
for (const shard of shards) {
  let it = (await client.send(new GetShardIteratorCommand({
    StreamName: name, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON",
  }))).ShardIterator;
  for (;;) {
    const r = await client.send(new GetRecordsCommand({ ShardIterator: it }));
    for (const rec of r.Records) {
      if (!(rec.ApproximateArrivalTimestamp instanceof Date)) throw new Error("timestamp not a Date");
      if (rec.Data.length === 2 && rec.Data[0] === 0 && rec.Data[1] === 255) sawBinary = true;
    }
    read += r.Records.length;
    if (r.Records.length === 0) break;
    it = r.NextShardIterator;
  }
}
out.read = read;
out.binary = sawBinary;
try {
  await client.send(new DescribeStreamSummaryCommand({ StreamName: "no-such-" + name }));
  out.notFound = "no error";
} catch (e) {
  out.notFound = e.name;
}
out.http2Sessions = sessions.length;
out.alpnOrPrior = sessions.map((s) => s.alpnProtocol ?? "h2c");
client.destroy();
console.log(JSON.stringify(out));
