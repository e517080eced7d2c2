// The store's hot-path handles.
//
// CounterImpl: Add is a fetch_add on the sum and one on the sample count, plus a
// relaxed load of the minimum and maximum (a compare-exchange only when the sample is
// a new extreme). Drain swaps the fields out one at a time, so a sample racing a fold
// may have its sum land a second before its count; totals are never lost.
// DistributionImpl: a short lock around count/sum/min/max and a fixed bucket array
// (no allocation after construction).
#pragma once

#include <atomic>
#include <cmath>
#include <limits>

#include "base/mutex.h"
#include "aggregate.h"
#include "metrics/metrics.h"

namespace sluice::metrics::internal {

struct HandleInfo {
  MetricId id;
  Unit unit = Unit::kNone;
  bool high_resolution = false;
};

class CounterImpl final : public Counter {
 public:
  explicit CounterImpl(HandleInfo info) : info_(std::move(info)) {}
  const HandleInfo& info() const { return info_; }

  // The sum goes before the count, and the count is released: a fold that takes a
  // sample's count has its sum too (it may take a sum a fold early, never late).
  void DoAdd(double value) override {
    sum_.fetch_add(value, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_release);
    double lo = min_.load(std::memory_order_relaxed);
    while (value < lo && !min_.compare_exchange_weak(lo, value, std::memory_order_relaxed)) {
    }
    double hi = max_.load(std::memory_order_relaxed);
    while (value > hi && !max_.compare_exchange_weak(hi, value, std::memory_order_relaxed)) {
    }
  }
  // What was added since the last drain (reset) or now (peek); empty if nothing.
  Aggregate Take(bool reset) {
    Aggregate a;
    a.has_histogram = false;
    if (!reset) {
      const uint64_t n = count_.load(std::memory_order_acquire);
      if (n == 0) return a;
      const double sum = sum_.load(std::memory_order_relaxed);
      const double mean = sum / static_cast<double>(n);
      a.stats = StatisticSet{static_cast<double>(n), sum, Finite(min_.load(std::memory_order_relaxed), mean),
                             Finite(max_.load(std::memory_order_relaxed), mean)};
      return a;
    }
    const uint64_t n = count_.exchange(0, std::memory_order_acq_rel);
    const double sum = sum_.exchange(0, std::memory_order_relaxed);
    if (n == 0) {
      // Only sums of samples whose counts are still to come: leave them for that fold.
      if (sum != 0) sum_.fetch_add(sum, std::memory_order_relaxed);
      return a;
    }
    const double lo = min_.exchange(kInf, std::memory_order_relaxed);
    const double hi = max_.exchange(-kInf, std::memory_order_relaxed);
    const double mean = sum / static_cast<double>(n);
    a.stats = StatisticSet{static_cast<double>(n), sum, Finite(lo, mean), Finite(hi, mean)};
    return a;
  }

 private:
  // A racing fold may have reset an extreme after the sample's count was taken: the
  // mean stands in for it (it lies between the true extremes).
  static double Finite(double extreme, double fallback) { return std::isinf(extreme) ? fallback : extreme; }
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  const HandleInfo info_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
  std::atomic<double> min_{kInf};
  std::atomic<double> max_{-kInf};
};

class DistributionImpl final : public Distribution {
 public:
  explicit DistributionImpl(HandleInfo info) : info_(std::move(info)) {}
  const HandleInfo& info() const { return info_; }

  void DoRecord(double value) override {
    MutexLock lock(mu_);
    if (count_ == 0) {
      min_ = max_ = value;
    } else {
      min_ = std::min(min_, value);
      max_ = std::max(max_, value);
    }
    ++count_;
    sum_ += value;
    buckets_.Add(value);
  }
  Aggregate Take(bool reset) {
    Aggregate a;
    MutexLock lock(mu_);
    if (count_ == 0) return a;
    a.stats = StatisticSet{static_cast<double>(count_), sum_, min_, max_};
    buckets_.DrainInto(a.histogram, reset);
    if (reset) {
      count_ = 0;
      sum_ = 0;
    }
    return a;
  }

 private:
  const HandleInfo info_;
  Mutex mu_;
  uint64_t count_ GUARDED_BY(mu_) = 0;
  double sum_ GUARDED_BY(mu_) = 0;
  double min_ GUARDED_BY(mu_) = 0;
  double max_ GUARDED_BY(mu_) = 0;
  DenseBuckets buckets_ GUARDED_BY(mu_);
};

}  // namespace sluice::metrics::internal
