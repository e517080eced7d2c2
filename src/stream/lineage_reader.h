// LineageReader: reads a whole stream the way an in-process consumer must, across any
// sequence of splits and merges: a shard is started only after every parent that is
// still stored has been read to its end, so records of one partition key come out in
// the order they were written. Not thread-safe: one reader per consumer.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "stream/stream_manager.h"

namespace sluice::stream {

class LineageReader {
 public:
  enum class Start { kTrimHorizon, kLatest };

  struct Record {
    std::string shard_id;
    std::string sequence_number;
    int64_t arrival_ms = 0;
    std::string partition_key;
    std::string data;
  };

  // The manager must outlive the reader.
  LineageReader(const StreamManager& streams, std::string stream_name, Start start = Start::kTrimHorizon);

  // Up to max_records from the shards that may be read now; empty when caught up.
  KResult<std::vector<Record>> Poll(size_t max_records);
  // Shards read to their end (closed shards only).
  const std::set<std::string>& finished() const { return finished_; }

 private:
  struct Cursor {
    std::string iterator;
    std::string last_sequence;  // to resume after an iterator expires
  };
  KResult<Done> Refresh();
  KResult<std::string> IteratorFor(const std::string& shard_id, const Cursor& cursor, bool fresh);

  const StreamManager& streams_;
  const std::string stream_;
  Start start_;
  bool first_refresh_ = true;
  std::map<std::string, Cursor> active_;  // shard id -> position, in shard id order
  std::set<std::string> finished_;
};

}  // namespace sluice::stream
