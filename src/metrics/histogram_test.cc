#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "histogram.h"

namespace sluice::metrics::internal {
namespace {

// The exact p-th percentile as the histogram defines it: the smallest value whose
// cumulative count reaches p % of the samples.
double Exact(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * v.size()));
  return v[std::max<size_t>(rank, 1) - 1];
}

TEST(Histogram, PercentilesOfOneToThousandAreWithinOnePercent) {
  Histogram h;
  std::vector<double> values;
  for (int i = 1; i <= 1000; ++i) {
    h.Add(i);
    values.push_back(i);
  }
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9}) {
    const double exact = Exact(values, p);
    EXPECT_NEAR(*h.Percentile(p, 1, 1000), exact, exact * 0.01) << "p" << p;
  }
  EXPECT_EQ(*h.Percentile(0, 1, 1000), 1);
  EXPECT_EQ(*h.Percentile(100, 1, 1000), 1000);
}

TEST(Histogram, RelativeErrorStaysUnderOnePercentOverManyMagnitudes) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(2.0, 3.0);
  Histogram h;
  std::vector<double> values;
  for (int i = 0; i < 20000; ++i) {
    const double v = dist(rng);
    h.Add(v);
    values.push_back(v);
  }
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  for (double p = 1; p < 100; p += 1.5) {
    const double exact = Exact(values, p);
    EXPECT_NEAR(*h.Percentile(p, *lo, *hi), exact, exact * 0.01) << "p" << p;
  }
}

TEST(Histogram, NegativeZeroAndWeightedValuesOrderCorrectly) {
  Histogram h;
  h.Add(-50, 1);
  h.Add(0, 2);
  h.Add(10, 7);  // a weight of 7, as Values with Counts sends it
  EXPECT_EQ(h.TotalCount(), 10);
  EXPECT_NEAR(*h.Percentile(10, -50, 10), -50, 0.5);
  EXPECT_EQ(*h.Percentile(25, -50, 10), 0);
  EXPECT_NEAR(*h.Percentile(50, -50, 10), 10, 0.1);
}

TEST(Histogram, NonFiniteValuesAreNotBucketed) {
  Histogram h;
  h.Add(std::numeric_limits<double>::infinity());
  h.Add(std::numeric_limits<double>::quiet_NaN());
  h.Add(1e308);
  EXPECT_EQ(h.TotalCount(), 1);
  EXPECT_NEAR(*h.Percentile(50, 1e308, 1e308), 1e308, 1e306);
}

TEST(Histogram, MergeEqualsAddingEverythingToOne) {
  Histogram a, b, all;
  for (int i = 1; i <= 100; ++i) {
    (i % 2 ? a : b).Add(i * 3.7);
    all.Add(i * 3.7);
  }
  a.Merge(b);
  EXPECT_EQ(a.positive(), all.positive());
}

TEST(DenseBuckets, DrainMatchesTheSparseHistogramAndResets) {
  DenseBuckets dense;
  Histogram sparse;
  for (double v : {0.0, 0.5, 1.0, 2.5, 1000.0, 1e9}) {
    dense.Add(v);
    sparse.Add(v);
  }
  Histogram drained;
  dense.DrainInto(drained, /*reset=*/true);
  EXPECT_EQ(drained.positive(), sparse.positive());
  EXPECT_EQ(drained.zero(), 1);
  EXPECT_TRUE(dense.empty());
}

}  // namespace
}  // namespace sluice::metrics::internal
