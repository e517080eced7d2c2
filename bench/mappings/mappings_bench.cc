// Records per second through an event-source mapping into the built-in write_to_s3,
// durable (stream fsync always, objects synced, checkpoints committed), in process: the
// mapping poller driven on this thread, no HTTP. Usage:
//   mappings_bench [records=200000] [batch_size=10000] [shards=2] [record_bytes=700]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "mappings/pipeline.h"

namespace {

using namespace sluice;

int Die(const std::string& what) { return bench::Die("mappings_bench", what); }

}  // namespace

int main(int argc, char** argv) {
  const size_t records = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200'000;
  const int64_t batch = argc > 2 ? std::strtoll(argv[2], nullptr, 10) : 10'000;
  const int shards = argc > 3 ? std::atoi(argv[3]) : 2;
  const size_t bytes = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 700;

  bench::Pipeline p;
  if (std::string e = p.Open("mappings-bench", shards); !e.empty()) return Die(e);
  auto& streams = p.streams;
  auto& store = p.store;

  // Taxi-like JSON records of about `bytes` bytes, 500 per PutRecords.
  const std::string pad(bytes > 80 ? bytes - 80 : 1, 'x');
  for (size_t i = 0; i < records; i += 500) {
    std::vector<std::string> data, keys;
    for (size_t j = i; j < std::min(records, i + 500); ++j) {
      data.push_back("{\"TRIP_ID\":\"" + std::to_string(j) + "\",\"CALL_TYPE\":\"A\",\"POLYLINE\":\"" + pad + "\"}");
      keys.push_back(std::to_string(j % 97));
    }
    std::vector<stream::PutInput> in;
    for (size_t j = 0; j < data.size(); ++j) in.push_back({keys[j], std::nullopt, data[j]});
    std::promise<bool> done;
    streams->PutRecords("ingress", in, [&](auto r) { done.set_value(r.ok()); });
    if (!done.get_future().get()) return Die("put");
  }

  functions::MappingManager::Options mo;
  mo.start_threads = false;
  mo.store = store.get();
  auto mappings = functions::MappingManager::Open(mo, *p.catalog, *streams, p.invoker);
  if (!mappings.ok()) return Die(mappings.status().ToString());
  if (auto m = (*mappings)->Create(p.Mapping(batch)); !m.ok()) return Die(m.error().message);

  const auto cpu = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  const double cpu_start = cpu();
  const auto start = std::chrono::steady_clock::now();
  while ((*mappings)->RunOnce()) {
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_secs = cpu() - cpu_start;
  auto listed = store->List("lake", {.max_keys = 1000});
  std::printf("records=%zu batch_size=%lld shards=%d record_bytes~%zu objects=%zu seconds=%.3f cpu_seconds=%.3f records_per_s=%.0f\n",
              records, static_cast<long long>(batch), shards, bytes, listed.ok() ? listed->objects.size() : 0,
              secs, cpu_secs, static_cast<double>(records) / secs);
  mappings->reset();
  p.Close();
  return 0;
}
