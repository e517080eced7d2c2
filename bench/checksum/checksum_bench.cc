// checksum_bench: throughput of the digests an S3 upload computes over its body, on
// 1 MiB pieces as the upload path feeds them: the MD5 every PUT computes for its ETag,
// and each flexible checksum (CRC64NVME is the SDKs' default). Results in
// docs/benchmarks.md ("checksums").
//
//   checksum_bench [--benchmark_filter=...] [--benchmark_min_time=...]
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "base/hash.h"
#include "objects/checksum.h"

namespace {

using sluice::objects::ChecksumAlgorithm;

const std::string& Piece() {
  static const std::string piece = [] {
    std::mt19937_64 rng(1);
    std::string s(1 << 20, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  }();
  return piece;
}

void BM_Md5(benchmark::State& state) {
  for (auto _ : state) {
    sluice::Md5Stream md5;
    md5.Update(Piece());
    benchmark::DoNotOptimize(md5.Finish());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(Piece().size()));
}
BENCHMARK(BM_Md5);

void BM_Checksum(benchmark::State& state, ChecksumAlgorithm algorithm) {
  for (auto _ : state) {
    sluice::objects::ChecksumStream sum(algorithm);
    sum.Update(Piece());
    benchmark::DoNotOptimize(sum.Finish());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(Piece().size()));
}
BENCHMARK_CAPTURE(BM_Checksum, Crc64Nvme, ChecksumAlgorithm::kCrc64Nvme);
BENCHMARK_CAPTURE(BM_Checksum, Crc32, ChecksumAlgorithm::kCrc32);
BENCHMARK_CAPTURE(BM_Checksum, Crc32c, ChecksumAlgorithm::kCrc32c);
BENCHMARK_CAPTURE(BM_Checksum, Sha256, ChecksumAlgorithm::kSha256);

}  // namespace

BENCHMARK_MAIN();
