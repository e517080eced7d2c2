// The descriptor bound: sealed segments and closed logs hold no descriptors of their
// own; reads reopen files through a FileCache that never keeps more than its capacity,
// and a failed reopen (EMFILE) is an error, not a crash.
#include "log/file_cache.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "base/testing/fault_file_system.h"
#include "log/log.h"
#include "log/testing/test_util.h"

namespace sluice::log {
namespace {

using testing::MakeRecords;
using testing::ReadAllData;
using testing::ScratchDir;
using testing::TestOptions;
using testing::Views;

TEST(FileCacheTest, KeepsAtMostCapacityAndEvictsTheLeastRecentlyUsed) {
  ScratchDir dir;
  testing::WriteFileBytes(dir.File("a"), "a");
  sluice::testing::FaultFileSystem fs(FileSystem::Posix());
  FileCache cache(2);
  const uint64_t a = FileCache::NewKey(), b = FileCache::NewKey(), c = FileCache::NewKey();
  ASSERT_TRUE(cache.Get(a, fs, dir.File("a")).ok());
  ASSERT_TRUE(cache.Get(b, fs, dir.File("a")).ok());
  ASSERT_TRUE(cache.Get(a, fs, dir.File("a")).ok());  // a is now the most recent
  ASSERT_TRUE(cache.Get(c, fs, dir.File("a")).ok());  // evicts b
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(fs.open_readables.load(), 2);
  EXPECT_EQ(fs.max_open_readables.load(), 3);  // c opened before b was closed
  const int64_t opened = fs.max_open_readables.load();
  ASSERT_TRUE(cache.Get(a, fs, dir.File("a")).ok());  // a hit: nothing opened
  EXPECT_EQ(fs.open_readables.load(), 2);
  EXPECT_EQ(fs.max_open_readables.load(), opened);
  cache.Erase(a);
  cache.Erase(c);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(fs.open_readables.load(), 0);
}

TEST(FileCacheTest, AHandleAReaderHoldsOutlivesItsEviction) {
  ScratchDir dir;
  testing::WriteFileBytes(dir.File("a"), "abc");
  sluice::testing::FaultFileSystem fs(FileSystem::Posix());
  FileCache cache(1);
  Result<FileCache::Handle> held = cache.Get(FileCache::NewKey(), fs, dir.File("a"));
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(cache.Get(FileCache::NewKey(), fs, dir.File("a")).ok());  // evicts the first
  char buf[3];
  Result<size_t> n = (*held)->Read(0, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "abc");
}

TEST(FileCacheTest, DefaultCapacityIsAQuarterOfTheDescriptorLimitWithinBounds) {
  const size_t c = FileCache::DefaultCapacity();
  EXPECT_GE(c, FileCache::kMinCapacity);
  EXPECT_LE(c, FileCache::kMaxCapacity);
  EXPECT_EQ(FileCache(0).capacity(), c);
}

// Many logs (shards), each with many sealed segments, on one cache.
struct ManyLogs {
  static constexpr size_t kCapacity = 4;
  static constexpr int kLogs = 6;
  static constexpr int kBatchesPerLog = 40;  // ~1 KiB each, 3 per 4 KiB segment

  ScratchDir dir;
  sluice::testing::FaultFileSystem fs{FileSystem::Posix()};
  FileCache cache{kCapacity};
  std::vector<std::unique_ptr<Log>> logs;

  LogOptions Options(int i) {
    LogOptions o = TestOptions(dir.File(std::to_string(i)));
    o.file_system = &fs;
    o.file_cache = &cache;
    o.segment_bytes = 4096;
    return o;
  }
  void OpenAll() {
    logs.clear();
    for (int i = 0; i < kLogs; ++i) {
      Result<std::unique_ptr<Log>> l = Log::Open(Options(i));
      ASSERT_TRUE(l.ok()) << l.status().ToString();
      logs.push_back(std::move(l).value());
    }
  }
  void Fill() {
    for (auto& log : logs) {
      for (int b = 0; b < kBatchesPerLog; ++b) ASSERT_TRUE(log->Append(Views(MakeRecords("r", 1, 1000))).ok());
    }
  }
  void CloseAll() {
    for (auto& log : logs) ASSERT_TRUE(log->Close().ok());
  }
  void ExpectEveryRecordReadable() {
    for (auto& log : logs) EXPECT_EQ(ReadAllData(*log).size(), static_cast<size_t>(kBatchesPerLog));
  }
};

TEST(FileCacheTest, OpenLogsReadAcrossSegmentsWithinTheCache) {
  ManyLogs m;
  m.OpenAll();
  m.Fill();
  // Once appends are acknowledged every segment has its final name: the ~13 segments of
  // each log, the active ones included, are read only through the cache. Each open log
  // keeps just its active segment's write descriptor.
  EXPECT_LE(m.fs.open_readables.load(), static_cast<int64_t>(ManyLogs::kCapacity));
  m.fs.max_open_readables = m.fs.open_readables.load();
  m.ExpectEveryRecordReadable();
  EXPECT_LE(m.fs.max_open_readables.load(), static_cast<int64_t>(ManyLogs::kCapacity + 1));
  EXPECT_LE(m.cache.size(), ManyLogs::kCapacity);
  // Appends after reads still land and are read back.
  ASSERT_TRUE(m.logs[0]->Append(Views(MakeRecords("late", 1, 10))).ok());
  EXPECT_EQ(ReadAllData(*m.logs[0]).size(), static_cast<size_t>(ManyLogs::kBatchesPerLog + 1));
}

TEST(FileCacheTest, ClosedLogsKeepNoDescriptorOnceNothingReadsThem) {
  ManyLogs m;
  m.OpenAll();
  m.Fill();
  m.CloseAll();
  EXPECT_LE(m.fs.open_readables.load(), static_cast<int64_t>(ManyLogs::kCapacity));
  m.fs.max_open_readables = 0;
  m.ExpectEveryRecordReadable();  // closed logs stay readable, through the cache
  EXPECT_LE(m.fs.max_open_readables.load(), static_cast<int64_t>(ManyLogs::kCapacity + 1));
  EXPECT_LE(m.fs.open_readables.load(), static_cast<int64_t>(ManyLogs::kCapacity));
  m.logs.clear();  // destroyed logs leave nothing in the cache
  EXPECT_EQ(m.cache.size(), 0u);
  EXPECT_EQ(m.fs.open_readables.load(), 0);
}

TEST(FileCacheTest, RecoveryOfManySegmentsStaysWithinTheCache) {
  ManyLogs m;
  m.OpenAll();
  m.Fill();
  m.logs.clear();
  ASSERT_EQ(m.fs.open_readables.load(), 0);
  m.fs.max_open_readables = 0;
  m.OpenAll();
  // Besides the cache: only the segment being checked and its index file being read.
  EXPECT_LE(m.fs.max_open_readables.load(), static_cast<int64_t>(ManyLogs::kCapacity + 2));
  m.ExpectEveryRecordReadable();
}

TEST(FileCacheTest, AFailedReopenIsAnErrorAndReadsRecoverWhenDescriptorsAreBack) {
  ManyLogs m;
  m.OpenAll();
  m.Fill();
  m.CloseAll();
  for (int i = 1; i < ManyLogs::kLogs; ++i) (void)ReadAllData(*m.logs[i]);  // log 0 is out of the cache
  m.fs.fail_open_readable_errno = EMFILE;
  Result<ReadResult> r = m.logs[0]->Read(m.logs[0]->StartOffset(), 1000, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().sys_errno(), EMFILE) << r.status().ToString();
  Result<Offset> t = m.logs[0]->OffsetForTimestamp(0);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().sys_errno(), EMFILE);
  m.fs.fail_open_readable_errno = 0;
  EXPECT_EQ(ReadAllData(*m.logs[0]).size(), static_cast<size_t>(ManyLogs::kBatchesPerLog));
}

TEST(FileCacheTest, RetentionStillDeletesSegmentsAndTheirCachedHandles) {
  ManyLogs m;
  m.OpenAll();
  m.Fill();
  ASSERT_GT(m.cache.size(), 0u);
  Result<RetentionResult> r = m.logs[0]->ApplyRetention(INT64_MAX / 2, 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->segments_deleted, 10u);
  EXPECT_EQ(m.logs[0]->StartOffset(), m.logs[0]->EndOffset());
  Result<ReadResult> below = m.logs[0]->Read(Offset(0), 10, 1 << 20);
  ASSERT_FALSE(below.ok());
  EXPECT_EQ(below.status().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace sluice::log
