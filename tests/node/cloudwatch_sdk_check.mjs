// Drives a CloudWatch endpoint with the AWS SDK for JavaScript v3 in one of the three
// protocols its client can speak: AWS JSON 1.0 with awsQueryCompatible errors (its
// default), Smithy RPC v2 CBOR or AWS Query (the client's `protocol` option). Prints one
// JSON line with what it saw, the content types it sent included; exits non-zero on any
// failure. Usage: node cloudwatch_sdk_check.mjs URL [json|cbor|query]
import {
  CloudWatchClient, PutMetricDataCommand, GetMetricStatisticsCommand, GetMetricDataCommand,
  PutMetricAlarmCommand, DescribeAlarmsCommand, DeleteAlarmsCommand, ListMetricsCommand,
} from "@aws-sdk/client-cloudwatch";
import { AwsJson1_0Protocol, AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";

const endpoint = process.argv[2];
const protocols = { json: AwsJson1_0Protocol, cbor: AwsSmithyRpcV2CborProtocol, query: AwsQueryProtocol };
const protocol = protocols[process.argv[3] ?? "json"];
if (!protocol) throw new Error("unknown protocol " + process.argv[3]);
const client = new CloudWatchClient({
  endpoint, region: "us-east-1", maxAttempts: 1, protocol,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
});
const out = { sent: [] };
client.middlewareStack.add((next) => async (args) => {
  const type = args.request.headers["content-type"];
  if (!out.sent.includes(type)) out.sent.push(type);
  return next(args);
}, { step: "finalizeRequest", name: "recordContentType" });
const ns = "NodeCheck" + Date.now();
const now = Date.now();
const at = new Date(now - 120000);
await client.send(new PutMetricDataCommand({
  Namespace: ns,
  MetricData: [
    { MetricName: "Hits", Value: 3, Unit: "Count", Timestamp: at, Dimensions: [{ Name: "Page", Value: "home" }] },
    { MetricName: "Hits", Value: 5, Unit: "Count", Timestamp: at, Dimensions: [{ Name: "Page", Value: "home" }] },
  ],
}));
const range = { StartTime: new Date(now - 600000), EndTime: new Date(now + 60000) };
let stats = { Datapoints: [] };
for (let i = 0; i < 100 && stats.Datapoints.length === 0; i++) {  // the store folds once a second
  stats = await client.send(new GetMetricStatisticsCommand({
    Namespace: ns, MetricName: "Hits", Dimensions: [{ Name: "Page", Value: "home" }], Period: 60,
    Statistics: ["Sum", "SampleCount"], ...range,
  }));
  if (stats.Datapoints.length === 0) await new Promise((r) => setTimeout(r, 100));
}
out.sum = stats.Datapoints[0]?.Sum;
out.count = stats.Datapoints[0]?.SampleCount;
out.timestampIsDate = stats.Datapoints[0]?.Timestamp instanceof Date;
const data = await client.send(new GetMetricDataCommand({
  MetricDataQueries: [
    { Id: "h", MetricStat: { Metric: { Namespace: ns, MetricName: "Hits", Dimensions: [{ Name: "Page", Value: "home" }] },
      Period: 60, Stat: "Sum" }, ReturnData: false },
    { Id: "e", Expression: "h * 2", Label: "doubled" },
  ],
  ...range,
}));
out.expression = data.MetricDataResults.map((r) => [r.Id, r.Label, r.Values]);
out.metrics = (await client.send(new ListMetricsCommand({ Namespace: ns }))).Metrics.length;
await client.send(new PutMetricAlarmCommand({
  AlarmName: ns + "-alarm", Namespace: ns, MetricName: "Hits", Statistic: "Sum", Period: 60,
  EvaluationPeriods: 1, Threshold: 100, ComparisonOperator: "GreaterThanThreshold",
  Dimensions: [{ Name: "Page", Value: "home" }],
}));
const alarms = await client.send(new DescribeAlarmsCommand({ AlarmNames: [ns + "-alarm"] }));
out.alarm = alarms.MetricAlarms.map((a) => [a.AlarmName === ns + "-alarm", a.StateValue, a.Threshold]);
try {
  await client.send(new DeleteAlarmsCommand({ AlarmNames: ["missing-" + ns] }));
  out.notFound = "no error";
} catch (e) {
  out.notFound = e.name;
  out.notFoundStatus = e.$metadata?.httpStatusCode;
}
try {
  await client.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: "x", Value: 1, StorageResolution: 7 }] }));
  out.invalid = "no error";
} catch (e) {
  out.invalid = e.name;
  out.invalidCode = e.Code;
}
await client.send(new DeleteAlarmsCommand({ AlarmNames: [ns + "-alarm"] }));
console.log(JSON.stringify(out));
