// Log-bucketed histograms: percentiles with a relative error of at most 1 %.
//
// A positive value v falls in bucket i = ceil(log(v) / log(kGamma)), the interval
// (kGamma^(i-1), kGamma^i]; the bucket answers 2 * kGamma^i / (kGamma + 1), which is
// within (kGamma - 1) / (kGamma + 1) < 1 % of every value in it. Negative values use
// the same buckets on their magnitude; zero (and magnitudes below kMinMagnitude) is a
// bucket of its own. Counts are doubles because PutMetricData sends fractional counts.
//
// Histogram is the sparse form kept per datapoint and merged across periods;
// DenseBuckets is the fixed array a Distribution handle records into without
// allocating. Neither is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace sluice::metrics::internal {

inline constexpr double kGamma = 1.02;
inline constexpr double kMinMagnitude = 1e-9;

// The bucket of a magnitude > kMinMagnitude, and the value a bucket answers.
int32_t BucketIndex(double magnitude);
double BucketValue(int32_t index);

class Histogram {
 public:
  using Buckets = std::vector<std::pair<int32_t, double>>;  // sorted by index

  void Add(double value, double count = 1);
  void Merge(const Histogram& other);
  bool empty() const { return positive_.empty() && negative_.empty() && zero_ == 0; }
  double TotalCount() const;
  // The p-th percentile (0..100) of the recorded values, clamped to [lo, hi] (the exact
  // minimum and maximum kept beside the histogram). nullopt when empty.
  std::optional<double> Percentile(double p, double lo, double hi) const;

  // For the on-disk format (point_file.h).
  const Buckets& positive() const { return positive_; }
  const Buckets& negative() const { return negative_; }
  double zero() const { return zero_; }
  static Histogram FromParts(Buckets positive, Buckets negative, double zero);

 private:
  static void AddTo(Buckets& buckets, int32_t index, double count);
  static void MergeInto(Buckets& into, const Buckets& from);

  Buckets positive_;
  Buckets negative_;  // by magnitude
  double zero_ = 0;
};

// Counts for values in [kDenseLow, kDenseHigh]; values outside land in the edge
// buckets (their exact extremes are kept by the caller as min/max). Negative values
// count as zero: handles record sizes, latencies and ages.
class DenseBuckets {
 public:
  static constexpr double kDenseLow = 1e-6;
  static constexpr double kDenseHigh = 1e13;

  DenseBuckets();
  void Add(double value);
  bool empty() const { return lo_ > hi_ && zero_ == 0; }
  // Adds the counts into `into` and, when `reset`, empties this.
  void DrainInto(Histogram& into, bool reset);

 private:
  static constexpr int kSize = 2300;
  int32_t base_;  // BucketIndex(kDenseLow)
  std::array<uint32_t, kSize> counts_{};
  uint32_t zero_ = 0;
  int lo_ = kSize;  // touched range, to drain without scanning every bucket
  int hi_ = -1;
};

}  // namespace sluice::metrics::internal
