// metrics_bench: what one hot-path metrics call costs: Counter::Add and
// Distribution::Record on a real store's handles against the no-op handles of
// NullRegistry (what `serve --metrics off` gives every module), on one thread and on
// two contending for the same handle. Results in docs/benchmarks.md ("metrics").
//
//   metrics_bench [--benchmark_filter=...] [--benchmark_min_time=...]
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>

#include <unistd.h>

#include "metrics/metrics.h"

namespace {

using sluice::metrics::MakeId;
using sluice::metrics::Registry;
using sluice::metrics::Store;
using sluice::metrics::Unit;

// One store for the whole run, in a scratch directory removed at exit; no background
// fold, so the handles only accumulate (a fold every second would drain them).
Store& TheStore() {
  static const std::string dir =
      (std::filesystem::temp_directory_path() / ("metrics-bench-" + std::to_string(::getpid()))).string();
  static std::unique_ptr<Store> store = [] {
    auto s = Store::Open({.dir = dir, .background_fold = false});
    if (!s.ok()) std::abort();
    std::atexit([] { std::filesystem::remove_all(dir); });
    return std::move(s).value();
  }();
  return *store;
}

Registry& Pick(bool real) { return real ? static_cast<Registry&>(TheStore()) : sluice::metrics::NullRegistry(); }

void BM_CounterAdd(benchmark::State& state) {
  auto& c = Pick(state.range(0) != 0).GetCounter(MakeId("Bench", "Bytes", {{"StreamName", "s"}}), Unit::kBytes);
  double v = 1;
  for (auto _ : state) {
    c.Add(v);
    v += 1;
  }
}
BENCHMARK(BM_CounterAdd)->ArgName("store")->Arg(0)->Arg(1)->Threads(1)->Threads(2);

void BM_DistributionRecord(benchmark::State& state) {
  auto& d = Pick(state.range(0) != 0).GetDistribution(MakeId("Bench", "Latency", {{"StreamName", "s"}}),
                                                      Unit::kMilliseconds);
  double v = 0.1;
  for (auto _ : state) {
    d.Record(v);
    v = v < 1e6 ? v * 1.07 : 0.1;
  }
}
BENCHMARK(BM_DistributionRecord)->ArgName("store")->Arg(0)->Arg(1)->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
