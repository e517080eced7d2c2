// Internal to the stream module: the in-memory state behind StreamManager. Only
// sluice_stream's own sources can include it (PRIVATE include directory, and the guard
// below).
#pragma once

#ifndef SLUICE_STREAM_INTERNAL
#error "stream/internal/ is private to the stream module; use stream/stream_manager.h"
#endif

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "catalog/streams.h"
#include "log/log.h"
#include "stream/hash_key.h"
#include "stream/sequence_number.h"
#include "stream/stream_manager.h"
#include "stream/throughput.h"

namespace sluice::stream {

struct Shard {
  uint32_t index = 0;
  HashRange range;
  std::optional<uint32_t> parent;
  std::optional<uint32_t> adjacent_parent;
  int64_t created_ms = 0;
  // Closed shards: one past the last record, and when. Set under the manager's
  // exclusive lock after the log is sealed, so no append can land beyond it.
  std::optional<log::Offset> end_offset;
  int64_t closed_ms = 0;
  std::unique_ptr<log::Log> log;
  ShardLimiter limiter;
  struct ShardMetrics metrics;

  bool open() const { return !end_offset.has_value(); }
};

struct Stream {
  catalog::StreamRow row;
  std::string dir;
  // Position == shard index; nullptr where retention removed a closed shard.
  std::vector<std::shared_ptr<Shard>> shards;
  catalog::Tags tags;
  int64_t updating_until_ms = 0;

  // Every shard still stored, in index order.
  template <typename Fn>
  void ForEachShard(Fn&& fn) const {
    for (const auto& s : shards) {
      if (s) fn(*s);
    }
  }
  std::string Tag(std::string_view key) const {
    for (const auto& [k, v] : tags) {
      if (k == key) return v;
    }
    return "";
  }
};

struct StreamManager::Impl {
  StreamManagerOptions options;
  catalog::Catalog& catalog;
  Clock& clock;

  // Guards `streams` and everything inside each Stream except the logs themselves
  // (which are thread-safe). Data-plane calls hold it shared; PutRecords holds it until
  // its appends have offsets, so resharding (exclusive) never closes a shard under one.
  mutable std::shared_mutex mu;
  std::map<std::string, std::shared_ptr<Stream>, std::less<>> streams;

  std::mutex maintenance_mu;
  std::condition_variable maintenance_cv;
  bool stopping = false;
  std::thread maintenance;

  Impl(StreamManagerOptions o, catalog::Catalog& c)
      : options(std::move(o)), catalog(c), clock(options.clock ? *options.clock : Clock::Real()) {}

  int64_t Now() const { return clock.NowMillis(); }
  std::string StatusOf(const Stream& s) const;
  std::string Arn(std::string_view name) const;
  // The stream if it exists (any status), else nullptr. Caller holds `mu`.
  std::shared_ptr<Stream> Find(std::string_view name) const;
  Error NotFound(std::string_view name) const;
  Error NotActive(const Stream& s) const;
  Result<std::unique_ptr<log::Log>> OpenShardLog(const Stream& s, uint32_t index) const;
  std::string SequenceFor(const Stream& s, uint32_t shard, log::Offset offset) const;
  SequenceText SequenceTextFor(const Stream& s, uint32_t shard, log::Offset offset) const {
    return FormatSequenceText({s.row.created_ms, shard, offset});
  }
  bool LimitsOn(const Stream& s) const;
  int64_t OpenShardCountLocked() const;
  // Drops streams whose deletion delay has passed. Caller holds `mu` exclusively.
  void FinishDeletions(std::vector<std::shared_ptr<Stream>>& removed);
  // Forgets closed shards whose every record is past retention. Caller holds `mu`
  // exclusively; the returned shards' files are removed by the caller without the lock.
  void ExpireShards(std::vector<std::pair<std::string, std::shared_ptr<Shard>>>& expired);
  void MaintenanceLoop();
};

}  // namespace sluice::stream
