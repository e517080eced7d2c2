// The delivery engine with Firehose's Lambda processor (a fake transformer) and the
// metrics it reports (a recording registry).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "catalog/delivery_streams.h"
#include "delivery_test_fixture.h"
#include "metrics/testing/recording_registry.h"

namespace sluice::delivery {
namespace {

constexpr char kArn[] = "arn:aws:lambda:us-east-1:000000000000:function:f";

// Upper-cases each record; "drop" is Dropped, "fail" ProcessingFailed; a record "k=v"
// gets partition key k = v.
class FakeTransformer final : public RecordTransformer {
 public:
  int calls = 0;
  bool unavailable = false;
  std::function<void()> during_invoke;  // run once, inside the next call
  TransformResult Invoke(std::string_view, std::string event) override {
    if (unavailable) return {.unavailable = true};
    ++calls;
    if (during_invoke) std::exchange(during_invoke, nullptr)();
    nlohmann::json records = nlohmann::json::array();
    const nlohmann::json parsed = nlohmann::json::parse(event);
    for (const auto& r : parsed["records"]) {
      std::string data = *Base64Decode(r["data"].get<std::string>());
      nlohmann::json out{{"recordId", r["recordId"]}, {"result", "Ok"}};
      if (data == "drop") out["result"] = "Dropped";
      if (data == "fail") out["result"] = "ProcessingFailed";
      if (data.starts_with("{")) {
        out["metadata"]["partitionKeys"]["k"] = "j";
      } else if (const auto eq = data.find('='); eq != std::string::npos) {
        out["metadata"]["partitionKeys"][data.substr(0, eq)] = data.substr(eq + 1);
      }
      for (char& ch : data) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out["data"] = Base64Encode(data);
      records.push_back(out);
    }
    return {.payload = nlohmann::json{{"records", records}}.dump()};
  }
};

metrics::MetricId Id(std::string name, std::string stream = "s") {
  return metrics::MakeId("AWS/Firehose", std::move(name), {{"DeliveryStreamName", std::move(stream)}});
}

class LambdaDeliveryTest : public DeliveryTest {
 protected:
  void SetUp() override {
    transformer_ = &fake_;
    registry_ = &recording_;
    DeliveryTest::SetUp();
  }
  static DeliveryStreamConfig LambdaConfig(std::string name) {
    auto c = Config(std::move(name), 5, 300);
    c.destination.processing = ProcessingConfiguration{
        true, {{"Lambda", {{"LambdaArn", kArn}, {"NumberOfRetries", "2"}}}, {"AppendDelimiterToRecord", {}}}};
    return c;
  }
  std::map<std::string, std::string> Bodies() {
    std::map<std::string, std::string> out;
    for (const auto& o : Objects()) out[o.key] = Body(o.key);
    return out;
  }

  FakeTransformer fake_;
  metrics::testing::RecordingRegistry recording_;
};

TEST_F(LambdaDeliveryTest, OkRecordsAreDeliveredTransformedAndFailuresGoToProcessingFailed) {
  ASSERT_TRUE(manager_->Create(LambdaConfig("s"), {}).ok());
  Put("s", {"a", "drop", "fail", "b"});
  ASSERT_TRUE(manager_->Flush("s").ok());
  const auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 2u);
  const auto data = bodies.begin();
  const auto error = std::next(bodies.begin());
  EXPECT_TRUE(data->first.starts_with("2023/11/14/22/s-1-2023-11-14-22-13-20-")) << data->first;
  EXPECT_EQ(data->second, "A\nB");
  // No ErrorOutputPrefix: AWS's processing-failed/ folder with the hour.
  EXPECT_TRUE(error->first.starts_with("processing-failed/2023/11/14/22/s-1-")) << error->first;
  EXPECT_EQ(nlohmann::ordered_json::parse(error->second),
            (nlohmann::ordered_json{{"attemptsMade", 1}, {"arrivalTimestamp", kStart},
                                    {"errorCode", "Lambda.ProcessingFailedStatus"},
                                    {"errorMessage", "ProcessingFailed status set for record"},
                                    {"attemptEndingTimestamp", kStart}, {"rawData", "ZmFpbA=="},
                                    {"lambdaArn", kArn}}));
  EXPECT_EQ(fake_.calls, 1);
}

// Records acknowledged while a delivery pass runs are not yet scanned into a buffer. A
// pass that outlasts the log's trim margin must neither trim them with the records it
// delivered nor leave them out of the buffered figures.
TEST_F(LambdaDeliveryTest, RecordsAcknowledgedDuringALongDeliveryAreCountedAndNotTrimmedBeforeTheyAreScanned) {
  auto c = LambdaConfig("s");
  c.destination.hints = {1, 0};  // two objects in one pass: each record is 700 KiB
  ASSERT_TRUE(manager_->Create(c, {}).ok());
  const std::string a(700 * 1024, 'a'), b(700 * 1024, 'b');
  Put("s", {a, b});
  fake_.during_invoke = [&] {
    Put("s", {"c"});          // acknowledged while the first object is being built
    clock_.Advance(120'000);  // the pass takes two minutes
    Put("s", {"d"});          // rolls the segment holding a, b and c (by age)
    const DeliveryStats st = manager_->Stats()[0];
    EXPECT_EQ(st.buffered_records, 4u);
    EXPECT_EQ(st.buffered_bytes, a.size() + b.size() + 2);
    EXPECT_EQ(st.oldest_record_age_ms, 120'000);
  };
  manager_->RunDueDeliveries();  // a's object, then b's, two minutes later
  EXPECT_EQ(Objects().size(), 2u);
  const DeliveryStats between = manager_->Stats()[0];
  EXPECT_EQ(between.buffered_records, 2u);  // c and d, still to be scanned
  EXPECT_EQ(between.buffered_bytes, 2u);
  EXPECT_EQ(between.oldest_record_age_ms, 120'000);
  manager_->RunDueDeliveries();
  std::multiset<std::string> bodies;  // long bodies as their first byte and size
  for (const auto& [key, body] : Bodies()) {
    bodies.insert(body.size() > 16 ? body.substr(0, 1) + " x " + std::to_string(body.size()) : body);
  }
  EXPECT_EQ(bodies, (std::multiset<std::string>{"A x 716800", "B x 716800", "C\nD"}));
  const DeliveryStats after = manager_->Stats()[0];
  EXPECT_EQ(after.buffered_records, 0u);
  EXPECT_EQ(after.buffered_bytes, 0u);
  EXPECT_EQ(after.delivered_records, 4u);
}

TEST_F(LambdaDeliveryTest, AReplayAfterACrashReinvokesAndRewritesTheSameKeys) {
  ASSERT_TRUE(manager_->Create(LambdaConfig("s"), {}).ok());
  Put("s", {"a", "fail"});
  ASSERT_TRUE(manager_->Flush("s").ok());
  const auto before = Bodies();
  ASSERT_EQ(before.size(), 2u);
  // As if the process died after writing the objects, before the checkpoint moved.
  manager_.reset();
  const int64_t id = catalog::LoadDeliveryStreams(*catalog_).value()[0].stream.id;
  ASSERT_TRUE(catalog::CommitDelivery(*catalog_, id, "", 0, 0).ok());
  ASSERT_TRUE(catalog::SetPendingObject(*catalog_, id, "", {0, 1, "lake", before.begin()->first}).ok());
  Reopen();
  ASSERT_TRUE(manager_->Flush("s").ok());
  EXPECT_EQ(fake_.calls, 2);
  EXPECT_EQ(Bodies(), before);
}

TEST_F(LambdaDeliveryTest, PartitionKeysFromTheFunctionChooseTheObject) {
  auto c = Config("dp", 64, 60);
  c.destination.prefix = "k=!{partitionKeyFromLambda:k}/";
  c.destination.error_output_prefix = "errors/!{firehose:error-output-type}/";
  c.destination.dynamic_partitioning = true;
  c.destination.processing = ProcessingConfiguration{true, {{"Lambda", {{"LambdaArn", kArn}}}}};
  auto created = manager_->Create(c, {});
  ASSERT_TRUE(created.ok()) << created.error().message;
  Put("dp", {"k=x", "k=y", "nokey", "k=x"});
  ASSERT_TRUE(manager_->Flush("dp").ok());
  std::map<std::string, std::string> by_prefix;
  for (const auto& [key, body] : Bodies()) by_prefix[key.substr(0, key.rfind('/'))] = body;
  ASSERT_EQ(by_prefix.size(), 3u);
  EXPECT_EQ(by_prefix["k=x"], "K=XK=X");
  EXPECT_EQ(by_prefix["k=y"], "K=Y");
  const std::string failed = by_prefix["errors/partitioning-failed"];
  EXPECT_NE(failed.find("\"errorCode\":\"DynamicPartitioning.PartitionKeysMissing\""), std::string::npos) << failed;
}

TEST_F(LambdaDeliveryTest, PastTheActivePartitionLimitKeysFromTheFunctionGoToTheErrorOutput) {
  max_active_partitions_ = 2;  // AWS's 500, made small
  Reopen();
  auto c = Config("dp", 64, 60);
  c.destination.prefix = "k=!{partitionKeyFromLambda:k}/";
  c.destination.error_output_prefix = "errors/!{firehose:error-output-type}/";
  c.destination.dynamic_partitioning = true;
  c.destination.processing = ProcessingConfiguration{true, {{"Lambda", {{"LambdaArn", kArn}}}}};
  ASSERT_TRUE(manager_->Create(c, {}).ok());
  Put("dp", {"k=a", "k=b", "k=c", "k=a", "k=d"});
  ASSERT_TRUE(manager_->Flush("dp").ok());
  std::map<std::string, std::string> by_prefix;
  for (const auto& [key, body] : Bodies()) by_prefix[key.substr(0, key.rfind('/'))] = body;
  ASSERT_EQ(by_prefix.size(), 3u);
  EXPECT_EQ(by_prefix["k=a"], "K=AK=A");  // a partition already active takes more records
  EXPECT_EQ(by_prefix["k=b"], "K=B");
  const std::string exceeded = by_prefix["errors/activePartitionExceeded"];
  std::vector<nlohmann::ordered_json> lines;
  for (size_t start = 0, nl = exceeded.find('\n'); nl != std::string::npos; start = nl + 1, nl = exceeded.find('\n', start)) {
    lines.push_back(nlohmann::ordered_json::parse(exceeded.substr(start, nl - start)));
  }
  const auto line = [](std::string raw) {
    return nlohmann::ordered_json{{"attemptsMade", 1},
                                  {"arrivalTimestamp", kStart},
                                  {"errorCode", "DynamicPartitioning.ActivePartitionsLimitExceeded"},
                                  {"errorMessage", "The number of active partitions exceeds the limit of 500."},
                                  {"attemptEndingTimestamp", kStart},
                                  {"rawData", std::move(raw)},
                                  {"deliveryStreamARN", "arn:aws:firehose:us-east-1:000000000000:deliverystream/dp"}};
  };
  EXPECT_EQ(lines, (std::vector<nlohmann::ordered_json>{line("Sz1D"), line("Sz1E")}));  // K=C, K=D
}

TEST_F(LambdaDeliveryTest, MetadataExtractionRunsOnWhatTheFunctionReturned) {
  auto c = Config("dp", 64, 60);
  c.destination.prefix = "q=!{partitionKeyFromQuery:q}/l=!{partitionKeyFromLambda:k}/";
  c.destination.error_output_prefix = "errors/!{firehose:error-output-type}/";
  c.destination.dynamic_partitioning = true;
  // The function upper-cases the records: the query reads the upper-cased member.
  c.destination.processing = ProcessingConfiguration{
      true, {{"Lambda", {{"LambdaArn", kArn}}}, {"MetadataExtraction", {{"MetadataExtractionQuery", "{q: .Q}"}}}}};
  auto created = manager_->Create(c, {});
  ASSERT_TRUE(created.ok()) << created.error().message;
  Put("dp", {R"({"q":"a"})", R"({"q":"b"})", "not json", R"({"q":"a","n":1})"});
  ASSERT_TRUE(manager_->Flush("dp").ok());
  std::map<std::string, std::string> by_prefix;
  for (const auto& [key, body] : Bodies()) by_prefix[key.substr(0, key.rfind('/'))] = body;
  ASSERT_EQ(by_prefix.size(), 3u) << by_prefix.begin()->first;
  EXPECT_EQ(by_prefix["q=A/l=j"], R"({"Q":"A"}{"Q":"A","N":1})");
  EXPECT_EQ(by_prefix["q=B/l=j"], R"({"Q":"B"})");
  const std::string failed = by_prefix["errors/partitioning-failed"];
  EXPECT_NE(failed.find("\"errorCode\":\"DynamicPartitioning.MetadataExtractionFailed\""), std::string::npos)
      << failed;
}

TEST_F(LambdaDeliveryTest, AnUnavailableFunctionKeepsTheRecordsBuffered) {
  fake_.unavailable = true;
  ASSERT_TRUE(manager_->Create(LambdaConfig("s"), {}).ok());
  Put("s", {"a"});
  EXPECT_FALSE(manager_->Flush("s").ok());
  EXPECT_TRUE(Objects().empty());
  EXPECT_EQ(manager_->Stats()[0].buffered_records, 1u);
  EXPECT_TRUE(recording_.Samples(Id("DeliveryToS3.Success")).empty());  // not the destination's failure
  fake_.unavailable = false;
  clock_.Advance(1000);
  manager_->RunDueDeliveries();
  clock_.Advance(300'000);
  manager_->RunDueDeliveries();
  EXPECT_EQ(Bodies().begin()->second, "A");
}

TEST_F(LambdaDeliveryTest, RecordDeAggregationSplitsRecordsBeforeTheFunctionSeesThem) {
  auto c = LambdaConfig("s");
  c.destination.processing->processors.push_back({"RecordDeAggregation", {{"SubRecordType", "JSON"}}});
  auto created = manager_->Create(c, {});
  ASSERT_TRUE(created.ok()) << created.error().message;
  Put("s", {R"({"a":1}{"b":2})", "not json", R"({"c":3})"});
  ASSERT_TRUE(manager_->Flush("s").ok());
  const auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies.begin()->second, "{\"A\":1}\n{\"B\":2}\n{\"C\":3}");
  const std::string failed = std::next(bodies.begin())->second;
  EXPECT_TRUE(std::next(bodies.begin())->first.starts_with("processing-failed/")) << failed;
  EXPECT_NE(failed.find("\"errorCode\":\"RecordDeAggregation.Failed\""), std::string::npos) << failed;
  EXPECT_NE(failed.find("\"rawData\":\"bm90IGpzb24=\""), std::string::npos) << failed;
}

TEST_F(LambdaDeliveryTest, TwoLambdaProcessorsOrNoFunctionsAreRefused) {
  auto c = LambdaConfig("s");
  c.destination.processing->processors.push_back(c.destination.processing->processors.front());
  auto r = manager_->Create(c, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorType::kInvalidArgument);
  EXPECT_EQ(r.error().message, "Only one Lambda processor is allowed in a ProcessingConfiguration.");
  transformer_ = nullptr;
  Reopen();
  r = manager_->Create(LambdaConfig("s"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "The Lambda processor needs sluice's functions, which this server does not run.");
}

TEST_F(LambdaDeliveryTest, MetricsAreCloudWatchsSeries) {
  ASSERT_TRUE(manager_->Create(LambdaConfig("s"), {}).ok());
  Put("s", {"ab", "drop"});
  Put("s", {"c"});
  clock_.Advance(300'000);
  manager_->RunDueDeliveries();
  using V = std::vector<double>;
  EXPECT_EQ(recording_.Samples(Id("IncomingBytes")), (V{6, 1}));
  EXPECT_EQ(recording_.Samples(Id("IncomingRecords")), (V{2, 1}));
  EXPECT_EQ(recording_.Samples(Id("IncomingPutRequests")), (V{1, 1}));
  EXPECT_EQ(recording_.Samples(Id("DeliveryToS3.Success")), (V{1}));
  EXPECT_EQ(recording_.Samples(Id("DeliveryToS3.Records")), (V{3}));
  EXPECT_EQ(recording_.Samples(Id("DeliveryToS3.Bytes")), (V{7}));
  EXPECT_EQ(recording_.Samples(Id("DeliveryToS3.DataFreshness")), (V{300}));
  EXPECT_EQ(recording_.Samples(Id("ExecuteProcessing.Success")), (V{1}));
  EXPECT_EQ(recording_.Samples(Id("ExecuteProcessing.Duration")), (V{0}));  // the manual clock stood still
  EXPECT_EQ(recording_.Samples(Id("SucceedProcessing.Records")), (V{2}));
  EXPECT_EQ(recording_.Samples(Id("SucceedProcessing.Bytes")), (V{3}));
  EXPECT_EQ(recording_.UnitOf(Id("IncomingBytes")), metrics::Unit::kBytes);
  EXPECT_EQ(recording_.UnitOf(Id("DeliveryToS3.DataFreshness")), metrics::Unit::kSeconds);
  EXPECT_EQ(recording_.UnitOf(Id("ExecuteProcessing.Duration")), metrics::Unit::kMilliseconds);
  EXPECT_TRUE(recording_.Samples(Id("ThrottledRecords")).empty());
}

TEST_F(LambdaDeliveryTest, AFailedWriteIsASuccessOfZeroAndAThrottledCallCountsItsRecords) {
  rate_limits_ = true;
  Reopen();
  ASSERT_TRUE(manager_->Create(Config("s", 5, 0, "missing"), {}).ok());
  Put("s", {"a"});
  manager_->RunDueDeliveries();
  EXPECT_EQ(recording_.Samples(Id("DeliveryToS3.Success")), (std::vector<double>{0}));
  // The quota allows 5 MiB per second: a second 4 MiB call in the same instant is refused.
  std::vector<std::string> big(4, std::string(1 << 20, 'x'));
  std::vector<std::string_view> views(big.begin(), big.end());
  int refused = 0;
  for (int i = 0; i < 2; ++i) {
    std::promise<DResult<std::vector<std::string>>> p;
    manager_->Put("s", views, [&](DResult<std::vector<std::string>> r) { p.set_value(std::move(r)); });
    refused += p.get_future().get().ok() ? 0 : 1;
  }
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(recording_.Samples(Id("ThrottledRecords")), (std::vector<double>{4}));
}

}  // namespace
}  // namespace sluice::delivery
