// The store's hot-path handles.
//
// CounterImpl: Add is a relaxed fetch_add on the sample count and one on the sum, plus
// a relaxed load of the minimum and maximum (a compare-exchange only when the sample is
// a new extreme). Drain swaps the fields out one at a time, so a sample racing a fold
// may have its count and its sum land in adjacent seconds; totals are never lost.
// DistributionImpl: a short lock around count/sum/min/max and a fixed bucket array
// (no allocation after construction).
#pragma once

#include <atomic>
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

  void Add(double value) override {
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
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
    const uint64_t n = reset ? count_.exchange(0, std::memory_order_relaxed)
                             : count_.load(std::memory_order_relaxed);
    const double sum = reset ? sum_.exchange(0, std::memory_order_relaxed)
                             : sum_.load(std::memory_order_relaxed);
    const double lo = reset ? min_.exchange(kInf, std::memory_order_relaxed)
                            : min_.load(std::memory_order_relaxed);
    const double hi = reset ? max_.exchange(-kInf, std::memory_order_relaxed)
                            : max_.load(std::memory_order_relaxed);
    if (n == 0) return a;
    a.stats = StatisticSet{static_cast<double>(n), sum, lo == kInf ? sum : lo,
                           hi == -kInf ? sum : hi};
    return a;
  }

 private:
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

  void Record(double value) override {
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
