// Internal to the stream module: the CloudWatch metrics a stream reports (namespace
// AWS/Kinesis), with AWS's names, dimensions and units. Handles are taken once per
// stream (and per shard, the first time a shard-level metric is enabled for it); the
// data path only adds to them.
#pragma once

#ifndef SLUICE_STREAM_INTERNAL
#error "stream/internal/ is private to the stream module; use stream/stream_manager.h"
#endif

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/metrics.h"
#include "stream/stream_manager.h"

namespace sluice::stream {

// Stream level, dimension StreamName.
struct StreamHandles {
  StreamHandles(metrics::Registry& r, const std::string& stream);

  metrics::Counter& incoming_bytes;
  metrics::Counter& incoming_records;
  metrics::Counter& write_exceeded;  // WriteProvisionedThroughputExceeded, per record
  metrics::Counter& read_exceeded;   // ReadProvisionedThroughputExceeded, per call
  // GetRecords.*
  metrics::Counter& get_bytes;
  metrics::Counter& get_records;
  metrics::Counter& get_success;
  metrics::Distribution& get_latency;
  metrics::Distribution& get_iterator_age;
  // PutRecord.* and PutRecords.* (only for calls made through the Kinesis API).
  metrics::Counter& put_record_bytes;
  metrics::Distribution& put_record_latency;
  metrics::Counter& put_record_success;
  metrics::Counter& put_records_bytes;
  metrics::Distribution& put_records_latency;
  metrics::Counter& put_records_success;
  metrics::Counter& put_records_total;
  metrics::Counter& put_records_successful;
  metrics::Counter& put_records_failed;
  metrics::Counter& put_records_throttled;
};

// The shard-level metrics EnableEnhancedMonitoring turns on, as bits of a mask, in the
// order AWS documents them.
enum ShardLevelMetric : uint32_t {
  kShardIncomingBytes = 1u << 0,
  kShardIncomingRecords = 1u << 1,
  kShardOutgoingBytes = 1u << 2,
  kShardOutgoingRecords = 1u << 3,
  kShardWriteExceeded = 1u << 4,
  kShardReadExceeded = 1u << 5,
  kShardIteratorAge = 1u << 6,
};
inline constexpr uint32_t kAllShardLevelMetrics = (1u << 7) - 1;
inline constexpr std::array<std::string_view, 7> kShardLevelMetricNames = {
    "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
    "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds"};

// "ALL" is every bit; nullopt for a name AWS does not know.
std::optional<uint32_t> ShardLevelMask(std::string_view name);
// The names of a mask's bits, in kShardLevelMetricNames order.
std::vector<std::string> ShardLevelNames(uint32_t mask);
// The catalog meta key that keeps a stream's mask (the stream's id and creation time,
// so a later stream that reuses the id starts with none).
std::string ShardLevelMetaKey(int64_t stream_id, int64_t created_ms);

// Shard level, dimensions StreamName and ShardId.
struct ShardHandles {
  ShardHandles(metrics::Registry& r, const std::string& stream, const std::string& shard_id);

  metrics::Counter& incoming_bytes;
  metrics::Counter& incoming_records;
  metrics::Counter& outgoing_bytes;
  metrics::Counter& outgoing_records;
  metrics::Counter& write_exceeded;
  metrics::Counter& read_exceeded;
  metrics::Distribution& iterator_age;
};

// A shard's handles, taken the first time they are needed (thread-safe).
class LazyShardHandles {
 public:
  const ShardHandles& Get(metrics::Registry& r, const std::string& stream, uint32_t index) const;

 private:
  mutable std::once_flag once_;
  mutable std::unique_ptr<ShardHandles> handles_;
};

}  // namespace sluice::stream
