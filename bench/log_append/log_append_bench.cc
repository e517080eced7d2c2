// log_append_bench: appends 1 KiB records in batches of 500 with fsync=always from 1, 4
// and 16 concurrent writers and prints MB/s (of record data, 1 MB = 10^6 bytes, as dd
// reports) and records/s for each. Each writer count gets a fresh log directory under
// --dir, deleted afterwards. run.sh compares the figures with dd on the same disk.
//
//   log_append_bench --dir DIR [--mb-per-run 2048] [--writers 1,4,16]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/testing/fault_file_system.h"
#include "log/log.h"

namespace {

using namespace sluice::log;

constexpr size_t kRecordBytes = 1024;
constexpr size_t kBatchRecords = 500;

struct RunResult {
  double seconds = 0;
  uint64_t records = 0;
  uint64_t syncs = 0;
};

RunResult RunOnce(const std::string& dir, int writers, uint64_t total_bytes) {
  sluice::testing::FaultFileSystem counting(sluice::FileSystem::Posix());  // no faults armed: only counts syncs
  LogOptions o;
  o.dir = dir;
  o.file_system = &counting;
  sluice::Result<std::unique_ptr<Log>> log = Log::Open(o);
  if (!log.ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), log.status().ToString().c_str());
    std::exit(1);
  }
  const uint64_t batches_total = total_bytes / (kRecordBytes * kBatchRecords);
  std::atomic<uint64_t> batches_left{batches_total};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      // Distinct, incompressible-looking content per writer; built once.
      std::vector<std::string> data(kBatchRecords);
      for (size_t i = 0; i < kBatchRecords; ++i) {
        data[i].resize(kRecordBytes);
        uint64_t x = 0x9E3779B97F4A7C15ull * (w + 1) + i;
        for (char& c : data[i]) {
          x ^= x << 13, x ^= x >> 7, x ^= x << 17;
          c = static_cast<char>(x);
        }
      }
      const std::string key = "writer-" + std::to_string(w);
      std::vector<RecordInput> batch;
      for (const std::string& d : data) batch.push_back(RecordInput{key, std::nullopt, d, std::nullopt});
      while (true) {
        uint64_t left = batches_left.load();
        do {
          if (left == 0) return;
        } while (!batches_left.compare_exchange_weak(left, left - 1));
        sluice::Result<AppendResult> a = (*log)->Append(batch);
        if (!a.ok()) {
          std::fprintf(stderr, "append: %s\n", a.status().ToString().c_str());
          std::exit(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const sluice::Status st = (*log)->Close();
  if (!st.ok()) {
    std::fprintf(stderr, "close: %s\n", st.ToString().c_str());
    std::exit(1);
  }
  return RunResult{secs, batches_total * kBatchRecords, counting.syncs.load()};
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  uint64_t mb_per_run = 2048;
  std::string writers_arg = "1,4,16";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
    else if (std::strcmp(argv[i], "--mb-per-run") == 0) mb_per_run = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--writers") == 0) writers_arg = argv[i + 1];
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: %s --dir DIR [--mb-per-run N] [--writers 1,4,16]\n", argv[0]);
    return 2;
  }
  std::vector<int> writer_counts;
  std::stringstream ss(writers_arg);
  for (std::string item; std::getline(ss, item, ',');) writer_counts.push_back(std::atoi(item.c_str()));
  for (const int writers : writer_counts) {
    const std::string run_dir = dir + "/log-" + std::to_string(writers);
    std::filesystem::remove_all(run_dir);
    const RunResult r = RunOnce(run_dir, writers, mb_per_run << 20);
    std::filesystem::remove_all(run_dir);
    const double bytes = static_cast<double>(r.records) * kRecordBytes;
    std::printf("writers=%d records=%llu seconds=%.3f MB/s=%.1f records/s=%.0f fdatasyncs=%llu\n", writers,
                static_cast<unsigned long long>(r.records), r.seconds, bytes / r.seconds / 1e6,
                static_cast<double>(r.records) / r.seconds, static_cast<unsigned long long>(r.syncs));
    std::fflush(stdout);
  }
  return 0;
}
