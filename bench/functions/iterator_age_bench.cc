// IteratorAge of an event-source mapping at a fixed produce rate: records are put into a
// stream at `rate` records/s (every 10 ms a PutRecords of rate/100) for `seconds`, while
// the mapping's poller threads (as `sluice serve` runs them: MaximumBatchingWindow 0,
// Lambda's default BatchSize 100) hand them to the built-in write_to_s3, durably
// (stream fsync always, objects synced, checkpoints committed). Every batch's IteratorAge
// (now minus its last record's arrival) is collected through the metrics registry.
// Usage: iterator_age_bench [rate=10000] [seconds=20] [shards=2] [batch_size=100]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "mappings/pipeline.h"
#include "metrics/testing/recording_registry.h"

namespace {

using namespace sluice;

int Die(const std::string& what) { return bench::Die("iterator_age_bench", what); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rate = argc > 1 ? std::strtoll(argv[1], nullptr, 10) : 10'000;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 20;
  const int shards = argc > 3 ? std::atoi(argv[3]) : 2;
  const int64_t batch = argc > 4 ? std::strtoll(argv[4], nullptr, 10) : 100;

  bench::Pipeline p;
  if (std::string e = p.Open("iterator-age-bench", shards); !e.empty()) return Die(e);

  metrics::testing::RecordingRegistry registry;
  functions::MappingManager::Options mo;
  mo.store = p.store.get();
  mo.metrics = registry;
  auto mappings = functions::MappingManager::Open(mo, *p.catalog, *p.streams, p.invoker);
  if (!mappings.ok()) return Die(mappings.status().ToString());
  functions::MappingInput in = p.Mapping(batch);
  in.maximum_batching_window_in_seconds = 0;
  if (auto m = (*mappings)->Create(in); !m.ok()) return Die(m.error().message);

  // Produce: every 10 ms, rate/100 taxi-like records of about 700 bytes.
  const std::string pad(620, 'x');
  const int64_t per_tick = std::max<int64_t>(1, rate / 100);
  const auto start = std::chrono::steady_clock::now();
  int64_t put = 0;
  for (int64_t tick = 0; tick < static_cast<int64_t>(seconds) * 100; ++tick) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(10 * tick));
    // PutInput views its key and data: they live in these vectors until the put is done.
    std::vector<std::string> keys, data;
    for (int64_t j = 0; j < per_tick; ++j, ++put) {
      keys.push_back(std::to_string(put % 97));
      data.push_back("{\"TRIP_ID\":\"" + std::to_string(put) + "\",\"CALL_TYPE\":\"A\",\"POLYLINE\":\"" + pad + "\"}");
    }
    std::vector<stream::PutInput> batch_in;
    for (size_t j = 0; j < data.size(); ++j) batch_in.push_back({keys[j], std::nullopt, data[j]});
    std::promise<bool> done;
    p.streams->PutRecords("ingress", batch_in, [&](auto r) { done.set_value(r.ok()); });
    if (!done.get_future().get()) return Die("put");
  }
  const double produce_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Let the pollers finish what was put (a bench, not a test: a bounded wait).
  std::this_thread::sleep_for(std::chrono::seconds(3));
  mappings->reset();

  const double errors = registry.Sum(metrics::MakeId("AWS/Lambda", "Errors", {{"FunctionName", "writer"}}));
  const std::vector<double> ages =
      registry.Samples(metrics::MakeId("AWS/Lambda", "IteratorAge", {{"FunctionName", "writer"}}));
  std::printf("rate=%lld/s seconds=%d shards=%d batch_size=%lld records=%lld produce_rate=%.0f/s batches=%zu "
              "errors=%.0f iterator_age_ms p50=%.0f p99=%.0f max=%.0f\n",
              static_cast<long long>(rate), seconds, shards, static_cast<long long>(batch),
              static_cast<long long>(put), static_cast<double>(put) / produce_s, ages.size(), errors, Percentile(ages, 50),
              Percentile(ages, 99), ages.empty() ? 0.0 : *std::max_element(ages.begin(), ages.end()));
  p.Close();
  return 0;
}
