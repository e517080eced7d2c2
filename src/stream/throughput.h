// Per-shard throughput limits as AWS enforces them, and the shard's CloudWatch-named
// counters. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "base/mutex.h"

namespace sluice::stream {

// AWS's per-shard limits (Kinesis Data Streams quotas, provisioned mode).
inline constexpr double kWriteBytesPerSecond = 1024.0 * 1024.0;  // data + partition keys
inline constexpr double kWriteRecordsPerSecond = 1000.0;
inline constexpr double kReadBytesPerSecond = 2.0 * 1024.0 * 1024.0;
inline constexpr double kReadCallsPerSecond = 5.0;

// A token bucket refilled continuously at `rate` per second up to `capacity` (one
// second's worth: AWS lets a shard burst to its per-second limit). Not thread-safe.
class TokenBucket {
 public:
  TokenBucket(double rate, double capacity) : rate_(rate), capacity_(capacity), tokens_(capacity) {}
  // Takes n tokens if that many are there.
  bool TryTake(double n, int64_t now_ms);
  // True if the balance is positive (reads: a large GetRecords may overdraw it, and the
  // shard is then throttled until the debt is repaid, as AWS does after a 10 MiB read).
  bool Positive(int64_t now_ms);
  void Charge(double n, int64_t now_ms);

 private:
  void Refill(int64_t now_ms);
  double rate_;
  double capacity_;
  double tokens_;
  int64_t last_ms_ = -1;
};

class ShardLimiter {
 public:
  // Admits one record of `bytes` (data + partition key) or refuses it, consuming nothing.
  bool AdmitWrite(int64_t bytes, int64_t now_ms) EXCLUDES(mu_);
  // Admits one GetRecords call; afterwards ChargeRead with the bytes it returned.
  bool AdmitRead(int64_t now_ms) EXCLUDES(mu_);
  void ChargeRead(int64_t bytes, int64_t now_ms) EXCLUDES(mu_);

 private:
  Mutex mu_;
  TokenBucket write_bytes_ GUARDED_BY(mu_){kWriteBytesPerSecond, kWriteBytesPerSecond};
  TokenBucket write_records_ GUARDED_BY(mu_){kWriteRecordsPerSecond, kWriteRecordsPerSecond};
  TokenBucket read_bytes_ GUARDED_BY(mu_){kReadBytesPerSecond, kReadBytesPerSecond};
  TokenBucket read_calls_ GUARDED_BY(mu_){kReadCallsPerSecond, kReadCallsPerSecond};
};

// CloudWatch's shard-level metric names, kept in memory for the metrics module.
struct ShardMetrics {
  std::atomic<int64_t> incoming_bytes{0};                       // IncomingBytes
  std::atomic<int64_t> incoming_records{0};                     // IncomingRecords
  std::atomic<int64_t> write_provisioned_throughput_exceeded{0};  // WriteProvisionedThroughputExceeded
  std::atomic<int64_t> read_provisioned_throughput_exceeded{0};   // ReadProvisionedThroughputExceeded
  std::atomic<int64_t> iterator_age_ms{0};  // GetRecords.IteratorAgeMilliseconds (last call)
};

}  // namespace sluice::stream
