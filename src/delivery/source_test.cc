// KinesisStreamAsSource: a delivery stream reading a Kinesis stream in process.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "catalog/delivery_streams.h"
#include "catalog/testing/test_util.h"
#include "delivery/delivery.h"
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
    manager_ = DeliveryManager::Open(o, *catalog_, *store_).value();
  }
  void PutToStream(const std::vector<std::string>& records) {
    std::vector<stream::PutInput> in;
    for (const auto& r : records) in.push_back({.partition_key = r, .data = r});
    std::promise<bool> ok;
    streams_->PutRecords("ingress", in, [&](stream::KResult<std::vector<stream::PutOutcome>> r) { ok.set_value(r.ok()); });
    ASSERT_TRUE(ok.get_future().get());
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

}  // namespace
}  // namespace sluice::delivery
