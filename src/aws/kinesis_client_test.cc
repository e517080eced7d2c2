#include "aws/kinesis_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "aws/testing/loopback_http_server.h"

namespace sluice::aws {
namespace {

using nlohmann::json;
using testing::LoopbackHttpServer;

class KinesisClientTest : public ::testing::Test {
 protected:
  void Serve(LoopbackHttpServer::Handler h) {
    auto s = LoopbackHttpServer::Start(std::move(h));
    ASSERT_TRUE(s.ok());
    server_ = std::move(s).value();
    KinesisClientOptions o;
    o.endpoint = server_->endpoint();
    o.region = "eu-west-1";
    o.credentials = {"AKID", "SECRET", ""};
    o.clock = &clock_;
    client_ = std::make_unique<KinesisClient>(o);
  }
  static HttpResponse Json(int status, const json& body) {
    return HttpResponse{status, {{"Content-Type", "application/x-amz-json-1.1"}}, body.dump()};
  }

  ManualClock clock_{1440938160000};
  std::unique_ptr<LoopbackHttpServer> server_;
  std::unique_ptr<KinesisClient> client_;
};

TEST_F(KinesisClientTest, PutRecordsSendsSignedJson11WithBase64Data) {
  HttpRequest seen;
  Serve([&](const HttpRequest& r) {
    seen = r;
    return Json(200, {{"FailedRecordCount", 0},
                      {"Records", {{{"SequenceNumber", "1"}, {"ShardId", "shardId-000000000000"}},
                                   {{"SequenceNumber", "2"}, {"ShardId", "shardId-000000000001"}}}}});
  });
  const std::vector<PutRecordsEntry> entries = {{"hello", "k1", ""}, {std::string("\0\1\2", 3), "k\"2", ""}};
  auto out = client_->PutRecords("ingress", entries);
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_EQ(out->records.size(), 2u);
  EXPECT_EQ(out->records[1].shard_id, "shardId-000000000001");
  EXPECT_EQ(*seen.FindHeader("X-Amz-Target"), "Kinesis_20131202.PutRecords");
  EXPECT_EQ(*seen.FindHeader("Content-Type"), "application/x-amz-json-1.1");
  const std::string& authz = *seen.FindHeader("Authorization");
  EXPECT_EQ(authz.rfind("AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/kinesis/aws4_request, ", 0), 0u) << authz;
  EXPECT_EQ(*seen.FindHeader("X-Amz-Date"), "20150830T123600Z");
  const json body = json::parse(seen.body);
  EXPECT_EQ(body["StreamName"], "ingress");
  EXPECT_EQ(body["Records"][0]["Data"], Base64Encode("hello"));
  EXPECT_EQ(body["Records"][1]["PartitionKey"], "k\"2");
  EXPECT_EQ(*Base64Decode(body["Records"][1]["Data"].get<std::string>()), std::string("\0\1\2", 3));
}

TEST_F(KinesisClientTest, PartialFailuresArePerRecord) {
  Serve([&](const HttpRequest&) {
    return Json(200, {{"FailedRecordCount", 1},
                      {"Records", {{{"SequenceNumber", "1"}, {"ShardId", "s0"}},
                                   {{"ErrorCode", "ProvisionedThroughputExceededException"},
                                    {"ErrorMessage", "Rate exceeded for shard"}}}}});
  });
  const std::vector<PutRecordsEntry> entries = {{"a", "k1", ""}, {"b", "k2", ""}};
  auto out = client_->PutRecords("s", entries);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->failed_record_count, 1);
  EXPECT_TRUE(out->records[0].ok());
  EXPECT_FALSE(out->records[1].ok());
  EXPECT_EQ(out->records[1].error_code, "ProvisionedThroughputExceededException");
}

TEST_F(KinesisClientTest, ResultCountMismatchIsAProtocolError) {
  Serve([&](const HttpRequest&) { return Json(200, {{"FailedRecordCount", 0}, {"Records", json::array()}}); });
  const std::vector<PutRecordsEntry> entries = {{"a", "k1", ""}};
  auto out = client_->PutRecords("s", entries);
  ASSERT_FALSE(out.ok());
  EXPECT_FALSE(out.error().retryable);
}

TEST_F(KinesisClientTest, ErrorTypesAreParsedIntoTheEnum) {
  struct Case {
    int status;
    std::string type;
    KinesisErrorCode code;
    bool retryable;
  };
  const std::vector<Case> cases = {
      {400, "ResourceNotFoundException", KinesisErrorCode::kResourceNotFound, false},
      {400, "com.amazonaws.kinesis.v20131202#ProvisionedThroughputExceededException",
       KinesisErrorCode::kProvisionedThroughputExceeded, true},
      {400, "InvalidArgumentException", KinesisErrorCode::kInvalidArgument, false},
      {400, "LimitExceededException", KinesisErrorCode::kLimitExceeded, true},
      {400, "ExpiredIteratorException", KinesisErrorCode::kExpiredIterator, false},
      {400, "ValidationException", KinesisErrorCode::kValidation, false},
      {500, "InternalFailure", KinesisErrorCode::kInternalFailure, true},
      {503, "ServiceUnavailable", KinesisErrorCode::kServiceUnavailable, true},
      {400, "SomethingNew", KinesisErrorCode::kUnknown, false},
  };
  size_t i = 0;
  Serve([&](const HttpRequest&) { return Json(cases[i].status, {{"__type", cases[i].type}, {"message", "m"}}); });
  for (; i < cases.size(); ++i) {
    auto out = client_->DescribeStreamSummary("s");
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, cases[i].code) << cases[i].type;
    EXPECT_EQ(out.error().retryable, cases[i].retryable) << cases[i].type;
    EXPECT_EQ(out.error().http_status, cases[i].status);
    EXPECT_EQ(out.error().message, "m");
  }
}

TEST_F(KinesisClientTest, BodylessServerErrorsStillClassify) {
  Serve([&](const HttpRequest&) { return HttpResponse{503, {}, ""}; });
  auto out = client_->DescribeStreamSummary("s");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, KinesisErrorCode::kServiceUnavailable);
  EXPECT_TRUE(out.error().retryable);
}

TEST_F(KinesisClientTest, ErrorTypeHeaderIsUsedWhenTheBodyHasNone) {
  Serve([&](const HttpRequest&) {
    return HttpResponse{400, {{"x-amzn-ErrorType", "LimitExceededException:http://internal.amazon.com/"}}, ""};
  });
  auto out = client_->DescribeStreamSummary("s");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, KinesisErrorCode::kLimitExceeded);
}

TEST_F(KinesisClientTest, ListShardsFollowsNextToken) {
  Serve([&](const HttpRequest& r) {
    const json req = json::parse(r.body);
    if (req.contains("NextToken")) {
      EXPECT_FALSE(req.contains("StreamName"));
      return Json(200, {{"Shards", {{{"ShardId", "shardId-1"}, {"HashKeyRange", {{"StartingHashKey", "5"}, {"EndingHashKey", "9"}}}}}}});
    }
    return Json(200, {{"Shards", {{{"ShardId", "shardId-0"}}}}, {"NextToken", "t"}});
  });
  auto out = client_->ListShards("s");
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[1].shard_id, "shardId-1");
  EXPECT_EQ((*out)[1].ending_hash_key, "9");
}

TEST_F(KinesisClientTest, GetRecordsDecodesData) {
  Serve([&](const HttpRequest& r) {
    EXPECT_EQ(*r.FindHeader("X-Amz-Target"), "Kinesis_20131202.GetRecords");
    return Json(200, {{"Records", {{{"SequenceNumber", "7"}, {"PartitionKey", "k"}, {"Data", Base64Encode("xyz")},
                                    {"ApproximateArrivalTimestamp", 1.5}}}},
                      {"NextShardIterator", "next"},
                      {"MillisBehindLatest", 0}});
  });
  auto out = client_->GetRecords("it");
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->records.size(), 1u);
  EXPECT_EQ(out->records[0].data, "xyz");
  EXPECT_EQ(out->next_shard_iterator, "next");
}

TEST_F(KinesisClientTest, TransportFailureIsTypedAndRetryable) {
  Serve([&](const HttpRequest&) { return HttpResponse{0, {}, ""}; });
  auto out = client_->CreateStream("s", 2);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, KinesisErrorCode::kTransport);
  EXPECT_TRUE(out.error().retryable);
}

TEST(KinesisErrors, NamesRoundTrip) {
  for (const KinesisErrorCode c : {KinesisErrorCode::kProvisionedThroughputExceeded, KinesisErrorCode::kResourceNotFound,
                                   KinesisErrorCode::kExpiredIterator, KinesisErrorCode::kInternalFailure}) {
    EXPECT_EQ(KinesisErrorFromType(KinesisErrorName(c)), c);
  }
}

}  // namespace
}  // namespace sluice::aws
