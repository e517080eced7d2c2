// Group commit and fsync policies: concurrent appenders share fdatasyncs, offsets stay
// unique and contiguous, readers never see an append before it is acknowledged, and a
// segment roll never makes appends wait for a sync.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "log/log.h"
#include "base/testing/fault_file_system.h"
#include "log/testing/test_util.h"

namespace sluice::log {
namespace {

using sluice::testing::FaultFileSystem;
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
  fs.sync_gate.Close();
  std::promise<Result<AppendResult>> p;
  const std::vector<testing::OwnedRecord> in = MakeRecords("slow", 2);
  (*log)->AppendAsync(Views(in), [&p](Result<AppendResult> r) { p.set_value(std::move(r)); });
  fs.sync_gate.AwaitHeld();
  // Written to the file, but its sync is held: invisible.
  EXPECT_EQ((*log)->EndOffset(), Offset(0));
  Result<ReadResult> r = (*log)->Read(Offset(0), 10, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty());
  fs.sync_gate.Open();
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
  fs.sync_gate.Close();  // no sync completes until every append below is acknowledged
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*log)->Append(Views(MakeRecords("x", 1))).ok());
  EXPECT_EQ((*log)->EndOffset(), Offset(20));
  fs.sync_gate.Open();
  fs.AwaitSyncs(1);  // the interval's sync comes without any further append
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

// Segment names without the ".tmp" a rolled segment has until its predecessor is synced.
std::set<std::string> SegmentNames(const std::vector<std::string>& paths) {
  std::set<std::string> out;
  for (std::string p : paths) {
    if (p.ends_with(".tmp")) p.resize(p.size() - 4);
    p = p.substr(p.rfind('/') + 1);
    if (p.ends_with(".log")) out.insert(p);
  }
  return out;
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
  // synced before the next segment gets its name even when the policy never syncs.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*log)->Append(Views(MakeRecords("x", 1, 1000))).ok());
  ASSERT_TRUE((*log)->Close().ok());
  const std::set<std::string> segments = SegmentNames(testing::ListDir(dir.path()));
  EXPECT_GE(segments.size(), 3u);
  EXPECT_EQ(SegmentNames(fs.SyncedPaths()), segments);  // the sealed ones, and the last at Close
  EXPECT_EQ(fs.syncs.load(), segments.size());
}

TEST(GroupCommitTest, AppendsProceedWhileARollsSyncIsHeld) {
  ScratchDir dir;
  FaultFileSystem fs(FileSystem::Posix());
  LogOptions o = TestOptions(dir.path());
  o.file_system = &fs;
  o.fsync = FsyncPolicy::kNever;  // acknowledged on write: only the roll syncs
  o.segment_bytes = 4096;
  std::unique_ptr<Log> log = std::move(Log::Open(o)).value();
  ASSERT_TRUE(log->Append(Views(MakeRecords("a", 3, 1000))).ok());
  fs.sync_gate.Close();
  ASSERT_TRUE(log->Append(Views(MakeRecords("b", 1, 1000))).ok());  // rolls
  EXPECT_EQ(fs.sync_gate.AwaitHeld(), dir.File("00000000000000000000.log"));
  // The sealing sync is stuck; appends (and a second roll) go on, and so do reads.
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(log->Append(Views(MakeRecords("c" + std::to_string(i), 1, 1000))).ok());
  EXPECT_EQ(log->EndOffset(), Offset(10));
  EXPECT_EQ(testing::ReadAllData(*log).size(), 10u);
  // Until the sealed segment is durable, its successors keep their pending names.
  std::vector<std::string> names = testing::ListDir(dir.path());
  EXPECT_EQ(names.front(), "00000000000000000000.log");
  EXPECT_EQ(names[1], "00000000000000000003.log.tmp");
  EXPECT_TRUE(names.back().ends_with(".log.tmp")) << names.back();
  fs.sync_gate.Open();
  ASSERT_TRUE(log->Close().ok());
  names = testing::ListDir(dir.path());
  EXPECT_TRUE(std::none_of(names.begin(), names.end(), [](const std::string& n) { return n.ends_with(".tmp"); }));
  log = std::move(Log::Open(o)).value();
  EXPECT_EQ(testing::ReadAllData(*log).size(), 10u);
}

TEST(GroupCommitTest, AppendsAreWrittenWhileTheSyncOfARolledSegmentIsHeld) {
  ScratchDir dir;
  FaultFileSystem fs(FileSystem::Posix());
  LogOptions o = TestOptions(dir.path());
  o.file_system = &fs;
  o.segment_bytes = 4096;
  std::unique_ptr<Log> log = std::move(Log::Open(o)).value();
  fs.sync_gate.Close();
  std::atomic<int> acked{0};
  const auto count = [&acked](Result<AppendResult> r) {
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    ++acked;
  };
  const std::vector<testing::OwnedRecord> first = MakeRecords("a", 3, 1000);
  log->AppendAsync(Views(first), count);
  EXPECT_EQ(fs.sync_gate.AwaitHeld(), dir.File("00000000000000000000.log"));
  // The sync covering segment 0 is held; more appends roll past it and are written
  // (AppendAsync returns), but nothing is acknowledged or visible before that sync.
  std::vector<std::vector<testing::OwnedRecord>> more;
  for (int i = 0; i < 6; ++i) more.push_back(MakeRecords("b" + std::to_string(i), 1, 1000));
  for (const auto& m : more) log->AppendAsync(Views(m), count);
  EXPECT_EQ(acked.load(), 0);
  EXPECT_EQ(log->EndOffset(), Offset(0));
  fs.sync_gate.Open();
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(acked.load(), 7);
  EXPECT_EQ(log->EndOffset(), Offset(9));
  log = std::move(Log::Open(o)).value();
  EXPECT_EQ(testing::ReadAllData(*log).size(), 9u);
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
