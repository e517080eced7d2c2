// The AWS/Kinesis metrics of streams and shards (internal/stream_metrics.h).
#include "stream_metrics.h"

#include <fmt/format.h>

#include "stream/sequence_number.h"

namespace sluice::stream {
namespace {

using metrics::Unit;

metrics::MetricId StreamId(const std::string& stream, std::string_view name) {
  return metrics::MakeId("AWS/Kinesis", std::string(name), {{"StreamName", stream}});
}
metrics::MetricId ShardMetricId(const std::string& stream, const std::string& shard, std::string_view name) {
  return metrics::MakeId("AWS/Kinesis", std::string(name), {{"StreamName", stream}, {"ShardId", shard}});
}

}  // namespace

StreamHandles::StreamHandles(metrics::Registry& r, const std::string& s)
    : incoming_bytes(r.GetCounter(StreamId(s, "IncomingBytes"), Unit::kBytes)),
      incoming_records(r.GetCounter(StreamId(s, "IncomingRecords"), Unit::kCount)),
      write_exceeded(r.GetCounter(StreamId(s, "WriteProvisionedThroughputExceeded"), Unit::kCount)),
      read_exceeded(r.GetCounter(StreamId(s, "ReadProvisionedThroughputExceeded"), Unit::kCount)),
      get_bytes(r.GetCounter(StreamId(s, "GetRecords.Bytes"), Unit::kBytes)),
      get_records(r.GetCounter(StreamId(s, "GetRecords.Records"), Unit::kCount)),
      get_success(r.GetCounter(StreamId(s, "GetRecords.Success"), Unit::kCount)),
      get_latency(r.GetDistribution(StreamId(s, "GetRecords.Latency"), Unit::kMilliseconds)),
      get_iterator_age(r.GetDistribution(StreamId(s, "GetRecords.IteratorAgeMilliseconds"), Unit::kMilliseconds)),
      put_record_bytes(r.GetCounter(StreamId(s, "PutRecord.Bytes"), Unit::kBytes)),
      put_record_latency(r.GetDistribution(StreamId(s, "PutRecord.Latency"), Unit::kMilliseconds)),
      put_record_success(r.GetCounter(StreamId(s, "PutRecord.Success"), Unit::kCount)),
      put_records_bytes(r.GetCounter(StreamId(s, "PutRecords.Bytes"), Unit::kBytes)),
      put_records_latency(r.GetDistribution(StreamId(s, "PutRecords.Latency"), Unit::kMilliseconds)),
      put_records_success(r.GetCounter(StreamId(s, "PutRecords.Success"), Unit::kCount)),
      put_records_total(r.GetCounter(StreamId(s, "PutRecords.TotalRecords"), Unit::kCount)),
      put_records_successful(r.GetCounter(StreamId(s, "PutRecords.SuccessfulRecords"), Unit::kCount)),
      put_records_failed(r.GetCounter(StreamId(s, "PutRecords.FailedRecords"), Unit::kCount)),
      put_records_throttled(r.GetCounter(StreamId(s, "PutRecords.ThrottledRecords"), Unit::kCount)) {}

ShardHandles::ShardHandles(metrics::Registry& r, const std::string& s, const std::string& id)
    : incoming_bytes(r.GetCounter(ShardMetricId(s, id, "IncomingBytes"), Unit::kBytes)),
      incoming_records(r.GetCounter(ShardMetricId(s, id, "IncomingRecords"), Unit::kCount)),
      outgoing_bytes(r.GetCounter(ShardMetricId(s, id, "OutgoingBytes"), Unit::kBytes)),
      outgoing_records(r.GetCounter(ShardMetricId(s, id, "OutgoingRecords"), Unit::kCount)),
      write_exceeded(r.GetCounter(ShardMetricId(s, id, "WriteProvisionedThroughputExceeded"), Unit::kCount)),
      read_exceeded(r.GetCounter(ShardMetricId(s, id, "ReadProvisionedThroughputExceeded"), Unit::kCount)),
      iterator_age(r.GetDistribution(ShardMetricId(s, id, "IteratorAgeMilliseconds"), Unit::kMilliseconds)) {}

const ShardHandles& LazyShardHandles::Get(metrics::Registry& r, const std::string& stream,
                                          uint32_t index) const {
  std::call_once(once_, [&] { handles_ = std::make_unique<ShardHandles>(r, stream, ShardIdFor(index)); });
  return *handles_;
}

std::optional<uint32_t> ShardLevelMask(std::string_view name) {
  if (name == "ALL") return kAllShardLevelMetrics;
  for (size_t i = 0; i < kShardLevelMetricNames.size(); ++i) {
    if (kShardLevelMetricNames[i] == name) return 1u << i;
  }
  return std::nullopt;
}

std::vector<std::string> ShardLevelNames(uint32_t mask) {
  std::vector<std::string> out;
  for (size_t i = 0; i < kShardLevelMetricNames.size(); ++i) {
    if (mask & (1u << i)) out.emplace_back(kShardLevelMetricNames[i]);
  }
  return out;
}

std::string ShardLevelMetaKey(int64_t stream_id, int64_t created_ms) {
  return fmt::format("kinesis.shard_level_metrics.{}.{}", stream_id, created_ms);
}

}  // namespace sluice::stream
