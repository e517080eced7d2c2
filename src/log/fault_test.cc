// Injected I/O errors: a failed fdatasync, a full disk, short writes, a failing
// truncate. The log never acknowledges what it could not make durable.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "log/log.h"
#include "base/testing/fault_file_system.h"
#include "log/testing/test_util.h"

namespace sluice::log {
namespace {

using sluice::testing::FaultFileSystem;
using testing::MakeRecords;
using testing::ReadAllData;
using testing::ScratchDir;
using testing::TestOptions;
using testing::Views;

struct FaultFixture {
  ScratchDir dir;
  FaultFileSystem fs{FileSystem::Posix()};
  LogOptions opts;
  std::unique_ptr<Log> log;
  std::vector<std::string> warnings;

  FaultFixture() {
    opts = TestOptions(dir.path());
    opts.file_system = &fs;
    opts.on_warning = [this](std::string_view w) { warnings.emplace_back(w); };
    Open();
  }
  void Open() {
    log.reset();
    Result<std::unique_ptr<Log>> l = Log::Open(opts);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    log = std::move(l).value();
  }
};

TEST(FaultTest, FailedSyncFailsEveryWaiterAndMakesTheLogReadOnly) {
  FaultFixture f;
  ASSERT_TRUE(f.log->Append(Views(MakeRecords("ok", 5))).ok());
  f.fs.fail_sync = true;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      Result<AppendResult> a = f.log->Append(Views(MakeRecords("lost", 2)));
      if (!a.ok() && a.status().code() == StatusCode::kIOError) ++failures;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 8);
  EXPECT_FALSE(f.log->health().ok());
  EXPECT_EQ(f.log->EndOffset(), Offset(5));  // nothing unsynced became visible
  f.fs.fail_sync = false;  // the disk "recovers"; the log must not trust it again
  Result<AppendResult> later = f.log->Append(Views(MakeRecords("later", 1)));
  EXPECT_EQ(later.status().code(), StatusCode::kIOError);
  EXPECT_NE(later.status().message().find("fdatasync"), std::string::npos);
  EXPECT_EQ(ReadAllData(*f.log).size(), 5u);  // reads still work
  EXPECT_FALSE(f.log->Close().ok());
}

TEST(FaultTest, FailedSyncWhileRollingEntersTheFailedState) {
  FaultFixture f;
  f.opts.segment_bytes = 4096;
  f.Open();
  ASSERT_TRUE(f.log->Append(Views(MakeRecords("a", 3, 1000))).ok());
  f.fs.fail_sync = true;
  EXPECT_EQ(f.log->Append(Views(MakeRecords("b", 1, 1000))).status().code(), StatusCode::kIOError);
  EXPECT_FALSE(f.log->health().ok());
  EXPECT_EQ(f.log->EndOffset(), Offset(3));
}

TEST(FaultTest, NoSpaceFailsOnlyThatAppendAndTheLogStaysConsistent) {
  FaultFixture f;
  ASSERT_TRUE(f.log->Append(Views(MakeRecords("a", 3, 100))).ok());
  f.fs.space_left = 150;  // the next batch (~400 bytes) is cut short
  Result<AppendResult> full = f.log->Append(Views(MakeRecords("b", 3, 100)));
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.status().message().find("No space"), std::string::npos) << full.status().ToString();
  EXPECT_TRUE(f.log->health().ok());
  f.fs.space_left = -1;
  Result<AppendResult> next = f.log->Append(Views(MakeRecords("c", 3, 100)));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->first_offset, Offset(3));  // no gap, no reuse
  f.Open();
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();  // nothing torn was left behind
  const std::vector<std::string> all = ReadAllData(*f.log);
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[3].substr(0, 4), "c-0.");
}

TEST(FaultTest, ShortWritesAreCompleted) {
  FaultFixture f;
  f.fs.max_write_chunk = 7;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(f.log->Append(Views(MakeRecords("s" + std::to_string(i), 3, 50))).ok());
  EXPECT_GT(f.fs.writes.load(), 100u);
  f.fs.max_write_chunk = 0;
  f.Open();
  EXPECT_TRUE(f.warnings.empty());
  const std::vector<std::string> all = ReadAllData(*f.log);
  ASSERT_EQ(all.size(), 30u);
  EXPECT_EQ(all[29].substr(0, 5), "s9-2.");
}

TEST(FaultTest, FailedTruncateAfterAWriteErrorEntersTheFailedState) {
  FaultFixture f;
  ASSERT_TRUE(f.log->Append(Views(MakeRecords("a", 2, 100))).ok());
  f.fs.space_left = 100;
  f.fs.fail_truncate = true;
  EXPECT_FALSE(f.log->Append(Views(MakeRecords("b", 2, 100))).ok());
  EXPECT_FALSE(f.log->health().ok());
  f.fs.space_left = -1;
  f.fs.fail_truncate = false;
  EXPECT_FALSE(f.log->Append(Views(MakeRecords("c", 1))).ok());
  EXPECT_EQ(ReadAllData(*f.log).size(), 2u);
  // Recovery cuts the partial batch the failed truncate left behind.
  f.Open();
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_NE(f.warnings[0].find("dropped 100 bytes"), std::string::npos) << f.warnings[0];
  EXPECT_EQ(ReadAllData(*f.log).size(), 2u);
  Result<AppendResult> a = f.log->Append(Views(MakeRecords("d", 1)));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first_offset, Offset(2));
}

}  // namespace
}  // namespace sluice::log
