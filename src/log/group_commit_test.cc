// Group commit and fsync policies: concurrent appenders share fdatasyncs, offsets stay
// unique and contiguous, and readers never see an append before it is acknowledged.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "log/testing/fault_file_system.h"
#include "log/log.h"
#include "log/testing/test_util.h"

namespace sluice::log {
namespace {

using testing::FaultFileSystem;
using testing::MakeRecords;
using testing::ScratchDir;
using testing::TestOptions;
using testing::Views;

TEST(GroupCommitTest, ConcurrentAppendersGetUniqueContiguousOffsetsAndShareSyncs) {
  ScratchDir dir;
  FaultFileSystem fs(FileSystem::Posix());
  LogOptions o = TestOptions(dir.path());
  o.file_system = &fs;
  o.segment_bytes = 256 << 10;  // rolls happen mid-test too
  Result<std::unique_ptr<Log>> log = Log::Open(o);
  ASSERT_TRUE(log.ok());
  constexpr int kThreads = 16;
  constexpr int kAppends = 40;
  constexpr int kRecords = 5;
  std::mutex mu;
  std::vector<std::pair<AppendResult, std::string>> acks;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        const std::string prefix = "t" + std::to_string(t) + "a" + std::to_string(i);
        Result<AppendResult> a = (*log)->Append(Views(MakeRecords(prefix, kRecords, 200)));
        ASSERT_TRUE(a.ok()) << a.status().ToString();
        const std::lock_guard lock(mu);
        acks.emplace_back(*a, prefix);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const uint64_t syncs = fs.syncs.load();
  ASSERT_EQ(acks.size(), size_t{kThreads * kAppends});
  std::sort(acks.begin(), acks.end(),
            [](const auto& a, const auto& b) { return a.first.first_offset < b.first.first_offset; });
  uint64_t next = 0;
  for (const auto& [ack, prefix] : acks) {
    ASSERT_EQ(ack.first_offset.value(), next);
    ASSERT_EQ(ack.last_offset.value(), next + kRecords - 1);
    next += kRecords;
    Result<ReadResult> r = (*log)->Read(ack.first_offset, kRecords, 1 << 20);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->records.size(), size_t{kRecords});
    for (int i = 0; i < kRecords; ++i) {
      ASSERT_EQ(r->records[i].data.substr(0, prefix.size() + 2), prefix + "-" + std::to_string(i));
    }
  }
  EXPECT_EQ((*log)->EndOffset(), Offset(next));
  EXPECT_LT(syncs, uint64_t{kThreads * kAppends}) << "no group commit happened";
  std::printf("%d appends shared %llu fdatasyncs\n", kThreads * kAppends, static_cast<unsigned long long>(syncs));
}

TEST(GroupCommitTest, ReadersDoNotSeeAnAppendBeforeItIsDurable) {
  ScratchDir dir;
  FaultFileSystem fs(FileSystem::Posix());
  LogOptions o = TestOptions(dir.path());
  o.file_system = &fs;
  Result<std::unique_ptr<Log>> log = Log::Open(o);
  ASSERT_TRUE(log.ok());
  fs.sync_delay_ms = 300;
  std::promise<Result<AppendResult>> p;
  const std::vector<testing::OwnedRecord> in = MakeRecords("slow", 2);
  (*log)->AppendAsync(Views(in), [&p](Result<AppendResult> r) { p.set_value(std::move(r)); });
  // Written to the file, but not yet synced: invisible.
  EXPECT_EQ((*log)->EndOffset(), Offset(0));
  Result<ReadResult> r = (*log)->Read(Offset(0), 10, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty());
  ASSERT_TRUE(p.get_future().get().ok());
  EXPECT_EQ((*log)->EndOffset(), Offset(2));
}

TEST(GroupCommitTest, IntervalPolicyAcknowledgesAfterWriteAndSyncsLater) {
  ScratchDir dir;
  FaultFileSystem fs(FileSystem::Posix());
  LogOptions o = TestOptions(dir.path());
  o.file_system = &fs;
  o.fsync = FsyncPolicy::kInterval;
  o.fsync_interval_ms = 50;
  Result<std::unique_ptr<Log>> log = Log::Open(o);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*log)->Append(Views(MakeRecords("x", 1))).ok());
  EXPECT_EQ((*log)->EndOffset(), Offset(20));
  EXPECT_LT(fs.syncs.load(), 20u);
  for (int i = 0; i < 100 && fs.syncs.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(fs.syncs.load(), 1u);
}

TEST(GroupCommitTest, NeverPolicySyncsOnlyAtClose) {
  ScratchDir dir;
  FaultFileSystem fs(FileSystem::Posix());
  LogOptions o = TestOptions(dir.path());
  o.file_system = &fs;
  o.fsync = FsyncPolicy::kNever;
  Result<std::unique_ptr<Log>> log = Log::Open(o);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*log)->Append(Views(MakeRecords("x", 1))).ok());
  EXPECT_EQ((*log)->EndOffset(), Offset(20));
  EXPECT_EQ(fs.syncs.load(), 0u);
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(fs.syncs.load(), 1u);
}

TEST(GroupCommitTest, RollingSyncsTheSealedSegmentUnderEveryPolicy) {
  ScratchDir dir;
  FaultFileSystem fs(FileSystem::Posix());
  LogOptions o = TestOptions(dir.path());
  o.file_system = &fs;
  o.fsync = FsyncPolicy::kNever;
  o.segment_bytes = 4096;
  Result<std::unique_ptr<Log>> log = Log::Open(o);
  ASSERT_TRUE(log.ok());
  // A sealed segment with a torn tail would read as corruption forever, so it is
  // synced before the next segment exists even when the policy never syncs.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*log)->Append(Views(MakeRecords("x", 1, 1000))).ok());
  EXPECT_GE(fs.syncs.load(), 1u);
}

TEST(GroupCommitTest, CloseCompletesPendingAppends) {
  ScratchDir dir;
  FaultFileSystem fs(FileSystem::Posix());
  LogOptions o = TestOptions(dir.path());
  o.file_system = &fs;
  Result<std::unique_ptr<Log>> log = Log::Open(o);
  ASSERT_TRUE(log.ok());
  fs.sync_delay_ms = 50;
  std::atomic<int> ok{0};
  const std::vector<testing::OwnedRecord> in = MakeRecords("x", 1);
  for (int i = 0; i < 10; ++i) {
    (*log)->AppendAsync(Views(in), [&ok](Result<AppendResult> r) { ok += r.ok(); });
  }
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(ok.load(), 10);
}

}  // namespace
}  // namespace sluice::log
