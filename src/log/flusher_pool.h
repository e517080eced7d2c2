// FlusherPool: a fixed set of threads that run the logs' flush rounds (fdatasync, then
// the acknowledgements it allows), so a process with thousands of shard logs has a
// handful of flusher threads instead of one per log. Each log registers one task and
// wakes it when it has something to make durable; a woken task runs once on some pool
// thread, and a wake that arrives while it runs makes it run once more afterwards, so
// every append written during one fdatasync shares the next (group commit).
//
// Threading: thread-safe. A task never runs concurrently with itself; different tasks
// run in parallel, up to the thread count. A task that blocks (a stuck disk) holds its
// thread: with N threads, N stuck syncs delay every other log on the pool.
//
// Lifetime: every Registration must be destroyed before its pool. Default() lives for
// the whole process and is never destroyed.
#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "base/mutex.h"

namespace sluice::log {

class FlusherPool {
 public:
  // Syncs spend their time waiting for the device, not on a core, so a few more
  // threads than cores keep independent logs' syncs in flight together; past that,
  // one device gains little from more parallel fdatasyncs.
  static constexpr int kDefaultThreads = 4;

  explicit FlusherPool(int threads = kDefaultThreads);
  ~FlusherPool();
  FlusherPool(const FlusherPool&) = delete;
  FlusherPool& operator=(const FlusherPool&) = delete;

  // The process-wide pool that logs use unless LogOptions names another.
  static FlusherPool& Default();

  using Clock = std::chrono::steady_clock;

  class Registration;
  // `run` is called on a pool thread each time the registration is woken (see above).
  std::unique_ptr<Registration> Register(std::function<void()> run) EXCLUDES(mu_);

  int thread_count() const { return static_cast<int>(threads_.size()); }

 private:
  struct Entry;
  struct PrivateTag {};  // keeps Registration's construction inside the pool
  void Loop() EXCLUDES(mu_);
  void WakeLocked(Entry& e) REQUIRES(mu_);
  void WakeAt(Entry& e, Clock::time_point when) EXCLUDES(mu_);
  void Cancel(Entry& e) EXCLUDES(mu_);
  void Release(Entry& e) EXCLUDES(mu_);
  void CancelLocked(Entry& e) REQUIRES(mu_);

  Mutex mu_;
  CondVar work_cv_;  // a task became ready, or the earliest timer changed
  CondVar idle_cv_;  // a run finished
  // Fields of an Entry are guarded by mu_ too (the analysis cannot follow them).
  std::list<Entry> entries_ GUARDED_BY(mu_);
  std::list<Entry*> ready_ GUARDED_BY(mu_);  // FIFO: logs take turns
  std::multimap<Clock::time_point, Entry*> timers_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// One task on a pool. Destroying it cancels it.
class FlusherPool::Registration {
 public:
  ~Registration();
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  // Runs the task soon; if it is running now, once more when that run ends.
  void Wake();
  // Runs the task at `when` at the latest (a run before then also counts).
  void WakeAt(Clock::time_point when);
  // From the return on, the task never runs again. Waits for a run in progress on
  // another thread; called from inside the task's own run, it returns at once.
  // Idempotent; wakes after it are ignored. Thread-safe, like Wake and WakeAt.
  void Cancel();

  Registration(PrivateTag, FlusherPool& pool, Entry& entry) : pool_(pool), entry_(entry) {}

 private:
  FlusherPool& pool_;
  Entry& entry_;
};

}  // namespace sluice::log
