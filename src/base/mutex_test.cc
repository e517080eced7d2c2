// The annotated lock wrappers keep std::mutex / std::shared_mutex semantics.
#include "base/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace sluice {
namespace {

// From another thread, so that a lock held here is really contended.
bool TryLockElsewhere(Mutex& mu) {
  bool got = false;
  std::thread([&] {
    if (mu.TryLock()) {
      got = true;
      mu.Unlock();
    }
  }).join();
  return got;
}

TEST(Mutex, MutexLockHoldsForItsScopeAndAnEarlyUnlockIsNotRepeated) {
  Mutex mu;
  {
    MutexLock lock(mu);
    EXPECT_FALSE(TryLockElsewhere(mu));
    lock.Unlock();
    EXPECT_TRUE(TryLockElsewhere(mu));
    lock.Lock();
    EXPECT_FALSE(TryLockElsewhere(mu));
  }
  EXPECT_TRUE(TryLockElsewhere(mu));
  {
    MutexLock lock(mu);
    lock.Unlock();
  }  // the destructor must not unlock a second time
  EXPECT_TRUE(TryLockElsewhere(mu));
}

TEST(SharedMutex, ReadersShareAndExcludeWriters) {
  SharedMutex mu;
  const auto probe = [&mu](bool shared) {
    bool got = false;
    std::thread([&] {
      if (shared) {
        if (mu.TryLockShared()) {
          got = true;
          mu.UnlockShared();
        }
      } else if (mu.TryLock()) {
        got = true;
        mu.Unlock();
      }
    }).join();
    return got;
  };
  {
    ReaderLock r(mu);
    EXPECT_TRUE(probe(true));
    EXPECT_FALSE(probe(false));
  }
  {
    WriterLock w(mu);
    EXPECT_FALSE(probe(true));
    EXPECT_FALSE(probe(false));
    w.Unlock();
    EXPECT_TRUE(probe(false));
  }
  EXPECT_TRUE(probe(false));
}

TEST(CondVar, WaiterWakesWhenTheConditionIsSignalled) {
  Mutex mu;
  CondVar cv;
  bool ready = false;
  bool seen = false;
  std::thread waiter([&] {
    MutexLock lock(mu);
    while (!ready) cv.Wait(mu);
    seen = true;
  });
  {
    MutexLock lock(mu);
    ready = true;
    cv.SignalAll();
  }
  waiter.join();
  EXPECT_TRUE(seen);
}

TEST(CondVar, WaitUntilGivesUpAtTheDeadline) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(5);
  while (cv.WaitUntil(mu, deadline)) {
  }  // true only for a spurious wakeup: nobody signals
  EXPECT_GE(std::chrono::steady_clock::now(), deadline);
}

}  // namespace
}  // namespace sluice
