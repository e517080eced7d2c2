// CloudWatch's actions over the metrics module: each reads the protocol-neutral request
// tree (wire.h) and answers a tree, or CloudWatch's error.
#pragma once

#include <optional>
#include <string_view>

#include "base/clock.h"
#include "internal/wire.h"
#include "metrics/alarms.h"
#include "metrics/metrics.h"

namespace sluice::frontends::cloudwatch {

struct Deps {
  metrics::Registry& registry;
  const metrics::MetricReader& reader;
  metrics::AlarmManager& alarms;
  Clock& clock;
};

struct ActionOutput {
  Out result;
  bool with_result = true;  // false: the Query answer has no <ActionResult>
};

// nullopt when `action` is not a CloudWatch action sluice serves.
std::optional<metrics::CwResult<ActionOutput>> RunAction(const Deps& deps, std::string_view action, const In& req);

// CloudWatch's limits (docs/security.md, CloudWatch section).
inline constexpr size_t kMaxDatums = 1000;
inline constexpr size_t kMaxValuesPerDatum = 150;
inline constexpr size_t kMaxStatistics = 5;
inline constexpr size_t kMaxExtendedStatistics = 10;
inline constexpr int64_t kMaxStatisticsDatapoints = 1440;
inline constexpr size_t kListMetricsPage = 500;
inline constexpr int64_t kMaxGetMetricDataDatapoints = 100'800;
inline constexpr int64_t kPastLimitMs = 14LL * 24 * 3600 * 1000;  // PutMetricData: two weeks back
inline constexpr int64_t kFutureLimitMs = 2LL * 3600 * 1000;       // and two hours ahead

}  // namespace sluice::frontends::cloudwatch
