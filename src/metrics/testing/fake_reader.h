// FakeReader: a MetricReader for tests that answers from datapoints the test sets per
// (series, period start), whatever the statistic asked (the alarm and metric-math
// tests check evaluation, not the statistics themselves). Thread-safe.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "metrics/metrics.h"

namespace sluice::metrics::testing {

class FakeReader final : public MetricReader {
 public:
  void Set(const MetricId& id, int64_t timestamp_ms, double value) {
    std::lock_guard lock(mu_);
    points_[id][timestamp_ms] = value;
  }
  Result<std::vector<StatisticsPoint>> Statistics(const StatisticsQuery& q) const override {
    std::lock_guard lock(mu_);
    std::vector<StatisticsPoint> out;
    auto it = points_.find(q.id);
    if (it == points_.end()) return out;
    for (const auto& [t, v] : it->second) {
      if (t < q.start_ms || t >= q.end_ms) continue;
      out.push_back({t, Unit::kNone, std::vector<double>(std::max<size_t>(1, q.statistics.size()), v)});
    }
    return out;
  }
  std::vector<MetricId> List(const ListFilter&) const override {
    std::lock_guard lock(mu_);
    std::vector<MetricId> out;
    for (const auto& [id, p] : points_) out.push_back(id);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<MetricId, std::map<int64_t, double>> points_;
};

}  // namespace sluice::metrics::testing
