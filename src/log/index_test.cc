#include "log/index.h"

#include <gtest/gtest.h>

namespace sluice::log {
namespace {

TEST(SparseIndexTest, EntriesAreSpacedByTheInterval) {
  SparseIndex idx(100);
  for (uint64_t i = 0; i < 10; ++i) idx.OnBatch(Offset(i), FilePosition(i * 40), 0);
  // Batches at 0, 40, 80, 120, ...: entries at the first batch at or past each 100 bytes.
  ASSERT_EQ(idx.entries().size(), 4u);
  EXPECT_EQ(idx.entries()[0].position, FilePosition(0));
  EXPECT_EQ(idx.entries()[1].position, FilePosition(120));
  EXPECT_EQ(idx.entries()[2].position, FilePosition(240));
  EXPECT_EQ(idx.entries()[3].position, FilePosition(360));
}

TEST(SparseIndexTest, OffsetLookupFindsTheLastEntryAtOrBefore) {
  SparseIndex idx(1);
  idx.OnBatch(Offset(10), FilePosition(0), 0);
  idx.OnBatch(Offset(20), FilePosition(500), 0);
  idx.OnBatch(Offset(30), FilePosition(900), 0);
  EXPECT_EQ(idx.LookupOffset(Offset(10)).position, FilePosition(0));
  EXPECT_EQ(idx.LookupOffset(Offset(25)).position, FilePosition(500));
  EXPECT_EQ(idx.LookupOffset(Offset(30)).position, FilePosition(900));
  EXPECT_EQ(idx.LookupOffset(Offset(99)).position, FilePosition(900));
  EXPECT_EQ(idx.LookupOffset(Offset(5)).position, FilePosition(0));
}

TEST(SparseIndexTest, TimeLookupNeverSkipsARecordDespiteClockWobble) {
  SparseIndex idx(1);
  // Batch max arrivals go 100, 300, 200 (a producer clock stepped back), 400.
  idx.OnBatch(Offset(0), FilePosition(0), 100);
  idx.OnBatch(Offset(1), FilePosition(10), 300);
  idx.OnBatch(Offset(2), FilePosition(20), 200);
  idx.OnBatch(Offset(3), FilePosition(30), 400);
  // t = 250: batch 1 (300) is the first that can hold it; batch 2 must not be chosen
  // even though its own time (200) is below 250.
  EXPECT_EQ(idx.LookupTime(250).position, FilePosition(10));
  EXPECT_EQ(idx.LookupTime(50).position, FilePosition(0));
  EXPECT_EQ(idx.LookupTime(350).position, FilePosition(30));
  EXPECT_EQ(idx.max_arrival(), 400);
}

}  // namespace
}  // namespace sluice::log
