// metrics: the one registry every module reports to, CloudWatch-named series, the
// stored datapoints and the statistics CloudWatch computes over them.
//
// A series is (namespace, metric name, dimensions), as CloudWatch names it
// ("AWS/Kinesis", "IncomingBytes", {StreamName=ingress}). Modules record into it through
// handles (Counter, Distribution) that cost one relaxed atomic operation, or a short
// uncontended lock, on the hot path; PutMetricData records already-aggregated values.
// Every second the store folds what was recorded into datapoints: 1-second ones for
// high-resolution series (kept 3 hours, as CloudWatch keeps them) and 1-minute ones for
// every series (kept 15 days). Datapoints are written to the data dir and survive a
// restart; statistics over longer periods (5 minutes, 1 hour) are computed from the
// 1-minute ones. Alarms (alarms.h) read through MetricReader.
//
// Thread-safety: every method of Registry and MetricReader may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace sluice::metrics {

// CloudWatch's StandardUnit. kNone is "None".
enum class Unit : uint8_t {
  kNone,
  kSeconds, kMicroseconds, kMilliseconds,
  kBytes, kKilobytes, kMegabytes, kGigabytes, kTerabytes,
  kBits, kKilobits, kMegabits, kGigabits, kTerabits,
  kPercent, kCount,
  kBytesPerSecond, kKilobytesPerSecond, kMegabytesPerSecond, kGigabytesPerSecond,
  kTerabytesPerSecond,
  kBitsPerSecond, kKilobitsPerSecond, kMegabitsPerSecond, kGigabitsPerSecond,
  kTerabitsPerSecond,
  kCountPerSecond,
};
// "Bytes", "Count/Second", ... exactly as CloudWatch spells them.
std::string_view UnitName(Unit unit);
std::optional<Unit> ParseUnit(std::string_view name);

struct Dimension {
  std::string name;
  std::string value;
  auto operator<=>(const Dimension&) const = default;
};

// A series. `dimensions` are kept sorted by name (MakeId sorts them); two ids with the
// same dimensions in another order are the same series, as in CloudWatch.
struct MetricId {
  std::string ns;
  std::string name;
  std::vector<Dimension> dimensions;
  auto operator<=>(const MetricId&) const = default;
};
MetricId MakeId(std::string ns, std::string name, std::vector<Dimension> dimensions);

// CloudWatch's limits on what PutMetricData may send (the front end answers AWS's errors).
inline constexpr size_t kMaxDimensions = 30;
inline constexpr int32_t kHighResolution = 1;   // StorageResolution 1
inline constexpr int32_t kStandardResolution = 60;

// The aggregate CloudWatch keeps per series per period. Percentiles come from a
// log-bucketed histogram kept beside it (relative error at most 1 %), so p99 over
// an hour is computed from the minutes' histograms, not from averages.
struct StatisticSet {
  double sample_count = 0;
  double sum = 0;
  double minimum = 0;
  double maximum = 0;
};

// Hot-path handles. A handle lives as long as its Registry; the same id gives the same
// handle. Add/Record never block on I/O and never allocate after the first call.
//
// Built with SLUICE_METRICS_COMPILED_OUT (CMake option SLUICE_BENCH_METRICS_COMPILED_OUT,
// the baseline of bench/metrics), Add and Record compile to nothing in every caller; the
// test suite expects metrics compiled in.
#ifdef SLUICE_METRICS_COMPILED_OUT
inline constexpr bool kMetricsCompiledIn = false;
#else
inline constexpr bool kMetricsCompiledIn = true;
#endif

class Counter {
 public:
  virtual ~Counter() = default;
  // One sample of `value` (IncomingBytes: the request's bytes). A counter's samples
  // keep no histogram: its percentiles are not offered (CloudWatch's counters, such as
  // IncomingBytes, answer Sum/SampleCount/Average/Minimum/Maximum).
  void Add(double value) {
    if constexpr (kMetricsCompiledIn) DoAdd(value);
  }

 protected:
  virtual void DoAdd(double value) = 0;
};
class Distribution {
 public:
  virtual ~Distribution() = default;
  // One sample for which percentiles are kept (latencies, Duration, IteratorAge).
  void Record(double value) {
    if constexpr (kMetricsCompiledIn) DoRecord(value);
  }

 protected:
  virtual void DoRecord(double value) = 0;
};

// One PutMetricData datum, already validated by the front end.
struct Datum {
  MetricId id;
  Unit unit = Unit::kNone;
  int64_t timestamp_ms = 0;
  int32_t storage_resolution = kStandardResolution;
  // Exactly one of: a single value; values with counts (counts empty = each 1); a
  // statistic set.
  std::optional<double> value;
  std::vector<double> values;
  std::vector<double> counts;
  std::optional<StatisticSet> statistic_values;
};

class Registry {
 public:
  virtual ~Registry() = default;
  // `high_resolution` keeps 1-second datapoints for the series as well. Take handles
  // once (at stream creation, say), not per request: the lookup takes a lock.
  Counter& GetCounter(const MetricId& id, Unit unit, bool high_resolution = false) {
    return CounterFor(id, unit, high_resolution);
  }
  Distribution& GetDistribution(const MetricId& id, Unit unit, bool high_resolution = false) {
    return DistributionFor(id, unit, high_resolution);
  }
  // PutMetricData: datapoints with their own timestamps (up to two weeks in the past and
  // two hours in the future, as CloudWatch accepts them; the front end checks).
  virtual Status Put(std::span<const Datum> data) = 0;

 protected:
  virtual Counter& CounterFor(const MetricId& id, Unit unit, bool high_resolution) = 0;
  virtual Distribution& DistributionFor(const MetricId& id, Unit unit, bool high_resolution) = 0;
};

// A statistic as GetMetricStatistics / GetMetricData name it: "SampleCount", "Sum",
// "Average", "Minimum", "Maximum", or a percentile "p99", "p99.9".
struct Statistic {
  enum Kind : uint8_t { kSampleCount, kSum, kAverage, kMinimum, kMaximum, kPercentile };
  Kind kind = kAverage;
  double percentile = 0;  // 0..100 when kind == kPercentile
};
std::optional<Statistic> ParseStatistic(std::string_view text);
std::string StatisticName(const Statistic& s);

struct StatisticsQuery {
  MetricId id;
  int64_t start_ms = 0;  // inclusive
  int64_t end_ms = 0;    // exclusive
  int32_t period_s = 60; // 1, 5, 10, 30 or a multiple of 60 (the front end checks)
  std::optional<Unit> unit;  // only datapoints recorded in this unit
  std::vector<Statistic> statistics;
};

// One period's answer: timestamps are period starts aligned to the period (as
// CloudWatch aligns them), ascending; periods with no samples are absent.
struct StatisticsPoint {
  int64_t timestamp_ms = 0;
  Unit unit = Unit::kNone;
  // One per StatisticsQuery::statistics, same order. A percentile the data cannot give
  // (counter samples, statistic sets: no histogram was kept) is NaN.
  std::vector<double> values;
};

struct ListFilter {
  std::optional<std::string> ns;
  std::optional<std::string> name;
  // Each must be present on the series; an empty value matches any value.
  std::vector<Dimension> dimensions;
  // RecentlyActive=PT3H: only series with a datapoint in the last 3 hours.
  bool recently_active = false;
};

class MetricReader {
 public:
  virtual ~MetricReader() = default;
  virtual Result<std::vector<StatisticsPoint>> Statistics(const StatisticsQuery& query) const = 0;
  // Series matching the filter, sorted by (ns, name, dimensions).
  virtual std::vector<MetricId> List(const ListFilter& filter) const = 0;
};

struct StoreOptions {
  std::string dir;  // "<data dir>/metrics"; created if missing
  Clock* clock = &Clock::Real();
  // Folds recorded samples into datapoints and writes them once per second; false in
  // unit tests, which call Store::Fold() themselves after moving the clock.
  bool background_fold = true;
};

// A registry that records nothing: for modules built without a store (tools, tests
// that do not look at metrics). Its handles are shared no-ops.
Registry& NullRegistry();

// The registry and the reader over one stored history.
class Store : public Registry, public MetricReader {
 public:
  static Result<std::unique_ptr<Store>> Open(StoreOptions options);
  // Folds samples recorded so far into datapoints of the periods that have ended by the
  // clock's now and appends them durably. The background thread calls it every second.
  virtual Status Fold() = 0;
  // The Prometheus text exposition (version 0.0.4) of every series' current totals:
  // names are sluice_<namespace>_<metric> in snake case, dimensions as labels.
  virtual std::string PrometheusText() const = 0;
  // Stops the background thread and folds what is left.
  virtual void Shutdown() = 0;
};

}  // namespace sluice::metrics
