#include "internal/kinesis_event.h"

#include <gtest/gtest.h>

namespace sluice::functions::internal {
namespace {

const EventSource kSrc{"arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream", "us-east-2",
                       "arn:aws:iam::123456789012:role/lambda-role"};

TEST(KinesisEvent, IsByteForByteLambdasShape) {
  const KinesisRecordView r{"shardId-000000000006",
                            "49590338271490256608559692538361571095921575989136588898", "1",
                            "Hello, this is a test.", 1'545'084'650'987};
  const std::string event = BuildKinesisEvent(std::span(&r, 1), kSrc);
  EXPECT_EQ(event,
            R"({"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"1",)"
            R"("sequenceNumber":"49590338271490256608559692538361571095921575989136588898",)"
            R"("data":"SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==","approximateArrivalTimestamp":1545084650.987},)"
            R"("eventSource":"aws:kinesis","eventVersion":"1.0",)"
            R"("eventID":"shardId-000000000006:49590338271490256608559692538361571095921575989136588898",)"
            R"("eventName":"aws:kinesis:record","invokeIdentityArn":"arn:aws:iam::123456789012:role/lambda-role",)"
            R"("awsRegion":"us-east-2","eventSourceARN":"arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream"}]})");
}

TEST(KinesisEvent, ATumblingWindowEventIsLambdasTimeWindowEvent) {
  const WindowFields w{1'607'497'440'000, 1'607'497'560'000, R"({"1":282,"2":715})", "shardId-000000000006",
                       /*final_invoke=*/false, /*terminated_early=*/false};
  const std::string event = BuildKinesisEvent({}, kSrc, &w);
  EXPECT_EQ(event,
            R"({"Records":[],"window":{"start":"2020-12-09T07:04:00Z","end":"2020-12-09T07:06:00Z"},)"
            R"("state":{"1":282,"2":715},"shardId":"shardId-000000000006",)"
            R"("eventSourceARN":"arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",)"
            R"("isFinalInvokeForWindow":false,"isWindowTerminatedEarly":false})");
  EXPECT_EQ(event.size(), kEventEnvelopeBytes + WindowFieldsSize(w, kSrc));
  const WindowFields last{w.start_ms, w.end_ms, "{}", w.shard_id, /*final_invoke=*/true, /*terminated_early=*/true};
  const std::string final_event = BuildKinesisEvent({}, kSrc, &last);
  EXPECT_TRUE(final_event.ends_with(R"("isFinalInvokeForWindow":true,"isWindowTerminatedEarly":true})"));
  EXPECT_EQ(final_event.size(), kEventEnvelopeBytes + WindowFieldsSize(last, kSrc));
}

TEST(KinesisEvent, ArrivalTimestampKeepsMillisecondsWithoutTrailingZeros) {
  EXPECT_EQ(FormatEpochSeconds(1'545'084'650'987), "1545084650.987");
  EXPECT_EQ(FormatEpochSeconds(1'545'084'650'900), "1545084650.9");
  EXPECT_EQ(FormatEpochSeconds(1'545'084'650'050), "1545084650.05");
  EXPECT_EQ(FormatEpochSeconds(1'545'084'650'000), "1545084650.0");
}

TEST(KinesisEvent, RecordSizeIsExactlyWhatIsAppended) {
  for (const std::string key : {"k", "quo\"te\\and\ncontrol\x01", ""}) {
    for (size_t n : {0, 1, 2, 3, 100}) {
      const std::string data(n, 'x');
      const KinesisRecordView r{"shardId-000000000000", "123", key, data, 1'000'001};
      std::string out;
      AppendRecordJson(out, r, kSrc);
      EXPECT_EQ(out.size(), RecordJsonSize(r, kSrc)) << key << " " << n;
      EXPECT_EQ(out.size(), RecordJsonSize(r, SourceJsonSize(kSrc))) << key << " " << n;
    }
  }
}

TEST(KinesisEvent, SourceSizeCountsTheSourceMembersEscaped) {
  // Computed once per batch instead of per record: it must count what escaping adds.
  EventSource src = kSrc;
  const size_t plain = SourceJsonSize(src);
  const std::string region = std::string(kSrc.region) + "\"\x01";
  src.region = region;
  EXPECT_EQ(SourceJsonSize(src), plain + 2 + 6);
  const KinesisRecordView r{"shardId-000000000000", "123", "k", "data", 1'000'001};
  std::string out;
  AppendRecordJson(out, r, src);
  EXPECT_EQ(out.size(), RecordJsonSize(r, SourceJsonSize(src)));
}

TEST(KinesisEvent, ParsesBackWhatItBuilds) {
  const std::string data("\0bin", 4);
  const KinesisRecordView r{"shardId-000000000002", "77", "pk", data, 1'700'000'000'123};
  auto parsed = ParseKinesisEvent(BuildKinesisEvent(std::span(&r, 1), kSrc));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].shard_id, "shardId-000000000002");
  EXPECT_EQ((*parsed)[0].data, std::string("\0bin", 4));
  EXPECT_EQ((*parsed)[0].arrival_ms, 1'700'000'000'123);
  EXPECT_FALSE(ParseKinesisEvent(R"({"Records":[{"kinesis":{"data":"***","sequenceNumber":"1"}}]})").ok());
  EXPECT_FALSE(ParseKinesisEvent("[]").ok());
}

}  // namespace
}  // namespace sluice::functions::internal
