#include "base/thread_priority.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace sluice {
namespace {

// Each case runs in a thread of its own: a lowered priority cannot be raised again
// without privilege, and the test runner's thread must keep its own.

// A nice value above the runner's own (the suite may itself run niced).
int Above(int runner, int wanted) { return std::min(19, std::max(wanted, runner + 1)); }

TEST(ThreadPriority, LowersOnlyTheCallingThreadAndThreadsItStartsInherit) {
  const int runner = ThisThreadNice();
  if (runner >= 19) GTEST_SKIP() << "the test runner already runs at the lowest priority";
  const int target = Above(runner, 7);
  int lowered = -100;
  int child = -100;
  std::thread t([&] {
    ASSERT_TRUE(LowerThisThreadPriority(target).ok());
    lowered = ThisThreadNice();
    std::thread([&] { child = ThisThreadNice(); }).join();
  });
  t.join();
  EXPECT_EQ(lowered, target);
  EXPECT_EQ(child, target);
  EXPECT_EQ(ThisThreadNice(), runner);
}

TEST(ThreadPriority, NeverRaisesAPriorityAlreadyLower) {
  const int runner = ThisThreadNice();
  if (runner >= 18) GTEST_SKIP() << "the test runner already runs at nice " << runner;
  const int low = Above(runner, 12);
  int after = -100;
  std::thread([&] {
    ASSERT_TRUE(LowerThisThreadPriority(low).ok());
    ASSERT_TRUE(LowerThisThreadPriority(low - 1).ok());
    after = ThisThreadNice();
  }).join();
  EXPECT_EQ(after, low);
}

TEST(ThreadPriority, RefusesAValueOutsideTheRange) {
  std::thread([] {
    const int before = ThisThreadNice();
    const Status high = LowerThisThreadPriority(20);
    EXPECT_EQ(high.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(high.message(), "nice value 20 is outside 0..19");
    const Status negative = LowerThisThreadPriority(-1);
    EXPECT_EQ(negative.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(negative.message(), "nice value -1 is outside 0..19");
    EXPECT_EQ(ThisThreadNice(), before);
  }).join();
}

}  // namespace
}  // namespace sluice
