// Metric math and MetricDataQueries: what GetMetricData answers and what a metric-math
// alarm (PutMetricAlarm Metrics=[...]) evaluates. A query is either a MetricStat (one
// series' statistic per period, read through MetricReader) or an Expression over other
// queries' results: arithmetic (+ - * / ^, unary minus) between series and scalars,
// SUM, AVG, MIN, MAX (over an array of series: one series; over one series: a
// scalar), METRICS() and METRICS("text") (every MetricStat query, or those whose id or
// label contains the text), [a, b] arrays and FILL(series, value | REPEAT | LINEAR).
// Series are aligned by timestamp: a binary operation keeps the timestamps both sides
// have, an aggregate over an array the timestamps any of them has.
//
// Thread-safety: pure functions over a MetricReader (which is thread-safe).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/expected.h"
#include "metrics/metrics.h"

namespace sluice::metrics {

// CloudWatch's error codes as the Query protocol names them; the front end maps each to
// its JSON shape name and HTTP status.
enum class CwErrorCode : uint8_t {
  kInvalidParameterValue,        // InvalidParameterValueException, 400
  kMissingParameter,             // MissingRequiredParameterException, 400
  kInvalidParameterCombination,  // InvalidParameterCombinationException, 400
  kResourceNotFound,             // ResourceNotFound, 404
  kLimitExceeded,                // LimitExceededFault, 400
  kInvalidFormat,                // InvalidFormatFault, 400
  kInvalidNextToken,             // InvalidNextToken, 400
  kInternal,                     // InternalServiceFault, 500
};
using CwError = sluice::Error<CwErrorCode>;
template <typename T>
using CwResult = Expected<T, CwError>;
inline CwError MakeCwError(CwErrorCode code, std::string message) { return CwError{code, std::move(message)}; }

struct MetricStatSpec {
  MetricId id;
  int32_t period_s = 60;
  Statistic stat;
  std::optional<Unit> unit;
};

// One entry of MetricDataQueries (or of an alarm's Metrics).
struct MetricQuery {
  std::string id;
  std::optional<MetricStatSpec> metric_stat;  // exactly one of metric_stat, expression
  std::string expression;
  std::string label;
  bool return_data = true;
  std::optional<int32_t> period_s;  // an expression's period (else its inputs')
};

// One query's answer: timestamps ascending, values beside them.
struct SeriesResult {
  std::string id;
  std::string label;
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;
};

// The most queries one request may carry, and the longest expression, as CloudWatch
// limits them (the length also bounds the expression tree's depth, which evaluation
// recurses on).
inline constexpr size_t kMaxMetricDataQueries = 500;
inline constexpr size_t kMaxExpressionLength = 2048;

// Checks ids (start with a lower-case letter; letters, digits, underscore; unique),
// that each query is a MetricStat or an Expression, and parses every expression.
CwResult<Done> ValidateQueries(std::span<const MetricQuery> queries);

// Runs every query over [start_ms, end_ms) (end exclusive) and answers all of them in
// the request's order (the caller keeps those with return_data). An expression that
// gives an array of series answers one result per series, all with its id.
CwResult<std::vector<SeriesResult>> RunQueries(const MetricReader& reader, std::span<const MetricQuery> queries,
                                               int64_t start_ms, int64_t end_ms);

}  // namespace sluice::metrics
