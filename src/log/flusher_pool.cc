#include "log/flusher_pool.h"
#include "base/thread_name.h"

#include <algorithm>
#include <new>

namespace sluice::log {

struct FlusherPool::Entry {
  explicit Entry(std::function<void()> r) : run(std::move(r)) {}

  enum class State { kIdle, kQueued, kRunning };

  const std::function<void()> run;
  std::list<Entry>::iterator self;  // its place in entries_
  State state = State::kIdle;
  bool again = false;      // woken while running: run once more
  bool cancelled = false;  // never run again
  bool orphaned = false;   // released from inside its own run: the runner erases it
  std::optional<std::multimap<Clock::time_point, Entry*>::iterator> timer;
  std::thread::id runner;  // while kRunning
};

FlusherPool::FlusherPool(int threads) {
  for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { Loop(); });
}

FlusherPool::~FlusherPool() {
  {
    const MutexLock lock(mu_);
    stop_ = true;
    work_cv_.SignalAll();
  }
  for (std::thread& t : threads_) t.join();
}

FlusherPool& FlusherPool::Default() {
  // Never destroyed: a log may still be closing while static destructors run at exit,
  // and joining the threads there could hold exit up behind an fdatasync.
  alignas(FlusherPool) static unsigned char storage[sizeof(FlusherPool)];
  static FlusherPool* const pool = ::new (storage) FlusherPool(kDefaultThreads);
  return *pool;
}

std::unique_ptr<FlusherPool::Registration> FlusherPool::Register(std::function<void()> run) {
  const MutexLock lock(mu_);
  Entry& e = entries_.emplace_back(std::move(run));
  e.self = std::prev(entries_.end());
  return std::make_unique<Registration>(PrivateTag{}, *this, e);
}

void FlusherPool::WakeLocked(Entry& e) {
  if (e.cancelled) return;
  switch (e.state) {
    case Entry::State::kRunning:
      e.again = true;
      return;
    case Entry::State::kQueued:
      return;
    case Entry::State::kIdle:
      if (e.timer) {  // the run about to happen covers it
        timers_.erase(*e.timer);
        e.timer.reset();
      }
      e.state = Entry::State::kQueued;
      ready_.push_back(&e);
      work_cv_.Signal();
      return;
  }
}

void FlusherPool::WakeAt(Entry& e, Clock::time_point when) {
  const MutexLock lock(mu_);
  if (e.cancelled || e.state == Entry::State::kQueued) return;
  if (e.timer) {
    if ((*e.timer)->first <= when) return;
    timers_.erase(*e.timer);
  }
  e.timer = timers_.emplace(when, &e);
  work_cv_.Signal();  // a sleeping thread may have to wake earlier now
}

void FlusherPool::CancelLocked(Entry& e) {
  e.cancelled = true;
  if (e.timer) {
    timers_.erase(*e.timer);
    e.timer.reset();
  }
  if (e.state == Entry::State::kQueued) {
    ready_.remove(&e);
    e.state = Entry::State::kIdle;
  }
}

void FlusherPool::Cancel(Entry& e) {
  MutexLock lock(mu_);
  CancelLocked(e);
  if (e.state == Entry::State::kRunning && e.runner == std::this_thread::get_id()) return;
  while (e.state == Entry::State::kRunning) idle_cv_.Wait(mu_);
}

void FlusherPool::Release(Entry& e) {
  MutexLock lock(mu_);
  CancelLocked(e);
  if (e.state == Entry::State::kRunning && e.runner == std::this_thread::get_id()) {
    e.orphaned = true;
    return;
  }
  while (e.state == Entry::State::kRunning) idle_cv_.Wait(mu_);
  entries_.erase(e.self);
}

void FlusherPool::Loop() {
  NameThisThread("log-sync");
  MutexLock lock(mu_);
  while (true) {
    const Clock::time_point now = Clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      Entry& due = *timers_.begin()->second;
      timers_.erase(timers_.begin());
      due.timer.reset();
      WakeLocked(due);
    }
    if (!ready_.empty()) {
      Entry& e = *ready_.front();
      ready_.pop_front();
      e.state = Entry::State::kRunning;
      e.again = false;
      e.runner = std::this_thread::get_id();
      lock.Unlock();
      e.run();
      lock.Lock();
      e.runner = std::thread::id();
      e.state = Entry::State::kIdle;
      if (e.orphaned) {
        entries_.erase(e.self);
      } else if (e.again) {
        WakeLocked(e);
      }
      idle_cv_.SignalAll();
      continue;
    }
    if (stop_) return;
    if (timers_.empty()) {
      work_cv_.Wait(mu_);
    } else {
      work_cv_.WaitUntil(mu_, timers_.begin()->first);
    }
  }
}

FlusherPool::Registration::~Registration() { pool_.Release(entry_); }

void FlusherPool::Registration::Wake() {
  const MutexLock lock(pool_.mu_);
  pool_.WakeLocked(entry_);
}

void FlusherPool::Registration::WakeAt(Clock::time_point when) { pool_.WakeAt(entry_, when); }

void FlusherPool::Registration::Cancel() { pool_.Cancel(entry_); }

}  // namespace sluice::log
