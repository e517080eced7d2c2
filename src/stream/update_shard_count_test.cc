// UpdateShardCount's AWS rate rule (ten reshards per rolling 24 hours per stream, kept
// across restarts) and the descriptors shard logs hold after many reshards.
#include <gtest/gtest.h>

#include <cerrno>

#include "base/testing/fault_file_system.h"
#include "stream/stream_manager.h"
#include "stream/testing/test_fixture.h"

namespace sluice::stream {
namespace {

constexpr int64_t kHour = 3'600'000;

class UpdateShardCountTest : public testing::StreamFixture {
 protected:
  void SetUp() override {
    shard_limit_ = 50;
    StreamFixture::SetUp();
  }
  // Scales "s" between 1 and 2 shards: every call reshards.
  KResult<int> Toggle() {
    const int open = static_cast<int>(mgr_->DescribeStream("s")->open_shard_count);
    return mgr_->UpdateShardCount("s", open == 1 ? 2 : 1);
  }
  void ExpectRefused() {
    const auto before = mgr_->DescribeStream("s")->shards.size();
    auto r = Toggle();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorType::kLimitExceeded);
    EXPECT_EQ(r.error().message,
              "UpdateShardCount cannot scale stream s under account 000000000000 more than 10 times per "
              "rolling 24-hour period.");
    EXPECT_EQ(mgr_->DescribeStream("s")->shards.size(), before) << "a refused call changes nothing";
  }
  // Outlives the manager, which TearDown destroys.
  sluice::testing::FaultFileSystem fs_{FileSystem::Posix()};
};

TEST_F(UpdateShardCountTest, TenReshardsPerRolling24HoursThenLimitExceeded) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  const int64_t first = clock_.NowMillis();
  for (int i = 0; i < 10; ++i) {
    auto r = Toggle();
    ASSERT_TRUE(r.ok()) << i << ": " << r.error().message;
    clock_.Advance(kHour);  // calls at first + 0h .. first + 9h
  }
  ExpectRefused();                                        // first + 10h
  clock_.Advance(first + 24 * kHour - 1 - clock_.NowMillis());
  ExpectRefused();                                        // the first call is still in the window
  clock_.Advance(1);                                      // exactly 24 h after the first call
  ASSERT_TRUE(Toggle().ok()) << "the first call left the window";
  ExpectRefused();                                        // calls at 1h..9h and 24h
  clock_.Advance(kHour);
  ASSERT_TRUE(Toggle().ok());
}

TEST_F(UpdateShardCountTest, TheCallHistorySurvivesARestart) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Toggle().ok()) << i;
  Reopen();
  ExpectRefused();
  clock_.Advance(24 * kHour);
  Reopen();
  ASSERT_TRUE(Toggle().ok());
}

TEST_F(UpdateShardCountTest, ACallAlreadyAtItsTargetIsNotCounted) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  for (int i = 0; i < 15; ++i) ASSERT_TRUE(mgr_->UpdateShardCount("s", 1).ok()) << i;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Toggle().ok()) << i;
  ExpectRefused();
}

TEST_F(UpdateShardCountTest, TheLimitIsPerStream) {
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  ASSERT_TRUE(mgr_->CreateStream("t", 1, "PROVISIONED", {}).ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Toggle().ok()) << i;
  ExpectRefused();
  EXPECT_TRUE(mgr_->UpdateShardCount("t", 2).ok());
}

TEST_F(UpdateShardCountTest, LimitZeroTurnsTheRuleOff) {
  StreamManagerOptions o;
  o.update_shard_count_limit = 0;
  Reopen(o);
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(Toggle().ok()) << i;
}

// Closed shards keep no descriptors: 100 reshards (about 150 closed shards) leave the
// read handles bounded by the cache (open shards keep only their write descriptors).
TEST_F(UpdateShardCountTest, ClosedShardsHoldNoDescriptorsAfterManyReshards) {
  sluice::testing::FaultFileSystem& fs = fs_;
  StreamManagerOptions o;
  o.update_shard_count_limit = 0;
  o.segment_file_cache = 4;
  o.log_file_system = &fs;
  Reopen(o);
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  for (int i = 0; i < 100; ++i) {
    const std::string key = "k" + std::to_string(i);  // PutInput holds views
    std::vector<PutInput> in{{key, std::nullopt, "v"}};
    (void)Put("s", in);
    ASSERT_TRUE(Toggle().ok()) << i;
  }
  ASSERT_GT(mgr_->DescribeStream("s")->shards.size(), 100u);
  EXPECT_LE(fs.open_readables.load(), 4);
  // Every closed shard is still readable (through the cache), and reading them all
  // does not raise the count past the bound.
  fs.max_open_readables = fs.open_readables.load();
  const auto described = mgr_->DescribeStream("s");
  ASSERT_TRUE(described.ok());
  for (const ShardInfo& sh : described->shards) {
    auto it = mgr_->GetShardIterator({.stream_name = "s", .shard_id = sh.shard_id});
    ASSERT_TRUE(it.ok()) << it.error().message;
    auto r = mgr_->GetRecords(*it, 100, 1 << 20);
    ASSERT_TRUE(r.ok()) << sh.shard_id << ": " << r.error().message;
  }
  EXPECT_LE(fs.max_open_readables.load(), 4 + 1);
  // And after a restart, closed shards' logs are recovered closed.
  Reopen(o);
  EXPECT_LE(fs.open_readables.load(), 4);
  EXPECT_TRUE(mgr_->CreateStream("t", 1, "PROVISIONED", {}).ok());
}

// At the descriptor limit a read that must reopen a segment fails with InternalFailure,
// and the next one, with descriptors back, succeeds.
TEST_F(UpdateShardCountTest, AReadThatCannotReopenItsSegmentIsInternalFailure) {
  StreamManagerOptions o;
  o.segment_file_cache = 1;
  o.log_file_system = &fs_;
  Reopen(o);
  ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  (void)Put("s", {{"k", std::nullopt, "v"}});
  ASSERT_TRUE(Toggle().ok());  // shard 0 is closed, holding the record
  const auto read = [&](const std::string& shard) {
    auto it = mgr_->GetShardIterator({.stream_name = "s", .shard_id = shard});
    EXPECT_TRUE(it.ok());
    return mgr_->GetRecords(*it, 10, 1 << 20);
  };
  ASSERT_TRUE(read("shardId-000000000000").ok());
  ASSERT_TRUE(Toggle().ok());  // the new shard's log puts its handle in the cache, evicting shard 0's
  fs_.fail_open_readable_errno = EMFILE;
  auto failed = read("shardId-000000000000");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorType::kInternalFailure);
  fs_.fail_open_readable_errno = 0;
  auto again = read("shardId-000000000000");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->records.size(), 1u);
}

}  // namespace
}  // namespace sluice::stream
