// Units, statistics and series ids: the names CloudWatch uses, parsed and printed.
#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include "metrics/metrics.h"

namespace sluice::metrics {
namespace {

constexpr std::array<std::string_view, 27> kUnitNames = {
    "None",
    "Seconds", "Microseconds", "Milliseconds",
    "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
    "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
    "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
};
static_assert(kUnitNames.size() == static_cast<size_t>(Unit::kCountPerSecond) + 1);

}  // namespace

std::string_view UnitName(Unit unit) { return kUnitNames[static_cast<size_t>(unit)]; }

std::optional<Unit> ParseUnit(std::string_view name) {
  for (size_t i = 0; i < kUnitNames.size(); ++i) {
    if (kUnitNames[i] == name) return static_cast<Unit>(i);
  }
  return std::nullopt;
}

MetricId MakeId(std::string ns, std::string name, std::vector<Dimension> dimensions) {
  std::sort(dimensions.begin(), dimensions.end());
  return MetricId{std::move(ns), std::move(name), std::move(dimensions)};
}

std::optional<Statistic> ParseStatistic(std::string_view text) {
  if (text == "SampleCount") return Statistic{Statistic::kSampleCount, 0};
  if (text == "Sum") return Statistic{Statistic::kSum, 0};
  if (text == "Average") return Statistic{Statistic::kAverage, 0};
  if (text == "Minimum") return Statistic{Statistic::kMinimum, 0};
  if (text == "Maximum") return Statistic{Statistic::kMaximum, 0};
  // A percentile: "p" then a number in [0, 100] with at most two decimals ("p99.99").
  if (text.size() < 2 || text[0] != 'p') return std::nullopt;
  std::string_view number = text.substr(1);
  size_t dot = number.find('.');
  if (dot != std::string_view::npos && (dot == 0 || number.size() - dot - 1 == 0 ||
                                        number.size() - dot - 1 > 2)) {
    return std::nullopt;
  }
  for (char c : number) {
    if (c != '.' && (c < '0' || c > '9')) return std::nullopt;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size()) return std::nullopt;
  if (value < 0 || value > 100) return std::nullopt;
  return Statistic{Statistic::kPercentile, value};
}

std::string StatisticName(const Statistic& s) {
  switch (s.kind) {
    case Statistic::kSampleCount: return "SampleCount";
    case Statistic::kSum: return "Sum";
    case Statistic::kAverage: return "Average";
    case Statistic::kMinimum: return "Minimum";
    case Statistic::kMaximum: return "Maximum";
    case Statistic::kPercentile: break;
  }
  // Shortest text that reads back to the same value: p99, p99.9, p99.99.
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, s.percentile);
  (void)ec;
  return "p" + std::string(buf, end);
}

namespace {

class NullCounter final : public Counter {
 public:
  void DoAdd(double) override {}
};
class NullDistribution final : public Distribution {
 public:
  void DoRecord(double) override {}
};
class NullRegistryImpl final : public Registry {
 public:
  Counter& CounterFor(const MetricId&, Unit, bool) override { return counter_; }
  Distribution& DistributionFor(const MetricId&, Unit, bool) override { return distribution_; }
  Status Put(std::span<const Datum>) override { return Status::OK(); }

 private:
  NullCounter counter_;
  NullDistribution distribution_;
};

}  // namespace

Registry& NullRegistry() {
  static NullRegistryImpl registry;
  return registry;
}

}  // namespace sluice::metrics
