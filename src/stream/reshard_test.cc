#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <map>

#include "stream/lineage_reader.h"
#include "stream/sequence_number.h"
#include "stream/stream_manager.h"
#include "stream/testing/test_fixture.h"

namespace sluice::stream {
namespace {

namespace fs = std::filesystem;

class ReshardTest : public testing::StreamFixture {
 protected:
  void SetUp() override {
    shard_limit_ = 50;
    StreamFixture::SetUp();
  }
  std::vector<PutOutcome> Put(const std::vector<std::pair<std::string, std::string>>& kv) {
    std::vector<PutInput> in;
    for (const auto& [k, v] : kv) in.push_back({k, std::nullopt, v});
    return StreamFixture::Put("s", in);
  }
  // Writes `n` records over 16 keys, values numbered from `counter`.
  void Write(int n) {
    std::vector<std::pair<std::string, std::string>> kv;
    for (int i = 0; i < n; ++i, ++counter_) kv.emplace_back("key-" + std::to_string(counter_ % 16), std::to_string(counter_));
    for (const auto& o : Put(kv)) EXPECT_TRUE(o.error_code.empty()) << o.error_message;
  }
  // Open shards must cover the hash space exactly once.
  void ExpectCoverage() {
    auto d = mgr_->DescribeStream("s");
    ASSERT_TRUE(d.ok());
    std::vector<std::pair<uint128, uint128>> open;
    for (const auto& sh : d->shards) {
      if (!sh.ending_sequence_number) {
        open.emplace_back(*ParseDecimal(sh.starting_hash_key), *ParseDecimal(sh.ending_hash_key));
      }
    }
    std::sort(open.begin(), open.end());
    ASSERT_FALSE(open.empty());
    EXPECT_EQ(open.front().first, uint128{0});
    EXPECT_EQ(open.back().second, kMaxHashKey);
    for (size_t i = 1; i < open.size(); ++i) EXPECT_EQ(open[i].first, open[i - 1].second + 1);
  }
  // Reads everything through lineage; checks exactly-once and per-key order.
  void ExpectAllReadInKeyOrder() {
    LineageReader reader(*mgr_, "s");
    std::vector<LineageReader::Record> all;
    for (int i = 0; i < 50; ++i) {
      auto r = reader.Poll(1000);
      ASSERT_TRUE(r.ok()) << r.error().message;
      if (r->empty()) break;
      all.insert(all.end(), r->begin(), r->end());
    }
    ASSERT_EQ(all.size(), static_cast<size_t>(counter_));
    std::map<std::string, int> last;
    std::set<int> seen;
    for (const auto& rec : all) {
      const int v = std::stoi(rec.data);
      EXPECT_TRUE(seen.insert(v).second) << "record " << v << " read twice";
      auto [it, fresh] = last.emplace(rec.partition_key, v);
      if (!fresh) {
        EXPECT_LT(it->second, v) << "key " << rec.partition_key << " out of order";
        it->second = v;
      }
    }
  }
  int OpenCount() { return static_cast<int>(mgr_->DescribeStream("s")->open_shard_count); }

  int counter_ = 0;
};

TEST_F(ReshardTest, SplitClosesTheParentAndChildrenTakeItsRange) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  Write(10);
  ASSERT_TRUE(mgr_->SplitShard("s", "shardId-000000000000", uint128{1} << 127).ok());
  auto d = mgr_->DescribeStream("s");
  ASSERT_EQ(d->shards.size(), 3u);
  EXPECT_TRUE(d->shards[0].ending_sequence_number.has_value());
  EXPECT_EQ(d->shards[1].parent_shard_id, "shardId-000000000000");
  EXPECT_EQ(d->shards[2].parent_shard_id, "shardId-000000000000");
  EXPECT_EQ(d->shards[2].starting_hash_key, ToDecimal(uint128{1} << 127));
  EXPECT_EQ(d->open_shard_count, 2);
  ExpectCoverage();
  Write(10);
  ExpectAllReadInKeyOrder();
}

TEST_F(ReshardTest, SplitAndMergeRulesAreEnforced) {
  ASSERT_TRUE(mgr_->CreateStream("s", 3, "PROVISIONED", {}).ok());
  auto bad = mgr_->SplitShard("s", "shardId-000000000000", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorType::kInvalidArgument);
  auto missing = mgr_->SplitShard("s", "shardId-000000000009", 5);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorType::kResourceNotFound);
  auto far = mgr_->MergeShards("s", "shardId-000000000000", "shardId-000000000002");
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.error().code, ErrorType::kInvalidArgument);
  ASSERT_TRUE(mgr_->MergeShards("s", "shardId-000000000001", "shardId-000000000000").ok());
  auto d = mgr_->DescribeStream("s");
  EXPECT_EQ(d->shards[3].parent_shard_id, "shardId-000000000001");
  EXPECT_EQ(d->shards[3].adjacent_parent_shard_id, "shardId-000000000000");
  auto closed = mgr_->SplitShard("s", "shardId-000000000000", 10);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, ErrorType::kInvalidArgument);
  auto closed_merge = mgr_->MergeShards("s", "shardId-000000000001", "shardId-000000000002");
  ASSERT_FALSE(closed_merge.ok());
  EXPECT_EQ(closed_merge.error().code, ErrorType::kInvalidArgument);
  ExpectCoverage();
}

TEST_F(ReshardTest, UpdateShardCountScalesUniformlyUpAndDownWithinAwsBounds) {
  ASSERT_TRUE(mgr_->CreateStream("s", 3, "PROVISIONED", {}).ok());
  Write(50);
  for (const int target : {5, 4, 2, 3, 6, 3}) {
    auto r = mgr_->UpdateShardCount("s", target);
    ASSERT_TRUE(r.ok()) << target << ": " << r.error().message;
    EXPECT_EQ(OpenCount(), target);
    ExpectCoverage();
    // The open shards are the uniform split.
    auto d = mgr_->DescribeStream("s");
    std::vector<std::string> starts;
    for (const auto& sh : d->shards) {
      if (!sh.ending_sequence_number) starts.push_back(sh.starting_hash_key);
    }
    std::sort(starts.begin(), starts.end(), [](const auto& a, const auto& b) {
      return *ParseDecimal(a) < *ParseDecimal(b);
    });
    const auto goal = EvenSplit(static_cast<size_t>(target));
    for (size_t i = 0; i < goal.size(); ++i) EXPECT_EQ(starts[i], ToDecimal(goal[i].start));
    Write(50);
  }
  auto up = mgr_->UpdateShardCount("s", 7);
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.error().code, ErrorType::kLimitExceeded);
  auto down = mgr_->UpdateShardCount("s", 1);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorType::kLimitExceeded);
  ExpectAllReadInKeyOrder();
}

TEST_F(ReshardTest, EndOfAClosedShardNamesItsChildrenAndEndsTheIterator) {
  ASSERT_TRUE(mgr_->CreateStream("s", 2, "PROVISIONED", {}).ok());
  Write(20);
  ASSERT_TRUE(mgr_->MergeShards("s", "shardId-000000000000", "shardId-000000000001").ok());
  auto it = mgr_->GetShardIterator({.stream_name = "s", .shard_id = "shardId-000000000000"});
  ASSERT_TRUE(it.ok());
  auto r = mgr_->GetRecords(*it, 10000, 10 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->next_iterator.has_value());
  ASSERT_EQ(r->child_shards.size(), 1u);
  EXPECT_EQ(r->child_shards[0].shard_id, "shardId-000000000002");
  EXPECT_EQ(r->child_shards[0].parent_shards,
            (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));
}

TEST_F(ReshardTest, LineageSurvivesRestart) {
  ASSERT_TRUE(mgr_->CreateStream("s", 2, "PROVISIONED", {}).ok());
  Write(30);
  ASSERT_TRUE(mgr_->UpdateShardCount("s", 3).ok());
  Write(30);
  const auto before = mgr_->DescribeStream("s")->shards.size();
  Reopen();
  auto d = mgr_->DescribeStream("s");
  ASSERT_EQ(d->shards.size(), before);
  EXPECT_EQ(d->open_shard_count, 3);
  ExpectCoverage();
  Write(30);
  ExpectAllReadInKeyOrder();
}

TEST_F(ReshardTest, ClosedShardsLeaveTheListingsOnceRetentionExpiresThem) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  Write(5);
  ASSERT_TRUE(mgr_->SplitShard("s", "shardId-000000000000", uint128{1} << 100).ok());
  clock_.Advance(25 * 3'600'000LL);
  mgr_->RunMaintenance();
  auto d = mgr_->DescribeStream("s");
  ASSERT_EQ(d->shards.size(), 2u);
  EXPECT_EQ(d->shards[0].shard_id, "shardId-000000000001");
  auto it = mgr_->GetShardIterator({.stream_name = "s", .shard_id = "shardId-000000000000"});
  ASSERT_FALSE(it.ok());
  EXPECT_EQ(it.error().code, ErrorType::kResourceNotFound);
  Reopen();
  EXPECT_EQ(mgr_->DescribeStream("s")->shards.size(), 2u) << "expiry is durable";
  counter_ = 0;  // the expired records are gone; new writes still flow
  Write(5);
  ExpectAllReadInKeyOrder();
}

TEST_F(ReshardTest, ShardLimitsRefuseRecordsOverTheWriteRate) {
  StreamManagerOptions o;
  o.shard_limits = true;
  Reopen(o);
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  std::vector<std::pair<std::string, std::string>> kv(1500, {"k", "v"});
  const auto out = Put(kv);
  int refused = 0;
  for (const auto& o2 : out) {
    if (!o2.error_code.empty()) {
      EXPECT_EQ(o2.error_code, "ProvisionedThroughputExceededException");
      ++refused;
    }
  }
  EXPECT_EQ(refused, 500) << "1,000 records per second per shard, no time passed";
  clock_.Advance(1000);
  const auto later = Put({{"k", "v"}});
  EXPECT_TRUE(later[0].error_code.empty()) << "the bucket refills";
  auto m = mgr_->ShardMetrics("s");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)[0].write_provisioned_throughput_exceeded, 500);
  EXPECT_EQ((*m)[0].incoming_records, 1001);
  // Reads: five calls per second.
  auto it = mgr_->GetShardIterator({.stream_name = "s", .shard_id = "shardId-000000000000",
                                    .type = IteratorType::kLatest});
  int throttled = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = mgr_->GetRecords(*it, 1, 1 << 20);
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorType::kProvisionedThroughputExceeded);
      ++throttled;
    }
  }
  EXPECT_EQ(throttled, 3);
}

TEST_F(ReshardTest, FaultInjectionFailsAboutTheGivenFraction) {
  StreamManagerOptions o;
  o.put_failure_rate = 0.3;
  Reopen(o);
  ASSERT_TRUE(mgr_->CreateStream("s", 2, "PROVISIONED", {}).ok());
  std::vector<std::pair<std::string, std::string>> kv;
  for (int i = 0; i < 2000; ++i) kv.emplace_back("k" + std::to_string(i), "v");
  int failed = 0;
  for (const auto& out : Put(kv)) failed += out.error_code == "InternalFailure" ? 1 : 0;
  EXPECT_GT(failed, 450);
  EXPECT_LT(failed, 750);
}

}  // namespace
}  // namespace sluice::stream
