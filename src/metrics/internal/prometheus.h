// The Prometheus text exposition (format 0.0.4) of the store's totals.
//
// A series (namespace, name, dimensions) becomes sluice_<namespace>_<name> in snake
// case ("AWS/Kinesis", "PutRecords.Bytes" -> sluice_aws_kinesis_put_records_bytes) with
// its dimensions as snake-case labels. Counter handles are Prometheus counters (the sum
// of their samples); everything else is a summary: _sum, _count and, where a histogram
// was kept, quantiles 0.5, 0.9, 0.99.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aggregate.h"
#include "metrics/metrics.h"

namespace sluice::metrics::internal {

struct PromSeries {
  const MetricId* id;
  Unit unit;
  bool counter;
  const Aggregate* total;
};

// "PutRecords.Bytes" -> "put_records_bytes", "4xxErrors" -> "4xx_errors".
std::string SnakeCase(std::string_view name);
std::string RenderPrometheus(const std::vector<PromSeries>& series);

}  // namespace sluice::metrics::internal
