// Internal to the delivery module: a Kinesis stream as the source of a delivery stream
// (KinesisStreamAsSource). Read in process with stream::LineageReader (children only
// after their parents, so per-key order holds across resharding) and appended to the
// delivery stream's own log, from there on like PutRecordBatch.
//
// Position: every appended record carries its origin in the log record's partition key
// (SourceRecordKey: shard id, sequence number, the record's arrival in the stream and its
// partition key, for the Lambda processor's kinesisRecordMetadata), and the newest
// position per shard is saved in the catalog
// after each append. A restart takes, per shard, the later of the saved position and
// the newest one in the log (an append the catalog did not hear of before a crash), and
// skips what is at or below it: each source record is appended exactly once. Records
// that arrived in the stream before the delivery stream was created are skipped too
// (AWS starts a new delivery stream at LATEST).
//
// Not thread-safe: the delivery side calls it holding the stream's delivery lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "catalog/catalog.h"
#include "log/log.h"
#include "stream/lineage_reader.h"
#include "stream/stream_manager.h"

namespace sluice::delivery {

// Where a source record came from.
struct SourceOrigin {
  std::string_view shard_id;
  std::string_view sequence_number;
  // Absent in keys written before sluice kept them (shard and sequence only).
  std::optional<int64_t> arrival_ms;  // ApproximateArrivalTimestamp in the stream
  std::string_view partition_key;
};

// "<shard id>|<sequence number>|<arrival ms>|<partition key>": the key is last, so a '|'
// in it needs no escaping.
std::string SourceRecordKey(std::string_view shard_id, std::string_view sequence_number, int64_t arrival_ms,
                            std::string_view partition_key);
// Also reads the older "<shard id>|<sequence number>"; nullopt when `key` is neither (a
// DirectPut record). Views into `key`.
std::optional<SourceOrigin> ParseSourceRecordKey(std::string_view key);

class KinesisSourceReader {
 public:
  // `position`: what the catalog saved ("" for a new delivery stream, whose reading then
  // starts at `start_ms`).
  KinesisSourceReader(const stream::StreamManager& streams, std::string stream_name, const std::string& position,
                      int64_t start_ms);

  // Recovers the positions the log holds beyond the saved one; once, before Poll.
  Status Recover(const log::Log& log);
  // Appends what the stream has beyond the position to `log` (blocking on the sync),
  // then saves the position. Returns the records and bytes appended.
  struct Appended {
    uint64_t records = 0;
    uint64_t bytes = 0;
  };
  Result<Appended> Poll(log::Log& log, Clock& clock, catalog::Catalog& catalog, int64_t delivery_stream_id);

  int64_t start_ms() const { return start_ms_; }
  std::string Position() const;  // what the catalog keeps

 private:
  bool Seen(const std::string& shard, const std::string& sequence) const;

  const stream::StreamManager& streams_;
  std::string stream_name_;
  std::unique_ptr<stream::LineageReader> reader_;
  int64_t start_ms_ = 0;
  std::map<std::string, std::string> last_;  // shard id -> last sequence number appended
};

}  // namespace sluice::delivery
