// Aggregate: what the store keeps per series, unit and period (a datapoint): the
// statistic set CloudWatch keeps and, when every sample behind it was a value (not a
// statistic set, not a counter), the histogram its percentiles come from.
#pragma once

#include <algorithm>
#include <limits>

#include "histogram.h"
#include "metrics/metrics.h"

namespace sluice::metrics::internal {

struct Aggregate {
  StatisticSet stats;
  Histogram histogram;
  // False once anything without a histogram (a counter's samples, a statistic set)
  // was merged in: percentiles are then not offered, as CloudWatch offers none.
  bool has_histogram = true;

  bool empty() const { return stats.sample_count <= 0; }

  void MergeStats(const StatisticSet& s) {
    if (s.sample_count <= 0) return;
    if (empty()) {
      stats = s;
      return;
    }
    stats.sample_count += s.sample_count;
    stats.sum += s.sum;
    stats.minimum = std::min(stats.minimum, s.minimum);
    stats.maximum = std::max(stats.maximum, s.maximum);
  }
  void Merge(const Aggregate& other) {
    if (other.empty()) return;
    has_histogram = has_histogram && other.has_histogram;
    MergeStats(other.stats);
    if (has_histogram) {
      histogram.Merge(other.histogram);
    } else {
      histogram = Histogram();
    }
  }
  // One value `count` times (PutMetricData's Value, or Values with Counts).
  void AddValue(double value, double count) {
    MergeStats(StatisticSet{count, value * count, value, value});
    if (has_histogram) histogram.Add(value, count);
  }
  // The statistic the query asks for; NaN for a percentile without a histogram.
  double Compute(const Statistic& s) const {
    switch (s.kind) {
      case Statistic::kSampleCount: return stats.sample_count;
      case Statistic::kSum: return stats.sum;
      case Statistic::kAverage: return stats.sum / stats.sample_count;
      case Statistic::kMinimum: return stats.minimum;
      case Statistic::kMaximum: return stats.maximum;
      case Statistic::kPercentile: break;
    }
    if (!has_histogram) return std::numeric_limits<double>::quiet_NaN();
    return histogram.Percentile(s.percentile, stats.minimum, stats.maximum)
        .value_or(std::numeric_limits<double>::quiet_NaN());
  }
};

}  // namespace sluice::metrics::internal
