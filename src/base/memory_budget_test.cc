#include "base/memory_budget.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(MemoryBudget, RefusesPastTheLimitAndReleasesOnDestruction) {
  MemoryBudget budget(100);
  auto a = budget.TryReserve(60);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(budget.used(), 60u);
  EXPECT_FALSE(budget.TryReserve(41).has_value());
  EXPECT_EQ(budget.used(), 60u);
  {
    auto b = budget.TryReserve(40);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(budget.used(), 100u);
    EXPECT_FALSE(budget.TryReserve(1).has_value());
  }
  EXPECT_EQ(budget.used(), 60u);
  a.reset();
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryBudget, HugeRequestDoesNotWrapAround) {
  MemoryBudget budget(100);
  auto a = budget.TryReserve(10);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(budget.TryReserve(UINT64_MAX).has_value());
  EXPECT_FALSE(budget.TryReserve(UINT64_MAX - 5).has_value());
  EXPECT_EQ(budget.used(), 10u);
}

TEST(MemoryBudget, GrowShrinkAndMove) {
  MemoryBudget budget(100);
  auto r = budget.TryReserve(0);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->Grow(70));
  EXPECT_FALSE(r->Grow(31));
  EXPECT_EQ(r->bytes(), 70u);
  r->Shrink(20);
  EXPECT_EQ(budget.used(), 50u);
  MemoryBudget::Reservation moved = std::move(*r);
  EXPECT_EQ(r->bytes(), 0u);
  EXPECT_FALSE(r->Grow(1));  // moved-from holds no budget
  EXPECT_EQ(moved.bytes(), 50u);
  r.reset();
  EXPECT_EQ(budget.used(), 50u);
  moved.Release();
  EXPECT_EQ(budget.used(), 0u);
  moved.Shrink(5);  // harmless on an empty reservation
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryBudget, ZeroLimitIsUnlimitedButCounts) {
  MemoryBudget budget(0);
  auto r = budget.TryReserve(uint64_t{1} << 40);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(budget.used(), uint64_t{1} << 40);
}

TEST(MemoryBudget, ConcurrentReservationsNeverPassTheLimit) {
  MemoryBudget budget(1000);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  std::vector<std::optional<MemoryBudget::Reservation>> held(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      held[t] = budget.TryReserve(300);
      if (held[t].has_value()) granted.fetch_add(1);
    });
  }
  for (auto& th : threads) th.join();
  // However the threads interleave, exactly three 300-byte reservations fit in 1000.
  EXPECT_EQ(granted.load(), 3);
  EXPECT_EQ(budget.used(), 900u);
}

}  // namespace
}  // namespace sluice
