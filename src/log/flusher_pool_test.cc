// The flusher pool: tasks run on a few shared threads, never concurrently with
// themselves, a wake during a run causes exactly one more run, and thousands of logs
// need no more threads than the pool has.
#include "log/flusher_pool.h"

#include <dirent.h>
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "base/mutex.h"
#include "log/log.h"
#include "log/testing/test_util.h"

namespace sluice::log {
namespace {

using testing::MakeRecords;
using testing::ScratchDir;
using testing::TestOptions;
using testing::Views;

// Threads of this process, as the kernel counts them.
int ThreadCount() {
  DIR* d = ::opendir("/proc/self/task");
  if (d == nullptr) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
  ::closedir(d);
  return n;
}

// A task body that counts its runs and can be held inside a run.
class HeldTask {
 public:
  void Run() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    ++started_;
    cv_.SignalAll();
    while (hold_) cv_.Wait(mu_);
    ++finished_;
    cv_.SignalAll();
  }
  void Hold() EXCLUDES(mu_) {
    const MutexLock lock(mu_);
    hold_ = true;
  }
  void Release() EXCLUDES(mu_) {
    const MutexLock lock(mu_);
    hold_ = false;
    cv_.SignalAll();
  }
  void AwaitStarted(int n) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (started_ < n) cv_.Wait(mu_);
  }
  void AwaitFinished(int n) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (finished_ < n) cv_.Wait(mu_);
  }
  int finished() EXCLUDES(mu_) {
    const MutexLock lock(mu_);
    return finished_;
  }

 private:
  Mutex mu_;
  CondVar cv_;
  bool hold_ GUARDED_BY(mu_) = false;
  int started_ GUARDED_BY(mu_) = 0;
  int finished_ GUARDED_BY(mu_) = 0;
};

TEST(FlusherPoolTest, WakesDuringARunCauseExactlyOneMoreRun) {
  FlusherPool pool(2);
  HeldTask task;
  auto reg = pool.Register([&task] { task.Run(); });
  task.Hold();
  reg->Wake();
  task.AwaitStarted(1);
  // Running and held: three wakes now fold into one more run, never a parallel one
  // (the second pool thread is idle and would take it if it could).
  reg->Wake();
  reg->Wake();
  reg->Wake();
  task.Release();
  task.AwaitFinished(2);
  reg->Cancel();  // waits for a run in progress, if the pool started a third
  EXPECT_EQ(task.finished(), 2);
}

TEST(FlusherPoolTest, ABlockedTaskLeavesTheOtherThreadsToOtherTasks) {
  FlusherPool pool(2);
  HeldTask stuck;
  HeldTask other;
  auto a = pool.Register([&stuck] { stuck.Run(); });
  auto b = pool.Register([&other] { other.Run(); });
  stuck.Hold();
  a->Wake();
  stuck.AwaitStarted(1);
  b->Wake();
  other.AwaitFinished(1);
  stuck.Release();
  stuck.AwaitFinished(1);
}

TEST(FlusherPoolTest, CancelWaitsForTheRunInProgressAndLaterWakesAreIgnored) {
  FlusherPool pool(1);
  HeldTask task;
  auto reg = pool.Register([&task] { task.Run(); });
  task.Hold();
  reg->Wake();
  task.AwaitStarted(1);
  std::future<void> cancelled = std::async(std::launch::async, [&reg] { reg->Cancel(); });
  task.Release();
  cancelled.get();
  EXPECT_EQ(task.finished(), 1);  // Cancel returned only after the run ended
  reg->Wake();
  reg->WakeAt(FlusherPool::Clock::now());
  // The single pool thread runs another task only after it would have run this one.
  std::promise<void> ran;
  auto other = pool.Register([&ran] { ran.set_value(); });
  other->Wake();
  ran.get_future().get();
  EXPECT_EQ(task.finished(), 1);
}

TEST(FlusherPoolTest, ATimedWakeRunsTheTaskWithoutAnyOtherWake) {
  FlusherPool pool(1);
  std::promise<void> ran;
  auto reg = pool.Register([&ran] { ran.set_value(); });
  reg->WakeAt(FlusherPool::Clock::now() + std::chrono::milliseconds(1));
  ran.get_future().get();
}

TEST(FlusherPoolTest, ATaskMayReleaseItsOwnRegistrationWhileRunning) {
  FlusherPool pool(1);
  std::unique_ptr<FlusherPool::Registration> reg;
  std::promise<void> done;
  reg = pool.Register([&reg, &done] {
    reg.reset();  // returns at once instead of waiting for itself
    done.set_value();
  });
  reg->Wake();
  done.get_future().get();
}

TEST(FlusherPoolTest, TwoThousandLogsShareTheDefaultPoolsThreads) {
  constexpr int kLogs = 2000;
  // Each open log holds two descriptors (its active segment, written and read).
  rlimit lim{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
  const rlim_t need = 2 * kLogs + 256;
  if (lim.rlim_cur < need) {
    if (lim.rlim_max < need) GTEST_SKIP() << "needs " << need << " open files, the hard limit is " << lim.rlim_max;
    lim.rlim_cur = need;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lim), 0);
  }
  const int before = ThreadCount();
  ScratchDir dir;
  std::vector<std::unique_ptr<Log>> logs;
  for (int i = 0; i < kLogs; ++i) {
    Result<std::unique_ptr<Log>> log = Log::Open(TestOptions(dir.File(std::to_string(i))));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    logs.push_back(std::move(log).value());
  }
  // Every log has an append waiting for its fdatasync (fsync=always) at once.
  const std::vector<testing::OwnedRecord> in = MakeRecords("x", 1);
  Mutex mu;
  CondVar cv;
  int acked = 0;
  int failed = 0;
  for (const std::unique_ptr<Log>& log : logs) {
    log->AppendAsync(Views(in), [&](Result<AppendResult> r) {
      const MutexLock lock(mu);
      ++(r.ok() ? acked : failed);
      cv.SignalAll();
    });
  }
  const int during = ThreadCount();
  {
    MutexLock lock(mu);
    while (acked + failed < kLogs) cv.Wait(mu);
    EXPECT_EQ(failed, 0);
  }
  EXPECT_LT(during, 50) << "threads before the logs: " << before;
  // The pool's threads, and at most a couple the runtime may start on its own (a
  // sanitizer's background thread): 2,000 logs, not 2,000 threads.
  constexpr int kRuntimeThreads = 2;
  EXPECT_LE(during - before, FlusherPool::kDefaultThreads + kRuntimeThreads);
  for (const std::unique_ptr<Log>& log : logs) {
    EXPECT_EQ(log->EndOffset(), Offset(1));
    EXPECT_TRUE(log->Close().ok());
  }
  EXPECT_LT(ThreadCount(), 50);
}

}  // namespace
}  // namespace sluice::log
