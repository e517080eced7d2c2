// Firehose's error log (CloudWatchLoggingOptions): the events as AWS writes them, through
// a recording sink, for failed object writes, failed Lambda invocations and partitioning
// failures; and the rules CreateDeliveryStream applies to the options.
#include "internal/error_log.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "delivery_test_fixture.h"

namespace sluice::delivery {
namespace {

constexpr char kLambdaArn[] = "arn:aws:lambda:us-east-1:000000000000:function:f";
constexpr char kNoSuchBucketMessage[] =
    "The specified bucket does not exist. Create the bucket or use a different bucket that does exist.";

struct Written {
  std::string group;
  std::string stream;
  int64_t timestamp_ms = 0;
  std::string message;
  bool operator==(const Written&) const = default;
};

class RecordingSink final : public ErrorLogSink {
 public:
  void Write(const std::string& group, const std::string& stream, int64_t timestamp_ms,
             std::string message) override {
    const std::lock_guard lock(mu_);
    events_.push_back({group, stream, timestamp_ms, std::move(message)});
  }
  std::vector<Written> events() {
    const std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<Written> events_;
};

// Every invocation fails as a function that raised does.
class FailingTransformer final : public RecordTransformer {
 public:
  TransformResult Invoke(std::string_view, std::string) override {
    return {.error_code = "Lambda.FunctionError",
            .error_message = "The Lambda function was successfully invoked but it returned an error result."};
  }
};

// Answers ProcessingFailed for every record.
class RefusingTransformer final : public RecordTransformer {
 public:
  TransformResult Invoke(std::string_view, std::string event) override {
    nlohmann::json records = nlohmann::json::array();
    const nlohmann::json parsed = nlohmann::json::parse(event);
    for (const auto& r : parsed["records"]) {
      records.push_back({{"recordId", r["recordId"]}, {"result", "ProcessingFailed"}, {"data", r["data"]}});
    }
    return {.payload = nlohmann::json{{"records", records}}.dump()};
  }
};

std::string Event(std::string_view stream, std::string_view bucket, std::string_view message,
                  std::string_view code, std::string_view processor = "") {
  nlohmann::ordered_json j;
  j["deliveryStreamARN"] = "arn:aws:firehose:us-east-1:000000000000:deliverystream/" + std::string(stream);
  j["destination"] = "arn:aws:s3:::" + std::string(bucket);
  j["deliveryStreamVersionId"] = 1;
  j["message"] = message;
  j["errorCode"] = code;
  if (!processor.empty()) j["processor"] = processor;
  return j.dump();
}

class ErrorLogTest : public DeliveryTest {
 protected:
  void SetUp() override {
    error_log_ = &sink_;
    DeliveryTest::SetUp();
  }
  static DeliveryStreamConfig Logged(std::string name, int64_t interval_s, std::string bucket = "lake") {
    DeliveryStreamConfig c = Config(name, 5, interval_s, std::move(bucket));
    c.destination.logging = CloudWatchLogging{true, "/aws/kinesisfirehose/" + name, "DestinationDelivery"};
    return c;
  }
  void UseTransformer(RecordTransformer& t) {
    transformer_ = &t;
    Reopen();
  }
  static void AddLambda(DeliveryStreamConfig& c) {
    c.destination.processing = ProcessingConfiguration{true, {{"Lambda", {{"LambdaArn", kLambdaArn},
                                                                          {"NumberOfRetries", "1"}}}}};
  }

  RecordingSink sink_;
};

TEST(ErrorLogEventTest, HasFirehosesMembersInItsOrder) {
  S3Destination d;
  d.bucket_arn = "arn:aws:s3:::b";
  EXPECT_EQ(ErrorLogEvent("arn:aws:firehose:us-east-1:000000000000:deliverystream/s", d, 3,
                          {"Lambda.FunctionError", "m", kLambdaArn}),
            R"({"deliveryStreamARN":"arn:aws:firehose:us-east-1:000000000000:deliverystream/s",)"
            R"("destination":"arn:aws:s3:::b","deliveryStreamVersionId":3,"message":"m",)"
            R"("errorCode":"Lambda.FunctionError","processor":")" +
                std::string(kLambdaArn) + R"("})");
}

TEST(ErrorLogEventTest, S3FailuresMapToFirehosesCodes) {
  EXPECT_EQ(S3WriteError(objects::S3Error::kNoSuchBucket), (DeliveryError{"S3.NoSuchBucket", kNoSuchBucketMessage, ""}));
  EXPECT_EQ(S3WriteError(objects::S3Error::kAccessDenied).code, "S3.AccessDenied");
  EXPECT_EQ(S3WriteError(objects::S3Error::kAccessDenied).message,
            "Access was denied. Ensure that the trust policy for the provided IAM role allows Kinesis Data Firehose "
            "to assume the role, and the access policy allows access to the S3 bucket.");
  EXPECT_EQ(S3WriteError(objects::S3Error::kMethodNotAllowed).code, "S3.MethodNotAllowed");
  const DeliveryError internal = S3WriteError(objects::S3Error::kSlowDown);
  EXPECT_EQ(internal.code, "InternalError");
  EXPECT_EQ(internal.message,
            "An internal error occurred while attempting to deliver data. Delivery will be retried; if the error "
            "persists, then it will be reported to AWS for resolution.");
}

TEST(ErrorLogEventTest, AnErrorOutputGivesEachDistinctErrorOnceAndLeavesProcessingFailedStatusOut) {
  const std::string lines =
      R"({"errorCode":"DynamicPartitioning.MetadataExtractionFailed","errorMessage":"m1","rawData":"YQ=="})" "\n"
      R"({"errorCode":"Lambda.ProcessingFailedStatus","errorMessage":"ProcessingFailed status set for record"})" "\n"
      R"({"errorCode":"DynamicPartitioning.MetadataExtractionFailed","errorMessage":"m1","rawData":"Yg=="})" "\n"
      R"({"errorCode":"Lambda.FunctionError","errorMessage":"m2","lambdaArn":"arn:f"})" "\n";
  EXPECT_EQ(ErrorsOfErrorOutput(lines),
            (std::vector<DeliveryError>{{"DynamicPartitioning.MetadataExtractionFailed", "m1", ""},
                                        {"Lambda.FunctionError", "m2", "arn:f"}}));
  EXPECT_TRUE(ErrorsOfErrorOutput("").empty());
}

TEST_F(ErrorLogTest, AWriteToAMissingBucketLogsS3NoSuchBucketAtEachAttempt) {
  ASSERT_TRUE(manager_->Create(Logged("s", 0, "missing"), {}).ok());
  Put("s", {"a"});
  manager_->RunDueDeliveries();
  const Written first{"/aws/kinesisfirehose/s", "DestinationDelivery", kStart,
                      Event("s", "missing", kNoSuchBucketMessage, "S3.NoSuchBucket")};
  EXPECT_EQ(sink_.events(), (std::vector<Written>{first}));
  clock_.Advance(1000);  // the first backoff
  manager_->RunDueDeliveries();
  Written second = first;
  second.timestamp_ms = kStart + 1000;
  EXPECT_EQ(sink_.events(), (std::vector<Written>{first, second}));
}

TEST_F(ErrorLogTest, NothingIsLoggedUnlessTheOptionsEnableIt) {
  auto disabled = Logged("off", 0, "missing");
  disabled.destination.logging->enabled = false;
  ASSERT_TRUE(manager_->Create(disabled, {}).ok());
  ASSERT_TRUE(manager_->Create(Config("absent", 5, 0, "missing"), {}).ok());
  Put("off", {"a"});
  Put("absent", {"a"});
  manager_->RunDueDeliveries();
  EXPECT_EQ(manager_->Stats()[0].delivery_failures, 1u);
  EXPECT_TRUE(sink_.events().empty());
}

TEST_F(ErrorLogTest, AFailingFunctionIsLoggedOnceWithItsProcessor) {
  FailingTransformer failing;
  UseTransformer(failing);
  auto c = Logged("s", 300);
  AddLambda(c);
  ASSERT_TRUE(manager_->Create(c, {}).ok());
  Put("s", {"a", "b"});
  ASSERT_TRUE(manager_->Flush("s").ok());
  EXPECT_EQ(sink_.events(),
            (std::vector<Written>{{"/aws/kinesisfirehose/s", "DestinationDelivery", kStart,
                                   Event("s", "lake",
                                         "The Lambda function was successfully invoked but it returned an error "
                                         "result.",
                                         "Lambda.FunctionError", kLambdaArn)}}));
  ASSERT_EQ(Objects().size(), 1u);  // the records went to processing-failed/
}

TEST_F(ErrorLogTest, AProcessingFailedResultIsTheFunctionsToLog) {
  RefusingTransformer refusing;
  UseTransformer(refusing);
  auto c = Logged("s", 300);
  AddLambda(c);
  ASSERT_TRUE(manager_->Create(c, {}).ok());
  Put("s", {"a"});
  ASSERT_TRUE(manager_->Flush("s").ok());
  ASSERT_EQ(Objects().size(), 1u);
  EXPECT_TRUE(sink_.events().empty());
}

TEST_F(ErrorLogTest, APartitioningFailureIsLoggedOnceForItsObject) {
  auto c = Logged("dp", 60);
  c.destination.hints.size_mb = 64;
  c.destination.prefix = "customer=!{partitionKeyFromQuery:customer}/";
  c.destination.error_output_prefix = "errors/!{firehose:error-output-type}/";
  c.destination.dynamic_partitioning = true;
  c.destination.processing = ProcessingConfiguration{
      true, {{"MetadataExtraction", {{"MetadataExtractionQuery", "{customer: .customer}"}, {"JsonParsingEngine", "JQ-1.6"}}}}};
  auto created = manager_->Create(c, {});
  ASSERT_TRUE(created.ok()) << created.error().message;
  Put("dp", {"not json", R"({"customer":"a"})", "not json"});
  ASSERT_TRUE(manager_->Flush("dp").ok());
  std::string failed;
  for (const auto& o : Objects()) {
    if (o.key.starts_with("errors/partitioning-failed/")) failed = Body(o.key);
  }
  ASSERT_FALSE(failed.empty());
  const auto record = nlohmann::json::parse(failed.substr(0, failed.find('\n')));
  ASSERT_EQ(record["errorCode"], "DynamicPartitioning.MetadataExtractionFailed");
  EXPECT_EQ(sink_.events(),
            (std::vector<Written>{{"/aws/kinesisfirehose/dp", "DestinationDelivery", kStart,
                                   Event("dp", "lake", record["errorMessage"].get<std::string>(),
                                         "DynamicPartitioning.MetadataExtractionFailed")}}));
}

TEST_F(ErrorLogTest, EnabledLoggingNeedsAGroupAndAStream) {
  auto no_group = Logged("s", 0);
  no_group.destination.logging->log_group_name = "";
  auto r = manager_->Create(no_group, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorType::kInvalidArgument);
  EXPECT_EQ(r.error().message, "CloudWatch Log Group Name is required if CloudWatch Logging is enabled");
  auto no_stream = Logged("s", 0);
  no_stream.destination.logging->log_stream_name = "";
  r = manager_->Create(no_stream, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "CloudWatch Log Stream Name is required if CloudWatch Logging is enabled");
  auto disabled = Logged("s", 0);
  disabled.destination.logging = CloudWatchLogging{false, "", ""};
  EXPECT_TRUE(manager_->Create(disabled, {}).ok());
  // UpdateDestination applies the same rule.
  auto update = no_group.destination;
  const auto u = manager_->UpdateDestination("s", 1, update);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().message, "CloudWatch Log Group Name is required if CloudWatch Logging is enabled");
}

}  // namespace
}  // namespace sluice::delivery
