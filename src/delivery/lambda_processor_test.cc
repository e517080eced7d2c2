#include "internal/lambda_processor.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "base/base64.h"

namespace sluice::delivery {
namespace {

// Answers each invocation with `answer(event)`, keeping the events it was sent.
class FakeTransformer final : public RecordTransformer {
 public:
  std::function<TransformResult(const nlohmann::json&)> answer;
  std::vector<std::string> events;
  TransformResult Invoke(std::string_view arn, std::string event) override {
    EXPECT_EQ(arn, "arn:aws:lambda:us-east-1:000000000000:function:f");
    events.push_back(event);
    return answer(nlohmann::json::parse(event));
  }
};

// Answers Ok with the data upper-cased (ASCII), for every record it was sent.
TransformResult Upper(const nlohmann::json& event) {
  nlohmann::json records = nlohmann::json::array();
  for (const auto& r : event["records"]) {
    std::string data = *Base64Decode(r["data"].get<std::string>());
    for (char& ch : data) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    records.push_back({{"recordId", r["recordId"]}, {"result", "Ok"}, {"data", Base64Encode(data)}});
  }
  return {.payload = nlohmann::json{{"records", records}}.dump()};
}

class LambdaProcessorTest : public ::testing::Test {
 protected:
  std::vector<TransformOutput> Run(std::vector<std::string> data) {
    data_ = std::move(data);
    inputs_.clear();
    for (size_t i = 0; i < data_.size(); ++i) {
      inputs_.push_back({data_[i], 1'700'000'000'000 + static_cast<int64_t>(i), 10 + i, "id" + std::to_string(i)});
    }
    auto out = RunLambdaProcessor(config_, fake_, context_, inputs_, clock_);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? *out : std::vector<TransformOutput>{};
  }

  LambdaProcessorConfig config_{.arn = "arn:aws:lambda:us-east-1:000000000000:function:f"};
  TransformContext context_{"arn:aws:firehose:us-east-1:000000000000:deliverystream/s", "us-east-1", "s/1/"};
  FakeTransformer fake_;
  ManualClock clock_{0};
  std::vector<std::string> data_;
  std::vector<TransformInput> inputs_;
};

TEST_F(LambdaProcessorTest, TheEventIsFirehosesTransformationEvent) {
  fake_.answer = Upper;
  const auto out = Run({"a", "bc"});
  ASSERT_EQ(fake_.events.size(), 1u);
  const auto event = nlohmann::ordered_json::parse(fake_.events[0]);
  std::vector<std::string> members;
  for (const auto& [k, v] : event.items()) members.push_back(k);
  EXPECT_EQ(members, (std::vector<std::string>{"invocationId", "deliveryStreamArn", "region", "records"}));
  EXPECT_EQ(event["invocationId"].get<std::string>().size(), 36u);
  EXPECT_EQ(event["deliveryStreamArn"], "arn:aws:firehose:us-east-1:000000000000:deliverystream/s");
  EXPECT_EQ(event["region"], "us-east-1");
  EXPECT_EQ(event["records"][1], (nlohmann::ordered_json{{"recordId", "id1"},
                                                          {"approximateArrivalTimestamp", 1'700'000'000'001},
                                                          {"data", "YmM="}}));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].outcome, TransformOutcome::kOk);
  EXPECT_EQ(out[1].data, "BC");
  EXPECT_EQ(out[1].attempts, 1);
  // A replay of the same range sends the same invocationId.
  Run({"a", "bc"});
  EXPECT_EQ(fake_.events[0], fake_.events[1]);
}

TEST_F(LambdaProcessorTest, AKinesisSourcesRecordsCarryTheirOriginAsFirehoseSendsIt) {
  fake_.answer = Upper;
  context_.source_stream_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/ingress";
  data_ = {"x"};
  inputs_ = {{data_[0], 1'700'000'005'000, 7, "id0",
              KinesisRecordMetadata{"shardId-000000000001", "pk", 1'700'000'000'000, "4960", 0}}};
  ASSERT_TRUE(RunLambdaProcessor(config_, fake_, context_, inputs_, clock_).ok());
  ASSERT_EQ(fake_.events.size(), 1u);
  const auto event = nlohmann::ordered_json::parse(fake_.events[0]);
  std::vector<std::string> members;
  for (const auto& [k, v] : event.items()) members.push_back(k);
  EXPECT_EQ(members, (std::vector<std::string>{"invocationId", "sourceKinesisStreamArn", "deliveryStreamArn",
                                               "region", "records"}));
  EXPECT_EQ(event["sourceKinesisStreamArn"], "arn:aws:kinesis:us-east-1:000000000000:stream/ingress");
  const nlohmann::ordered_json metadata = {{"shardId", "shardId-000000000001"},
                                           {"partitionKey", "pk"},
                                           {"approximateArrivalTimestamp", 1'700'000'000'000},
                                           {"sequenceNumber", "4960"},
                                           {"subsequenceNumber", 0}};
  EXPECT_EQ(event["records"][0], (nlohmann::ordered_json{{"recordId", "id0"},
                                                          {"approximateArrivalTimestamp", 1'700'000'005'000},
                                                          {"data", "eA=="},
                                                          {"kinesisRecordMetadata", metadata}}));
}

TEST_F(LambdaProcessorTest, EachResultAndEachMismatchIsHonoured) {
  fake_.answer = [](const nlohmann::json&) {
    return TransformResult{.payload = R"({"records": [
        {"recordId": "id0", "result": "Ok", "data": "eA==", "metadata": {"partitionKeys": {"k": "v"}}},
        {"recordId": "id1", "result": "Dropped"},
        {"recordId": "id2", "result": "ProcessingFailed", "data": ""},
        {"recordId": "id4", "result": "Ok", "data": "eA=="}, {"recordId": "id4", "result": "Ok", "data": "eA=="},
        {"recordId": "id5", "result": "Maybe", "data": "eA=="},
        {"recordId": "id6", "result": "Ok", "data": "not base64!"},
        {"recordId": "unknown", "result": "Ok", "data": "eA=="}]})"};
  };
  const auto out = Run({"0", "1", "2", "3", "4", "5", "6"});
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[0].outcome, TransformOutcome::kOk);
  EXPECT_EQ(out[0].data, "x");
  EXPECT_EQ(out[0].keys, (PartitionKeys{{"k", "v"}}));
  EXPECT_EQ(out[1].outcome, TransformOutcome::kDropped);
  EXPECT_EQ(out[2].error_code, "Lambda.ProcessingFailedStatus");
  EXPECT_EQ(out[2].error_message, "ProcessingFailed status set for record");
  EXPECT_EQ(out[3].error_code, "Lambda.MissingRecordId");
  EXPECT_EQ(out[4].error_code, "Lambda.DuplicatedRecordId");
  EXPECT_EQ(out[5].error_code, "Lambda.JsonProcessingException");
  EXPECT_EQ(out[6].error_code, "Lambda.JsonProcessingException");
  for (size_t i = 2; i < out.size(); ++i) EXPECT_EQ(out[i].outcome, TransformOutcome::kFailed) << i;
}

TEST_F(LambdaProcessorTest, AnAnswerThatIsNotTheStatusModelFailsEveryRecordWithoutRetry) {
  fake_.answer = [](const nlohmann::json&) { return TransformResult{.payload = "[1, 2]"}; };
  const auto out = Run({"a", "b"});
  EXPECT_EQ(fake_.events.size(), 1u);
  for (const auto& o : out) {
    EXPECT_EQ(o.error_code, "Lambda.JsonProcessingException");
    EXPECT_EQ(o.attempts, 1);
  }
}

TEST_F(LambdaProcessorTest, AFailedInvocationIsRetriedNumberOfRetriesTimes) {
  int calls = 0;
  fake_.answer = [&calls](const nlohmann::json& e) {
    if (++calls < 3) return TransformResult{.error_code = "Lambda.FunctionError", .error_message = "m"};
    return Upper(e);
  };
  auto out = Run({"a"});
  EXPECT_EQ(out[0].outcome, TransformOutcome::kOk);
  EXPECT_EQ(out[0].attempts, 3);
  config_.retries = 1;
  calls = -100;
  out = Run({"a", "b"});
  EXPECT_EQ(calls, -98);  // two attempts
  for (const auto& o : out) {
    EXPECT_EQ(o.error_code, "Lambda.FunctionError");
    EXPECT_EQ(o.attempts, 2);
  }
  const auto line = nlohmann::ordered_json::parse(LambdaErrorRecord("a", 5, out[0], "arn:f"));
  EXPECT_EQ(line, (nlohmann::ordered_json{{"attemptsMade", 2}, {"arrivalTimestamp", 5},
                                          {"errorCode", "Lambda.FunctionError"}, {"errorMessage", "m"},
                                          {"attemptEndingTimestamp", 5}, {"rawData", "YQ=="},
                                          {"lambdaArn", "arn:f"}}));
}

TEST_F(LambdaProcessorTest, AnUnavailableTransformerDecidesNothing) {
  fake_.answer = [](const nlohmann::json&) { return TransformResult{.unavailable = true}; };
  data_ = {"a"};
  inputs_ = {{data_[0], 0, 0, "id0"}};
  auto out = RunLambdaProcessor(config_, fake_, context_, inputs_, clock_);
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
}

TEST_F(LambdaProcessorTest, BatchesHoldAtMostBufferSizeInMBsAndSixMiBOfEvent) {
  fake_.answer = Upper;
  config_.buffer_bytes = 200 * 1024;
  Run(std::vector<std::string>(5, std::string(100 * 1024, 'a')));
  EXPECT_EQ(fake_.events.size(), 3u);  // 2 + 2 + 1 records
  fake_.events.clear();
  config_.buffer_bytes = 3u << 20;
  // 30,000 records of 100 bytes: under 3 MiB of data, but over 6 MiB of event.
  const auto out = Run(std::vector<std::string>(30'000, std::string(100, 'a')));
  EXPECT_GT(fake_.events.size(), 1u);
  size_t records = 0;
  for (const auto& e : fake_.events) {
    EXPECT_LE(e.size(), kMaxTransformEventBytes);
    records += nlohmann::json::parse(e)["records"].size();
  }
  EXPECT_EQ(records, 30'000u);
  EXPECT_EQ(out.back().data, std::string(100, 'A'));
}

TEST(LambdaProcessorConfigTest, DefaultsAndRangesAsAwsDocumentsThem) {
  Processor p{"Lambda", {{"LambdaArn", "arn:f"}}};
  auto c = LambdaProcessorConfigOf(p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->retries, 3);
  EXPECT_EQ(c->buffer_bytes, 1u << 20);
  EXPECT_EQ(c->buffer_interval_s, 60);
  p.parameters.push_back({"NumberOfRetries", "0"});
  p.parameters.push_back({"BufferSizeInMBs", "0.2"});
  c = LambdaProcessorConfigOf(p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->retries, 0);
  EXPECT_EQ(c->buffer_bytes, 209715u);
  p.parameters.push_back({"BufferIntervalInSeconds", "59"});
  EXPECT_EQ(LambdaProcessorConfigOf(p).status().message(),
            "Processor parameter BufferIntervalInSeconds value 59 is not valid; it must be a number in the range "
            "60-900.");
  EXPECT_EQ(LambdaProcessorConfigOf(Processor{"Lambda", {{"NumberOfRetries", "x"}}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(LambdaProcessorConfigOf(Processor{"Lambda", {}}).status().message(),
            "LambdaArn must be specified for a Lambda processor.");
}

}  // namespace
}  // namespace sluice::delivery
