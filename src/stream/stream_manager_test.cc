#include "stream/stream_manager.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>

#include "base/testing/fault_file_system.h"
#include "stream/sequence_number.h"
#include "stream/shard_iterator.h"
#include "stream/testing/test_fixture.h"

namespace sluice::stream {
namespace {

namespace fs = std::filesystem;

class StreamManagerTest : public testing::StreamFixture {
 protected:
  std::vector<std::pair<std::string, std::string>> ReadAll(const std::string& stream,
                                                           const std::string& shard) {
    auto it = mgr_->GetShardIterator({.stream_name = stream, .shard_id = shard});
    EXPECT_TRUE(it.ok());
    std::vector<std::pair<std::string, std::string>> out;
    std::string iter = *it;
    for (int guard = 0; guard < 100; ++guard) {
      auto r = mgr_->GetRecords(iter, 10000, 10 << 20);
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
      if (!r.ok() || r->records.empty()) break;
      for (const auto& rec : r->records) out.emplace_back(rec.sequence_number.str(), std::string(rec.data));
      iter = *r->next_iterator;
    }
    return out;
  }
};

TEST_F(StreamManagerTest, CreatedStreamSplitsTheHashSpaceEvenly) {
  ASSERT_TRUE(mgr_->CreateStream("s", 2, "PROVISIONED", {}).ok());
  auto d = mgr_->DescribeStream("s");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, "ACTIVE");
  EXPECT_EQ(d->arn, "arn:aws:kinesis:us-east-1:000000000000:stream/s");
  ASSERT_EQ(d->shards.size(), 2u);
  EXPECT_EQ(d->shards[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(d->shards[0].starting_hash_key, "0");
  EXPECT_EQ(d->shards[1].ending_hash_key, "340282366920938463463374607431768211455");
  EXPECT_EQ(mgr_->OpenShardCount(), 2);
}

TEST_F(StreamManagerTest, DuplicateStreamIsResourceInUse) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  auto again = mgr_->CreateStream("s", 1, "PROVISIONED", {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorType::kResourceInUse);
}

TEST_F(StreamManagerTest, ShardLimitIsLimitExceeded) {
  ASSERT_TRUE(mgr_->CreateStream("a", 8, "PROVISIONED", {}).ok());
  auto over = mgr_->CreateStream("b", 3, "PROVISIONED", {});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorType::kLimitExceeded);
  EXPECT_FALSE(mgr_->DescribeStream("b").ok());
}

TEST_F(StreamManagerTest, RecordsGoToTheShardTheirKeyHashesToInOrder) {
  ASSERT_TRUE(mgr_->CreateStream("s", 2, "PROVISIONED", {}).ok());
  std::vector<std::string> keys, data;
  for (int i = 0; i < 50; ++i) {
    keys.push_back("key-" + std::to_string(i % 7));
    data.push_back("record-" + std::to_string(i));
  }
  std::vector<PutInput> in;
  for (int i = 0; i < 50; ++i) in.push_back({keys[i], std::nullopt, data[i]});
  const auto out = Put("s", in);
  ASSERT_EQ(out.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    const uint128 h = HashPartitionKey(keys[i]);
    const auto ranges = EvenSplit(2);
    EXPECT_EQ(out[i].shard_id, ShardIdFor(ranges[0].Contains(h) ? 0 : 1)) << i;
    EXPECT_TRUE(out[i].error_code.empty());
  }
  size_t total = 0;
  for (const char* shard : {"shardId-000000000000", "shardId-000000000001"}) {
    const auto got = ReadAll("s", shard);
    total += got.size();
    for (size_t j = 1; j < got.size(); ++j) EXPECT_LT(got[j - 1].first, got[j].first);
  }
  EXPECT_EQ(total, 50u);
}

TEST_F(StreamManagerTest, ExplicitHashKeyOverridesThePartitionKey) {
  ASSERT_TRUE(mgr_->CreateStream("s", 2, "PROVISIONED", {}).ok());
  const auto out = Put("s", {{"a", uint128{0}, "x"}, {"a", kMaxHashKey, "y"}});
  EXPECT_EQ(out[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(out[1].shard_id, "shardId-000000000001");
}

TEST_F(StreamManagerTest, StreamsRecordsAndSequenceNumbersSurviveRestart) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {{"k", "v"}}).ok());
  const auto first = Put("s", {{"a", std::nullopt, "one"}, {"b", std::nullopt, "two"}});
  Reopen();
  auto d = mgr_->DescribeStream("s");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tags.size(), 1u);
  const auto second = Put("s", {{"c", std::nullopt, "three"}});
  EXPECT_GT(second[0].sequence_number, first[1].sequence_number);
  const auto all = ReadAll("s", "shardId-000000000000");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], (std::pair<std::string, std::string>{first[0].sequence_number, "one"}));
  EXPECT_EQ(all[2].second, "three");
}

TEST_F(StreamManagerTest, IteratorTypesStartWhereAwsSays) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  const auto a = Put("s", {{"k", std::nullopt, "a"}, {"k", std::nullopt, "b"}});
  clock_.Advance(10'000);
  const int64_t t = clock_.NowMillis();
  const auto c = Put("s", {{"k", std::nullopt, "c"}});
  auto first_data = [&](IteratorRequest req) -> std::string {
    req.stream_name = "s";
    req.shard_id = "shardId-000000000000";
    auto it = mgr_->GetShardIterator(req);
    EXPECT_TRUE(it.ok()) << (it.ok() ? "" : it.error().message);
    if (!it.ok()) return "<error>";
    auto r = mgr_->GetRecords(*it, 1, 1 << 20);
    EXPECT_TRUE(r.ok());
    return r->records.empty() ? "<none>" : std::string(r->records[0].data);
  };
  EXPECT_EQ(first_data({.type = IteratorType::kTrimHorizon}), "a");
  EXPECT_EQ(first_data({.type = IteratorType::kLatest}), "<none>");
  EXPECT_EQ(first_data({.type = IteratorType::kAtSequenceNumber, .sequence_number = a[1].sequence_number}), "b");
  EXPECT_EQ(first_data({.type = IteratorType::kAfterSequenceNumber, .sequence_number = a[1].sequence_number}), "c");
  EXPECT_EQ(first_data({.type = IteratorType::kAtTimestamp, .timestamp_ms = t}), "c");
  EXPECT_EQ(first_data({.type = IteratorType::kAtTimestamp, .timestamp_ms = t + 1}), "<none>");
  (void)c;
}

TEST_F(StreamManagerTest, IteratorsExpireAfterFiveMinutes) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  auto it = mgr_->GetShardIterator({.stream_name = "s", .shard_id = "shardId-000000000000"});
  ASSERT_TRUE(it.ok());
  clock_.Advance(kIteratorLifetimeMs - 1);
  EXPECT_TRUE(mgr_->GetRecords(*it, 10, 1 << 20).ok());
  clock_.Advance(2);
  auto r = mgr_->GetRecords(*it, 10, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorType::kExpiredIterator);
}

TEST_F(StreamManagerTest, MillisBehindLatestIsTheAgeOfTheOldestUnreadRecord) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  Put("s", {{"k", std::nullopt, "a"}, {"k", std::nullopt, "b"}});
  clock_.Advance(3000);
  auto it = mgr_->GetShardIterator({.stream_name = "s", .shard_id = "shardId-000000000000"});
  auto r = mgr_->GetRecords(*it, 1, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->millis_behind_latest, 3000);
  auto r2 = mgr_->GetRecords(*r->next_iterator, 10, 1 << 20);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->millis_behind_latest, 0);
}

TEST_F(StreamManagerTest, SequenceNumberFromAnotherShardIsInvalidArgument) {
  ASSERT_TRUE(mgr_->CreateStream("s", 2, "PROVISIONED", {}).ok());
  const auto out = Put("s", {{"a", uint128{0}, "x"}});
  auto it = mgr_->GetShardIterator({.stream_name = "s",
                                    .shard_id = "shardId-000000000001",
                                    .type = IteratorType::kAtSequenceNumber,
                                    .sequence_number = out[0].sequence_number});
  ASSERT_FALSE(it.ok());
  EXPECT_EQ(it.error().code, ErrorType::kInvalidArgument);
  EXPECT_NE(it.error().message.find("shardId-000000000000"), std::string::npos);
}

TEST_F(StreamManagerTest, UnknownStreamAndShardAreResourceNotFound) {
  auto d = mgr_->DescribeStream("nope");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorType::kResourceNotFound);
  EXPECT_EQ(d.error().message, "Stream nope under account 000000000000 not found.");
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  auto it = mgr_->GetShardIterator({.stream_name = "s", .shard_id = "shardId-000000000009"});
  ASSERT_FALSE(it.ok());
  EXPECT_EQ(it.error().code, ErrorType::kResourceNotFound);
}

TEST_F(StreamManagerTest, DeletedStreamIsGoneWithItsFilesAndItsNameCanBeReused) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  const auto old = Put("s", {{"a", std::nullopt, "x"}});
  auto it = mgr_->GetShardIterator({.stream_name = "s", .shard_id = "shardId-000000000000"});
  ASSERT_TRUE(mgr_->DeleteStream("s").ok());
  EXPECT_FALSE(mgr_->DescribeStream("s").ok());
  EXPECT_TRUE(fs::is_empty(root_ / "streams"));
  clock_.Advance(1);
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  // An iterator of the old stream does not read the new one.
  auto r = mgr_->GetRecords(*it, 10, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorType::kResourceNotFound);
  EXPECT_TRUE(ReadAll("s", "shardId-000000000000").empty());
  (void)old;
}

TEST_F(StreamManagerTest, RetentionChangesFollowAwsRules) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  EXPECT_TRUE(mgr_->ChangeRetention("s", 48, true).ok());
  auto shorter = mgr_->ChangeRetention("s", 24, true);
  ASSERT_FALSE(shorter.ok());
  EXPECT_EQ(shorter.error().code, ErrorType::kInvalidArgument);
  auto longer = mgr_->ChangeRetention("s", 72, false);
  ASSERT_FALSE(longer.ok());
  EXPECT_TRUE(mgr_->ChangeRetention("s", 24, false).ok());
  Reopen();
  EXPECT_EQ(mgr_->DescribeStream("s")->retention_hours, 24);
}

TEST_F(StreamManagerTest, PutToMissingStreamFailsWholeCall) {
  std::promise<KResult<std::vector<PutOutcome>>> p;
  std::vector<PutInput> in{{"k", std::nullopt, "d"}};
  mgr_->PutRecords("nope", in, [&p](KResult<std::vector<PutOutcome>> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorType::kResourceNotFound);
}

// Control-plane work (catalog commits, log opens) must not stall the data plane of
// other streams. The shard logs' file system holds every log open at a gate, so the
// control-plane call is parked at a known point while the test checks what proceeds.
class ControlPlaneTest : public testing::StreamFixture {
 protected:
  void SetUp() override {
    StreamFixture::SetUp();
    StreamManagerOptions o;
    o.log_file_system = &files_;
    Reopen(o);
  }
  // Puts one record and expects it to be stored.
  void ExpectPutSucceeds(const std::string& stream, const std::string& data) {
    const auto out = Put(stream, {{"k", std::nullopt, data}});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].error_code.empty()) << out[0].error_message;
  }
  static bool StillRunning(std::future<bool>& f) {
    return f.wait_for(std::chrono::seconds(0)) == std::future_status::timeout;
  }

  sluice::testing::FaultFileSystem files_{FileSystem::Posix()};
};

TEST_F(ControlPlaneTest, PutRecordsOnOneStreamCompletesWhileAnotherStreamIsBeingCreated) {
  ASSERT_TRUE(mgr_->CreateStream("a", 1, "PROVISIONED", {}).ok());
  files_.open_gate.Close();
  std::future<bool> creating = std::async(std::launch::async, [this] {
    return mgr_->CreateStream("b", 2, "PROVISIONED", {}).ok();
  });
  // B's catalog row is committed and its first shard log is being opened, held here.
  const std::string held = files_.open_gate.AwaitHeld();
  EXPECT_NE(held.find("/streams/2/0/"), std::string::npos) << held;
  ExpectPutSucceeds("a", "while b is created");
  EXPECT_TRUE(mgr_->DescribeStream("a").ok());
  EXPECT_EQ(mgr_->ListStreamNames(), std::vector<std::string>{"a"});  // b is not visible yet
  EXPECT_TRUE(StillRunning(creating));
  files_.open_gate.Open();
  ASSERT_TRUE(creating.get());
  ExpectPutSucceeds("b", "after");
  EXPECT_EQ(mgr_->ListStreamNames(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(ControlPlaneTest, PutRecordsProceedWhileAReshardOpensItsChildren) {
  ASSERT_TRUE(mgr_->CreateStream("a", 1, "PROVISIONED", {}).ok());
  ASSERT_TRUE(mgr_->CreateStream("b", 1, "PROVISIONED", {}).ok());
  files_.open_gate.Close();
  std::future<bool> splitting = std::async(std::launch::async, [this] {
    return mgr_->SplitShard("b", "shardId-000000000000", uint128{1} << 127).ok();
  });
  const std::string held = files_.open_gate.AwaitHeld();
  EXPECT_NE(held.find("/streams/2/1/"), std::string::npos) << held;  // b's first child
  // Neither the other stream nor the one being resharded waits for the children.
  ExpectPutSucceeds("a", "while b splits");
  ExpectPutSucceeds("b", "before the split");
  EXPECT_TRUE(StillRunning(splitting));
  files_.open_gate.Open();
  ASSERT_TRUE(splitting.get());
  ExpectPutSucceeds("b", "after the split");
  auto d = mgr_->DescribeStream("b");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->shards.size(), 3u);
  EXPECT_TRUE(d->shards[0].ending_sequence_number.has_value());  // the record above is in the parent
  EXPECT_EQ(d->open_shard_count, 2);
}

}  // namespace
}  // namespace sluice::stream
