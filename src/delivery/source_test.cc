// KinesisStreamAsSource: a delivery stream reading a Kinesis stream in process.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <set>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "catalog/delivery_streams.h"
#include "catalog/testing/test_util.h"
#include "delivery/delivery.h"
#include "internal/source.h"
#include "objects/local_store.h"
#include "stream/stream_manager.h"

namespace sluice::delivery {
namespace {

class SourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.File("data"));
    store_ = objects::LocalObjectStore::Open({.dir = dir_.File("data"), .sync = false}).value();
    ASSERT_TRUE(store_->CreateBucket("lake").ok());
    Reopen();
    ASSERT_TRUE(streams_->CreateStream("ingress", 2, "PROVISIONED", {}, 1024).ok());
  }
  void Reopen() {
    manager_.reset();
    streams_.reset();
    catalog_.reset();
    catalog_ = catalog::Catalog::Open(dir_.File("catalog.db")).value();
    stream::StreamManagerOptions so;
    so.dir = dir_.File("streams");
    so.fsync = log::FsyncPolicy::kNever;
    so.clock = &clock_;
    streams_ = stream::StreamManager::Open(so, *catalog_).value();
    DeliveryOptions o;
    o.dir = dir_.File("delivery");
    o.clock = &clock_;
    o.start_thread = false;
    o.fsync = log::FsyncPolicy::kNever;
    o.streams = streams_.get();
    o.transformer = transformer_;
    manager_ = DeliveryManager::Open(o, *catalog_, *store_).value();
  }
  // Each record is its own partition key; answers where the stream put them.
  std::vector<stream::PutOutcome> PutToStream(const std::vector<std::string>& records) {
    std::vector<stream::PutInput> in;
    for (const auto& r : records) in.push_back({.partition_key = r, .data = r});
    std::promise<std::vector<stream::PutOutcome>> put;
    streams_->PutRecords("ingress", in, [&](stream::KResult<std::vector<stream::PutOutcome>> r) {
      put.set_value(r.ok() ? *std::move(r) : std::vector<stream::PutOutcome>{});
    });
    auto outcomes = put.get_future().get();
    EXPECT_EQ(outcomes.size(), records.size());
    return outcomes;
  }
  DeliveryStreamConfig Config() {
    DeliveryStreamConfig c;
    c.name = "from-stream";
    c.type = "KinesisStreamAsSource";
    c.source = KinesisSource{streams_->ArnFor("ingress"), "arn:aws:iam::000000000000:role/r"};
    c.destination.extended = true;
    c.destination.role_arn = "arn:aws:iam::000000000000:role/r";
    c.destination.bucket_arn = "arn:aws:s3:::lake";
    c.destination.hints = {5, 300};
    c.destination.processing = ProcessingConfiguration{true, {{"AppendDelimiterToRecord", {}}}};
    return c;
  }
  std::multiset<std::string> Delivered() {
    std::multiset<std::string> out;
    auto listed = store_->List("lake", {});
    if (!listed.ok()) return out;
    for (const auto& o : listed->objects) {
      const std::string body = store_->Get("lake", o.key, std::nullopt)->data;
      size_t start = 0;
      for (size_t nl = body.find('\n'); nl != std::string::npos; start = nl + 1, nl = body.find('\n', start)) {
        out.insert(body.substr(start, nl - start));
      }
      out.insert(body.substr(start));  // records are separated, not terminated
    }
    return out;
  }

  catalog::testing::TempDir dir_;
  RecordTransformer* transformer_ = nullptr;
  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<objects::LocalObjectStore> store_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<stream::StreamManager> streams_;
  std::unique_ptr<DeliveryManager> manager_;
};

TEST_F(SourceTest, StartsAtLatestAndDeliversEachStreamRecordOnceAcrossRestarts) {
  PutToStream({"before"});
  clock_.Advance(1000);
  auto arn = manager_->Create(Config(), {});
  ASSERT_TRUE(arn.ok()) << arn.error().message;
  auto info = manager_->Describe("from-stream");
  EXPECT_EQ(info->source_start_ms, clock_.NowMillis());
  PutToStream({"a", "b", "c"});
  manager_->RunDueDeliveries();
  EXPECT_EQ(manager_->Stats()[0].buffered_records, 3u);
  Reopen();
  PutToStream({"d"});
  ASSERT_TRUE(manager_->Flush("from-stream").ok());
  Reopen();
  ASSERT_TRUE(manager_->Flush("from-stream").ok());
  EXPECT_EQ(Delivered(), (std::multiset<std::string>{"a", "b", "c", "d"}));
}

TEST_F(SourceTest, AnAppendWhosePositionWasNotSavedIsNotAppendedAgain) {
  ASSERT_TRUE(manager_->Create(Config(), {}).ok());
  const int64_t start = manager_->Describe("from-stream")->source_start_ms;
  PutToStream({"a", "b"});
  manager_->RunDueDeliveries();
  // As if the process died after the append but before the position was saved.
  manager_.reset();
  const int64_t id = catalog::LoadDeliveryStreams(*catalog_).value()[0].stream.id;
  ASSERT_TRUE(catalog::SetSourcePosition(*catalog_, id, "{\"start_ms\":" + std::to_string(start) + "}").ok());
  Reopen();
  ASSERT_TRUE(manager_->Flush("from-stream").ok());
  EXPECT_EQ(Delivered(), (std::multiset<std::string>{"a", "b"}));
}

TEST_F(SourceTest, PutRecordIsRefusedOnAStreamWithAKinesisSource) {
  ASSERT_TRUE(manager_->Create(Config(), {}).ok());
  std::promise<DResult<std::vector<std::string>>> p;
  const std::string_view data = "x";
  manager_->Put("from-stream", std::span<const std::string_view>(&data, 1),
                [&](DResult<std::vector<std::string>> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorType::kInvalidArgument);
  EXPECT_EQ(r.error().message, "This operation is not permitted on KinesisStreamAsSource delivery stream type.");
}

TEST_F(SourceTest, AMissingStreamIsRefused) {
  auto c = Config();
  c.source->stream_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/nope";
  auto r = manager_->Create(c, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorType::kInvalidArgument);
}

// Answers every record Ok with its data unchanged, and keeps the events it was sent.
class CapturingTransformer final : public RecordTransformer {
 public:
  std::vector<std::string> events;
  TransformResult Invoke(std::string_view, std::string event) override {
    nlohmann::json records = nlohmann::json::array();
    const nlohmann::json parsed = nlohmann::json::parse(event);
    for (const auto& r : parsed["records"]) {
      records.push_back({{"recordId", r["recordId"]}, {"result", "Ok"}, {"data", r["data"]}});
    }
    events.push_back(std::move(event));
    return {.payload = nlohmann::json{{"records", records}}.dump()};
  }
};

std::vector<std::string> Members(const nlohmann::ordered_json& j) {
  std::vector<std::string> out;
  for (const auto& [k, v] : j.items()) out.push_back(k);
  return out;
}

TEST_F(SourceTest, TheLambdaProcessorSeesEachRecordsKinesisMetadata) {
  CapturingTransformer capture;
  transformer_ = &capture;
  Reopen();
  auto c = Config();
  c.destination.processing = ProcessingConfiguration{
      true,
      {{"Lambda", {{"LambdaArn", "arn:aws:lambda:us-east-1:000000000000:function:f"}}}, {"AppendDelimiterToRecord", {}}}};
  auto created = manager_->Create(c, {});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const int64_t put_at = clock_.NowMillis();
  const std::vector<std::string> data = {"pk-1", "a|b key"};  // each is its own partition key
  const std::vector<stream::PutOutcome> placed = PutToStream(data);
  clock_.Advance(5000);  // the delivery stream reads them later than they reached the stream
  ASSERT_TRUE(manager_->Flush("from-stream").ok());
  EXPECT_EQ(Delivered(), (std::multiset<std::string>{"pk-1", "a|b key"}));

  ASSERT_EQ(capture.events.size(), 1u);
  const auto event = nlohmann::ordered_json::parse(capture.events[0]);
  EXPECT_EQ(Members(event), (std::vector<std::string>{"invocationId", "sourceKinesisStreamArn", "deliveryStreamArn",
                                                      "region", "records"}));
  EXPECT_EQ(event["sourceKinesisStreamArn"], streams_->ArnFor("ingress"));
  EXPECT_EQ(event["deliveryStreamArn"], "arn:aws:firehose:us-east-1:000000000000:deliverystream/from-stream");
  const auto& records = event["records"];
  ASSERT_EQ(records.size(), 2u);
  std::set<size_t> seen;
  for (const auto& r : records) {
    EXPECT_EQ(Members(r), (std::vector<std::string>{"recordId", "approximateArrivalTimestamp", "data",
                                                    "kinesisRecordMetadata"}));
    EXPECT_EQ(r["approximateArrivalTimestamp"], put_at + 5000);  // its arrival in the delivery stream
    // The two keys may hash to different shards, which are read one after the other.
    const std::string decoded = *Base64Decode(r["data"].get<std::string>());
    const size_t i = decoded == data[0] ? 0 : 1;
    ASSERT_EQ(decoded, data[i]);
    seen.insert(i);
    const auto& m = r["kinesisRecordMetadata"];
    EXPECT_EQ(Members(m), (std::vector<std::string>{"shardId", "partitionKey", "approximateArrivalTimestamp",
                                                    "sequenceNumber", "subsequenceNumber"}));
    EXPECT_EQ(m["shardId"], placed[i].shard_id);
    EXPECT_EQ(m["partitionKey"], data[i]);
    EXPECT_TRUE(m["approximateArrivalTimestamp"].is_number_integer());
    EXPECT_EQ(m["approximateArrivalTimestamp"], put_at);  // its arrival in the Kinesis stream
    EXPECT_TRUE(m["sequenceNumber"].is_string());
    EXPECT_EQ(m["sequenceNumber"], placed[i].sequence_number);
    EXPECT_TRUE(m["subsequenceNumber"].is_number_integer());
    EXPECT_EQ(m["subsequenceNumber"], 0);
  }
  EXPECT_EQ(seen.size(), 2u);
}

TEST(SourceRecordKeyTest, NamesTheOriginAndReadsTheOlderForm) {
  const std::string key = SourceRecordKey("shardId-000000000001", "4960", 1'700'000'000'123, "a|b");
  EXPECT_EQ(key, "shardId-000000000001|4960|1700000000123|a|b");
  const auto origin = ParseSourceRecordKey(key);
  ASSERT_TRUE(origin.has_value());
  EXPECT_EQ(origin->shard_id, "shardId-000000000001");
  EXPECT_EQ(origin->sequence_number, "4960");
  EXPECT_EQ(origin->arrival_ms, 1'700'000'000'123);
  EXPECT_EQ(origin->partition_key, "a|b");
  const auto older = ParseSourceRecordKey("shardId-000000000001|4960");
  ASSERT_TRUE(older.has_value());
  EXPECT_EQ(older->sequence_number, "4960");
  EXPECT_FALSE(older->arrival_ms.has_value());
  EXPECT_EQ(older->partition_key, "");
  EXPECT_FALSE(ParseSourceRecordKey("").has_value());  // a DirectPut record
  EXPECT_FALSE(ParseSourceRecordKey("s|1|notanumber|k").has_value());
}

}  // namespace
}  // namespace sluice::delivery
