// Internal to the stream module: the in-memory state behind StreamManager.
#pragma once

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
#include "stream/stream_manager.h"

namespace sluice::stream {

struct Shard {
  uint32_t index = 0;
  HashRange range;
  std::optional<uint32_t> parent;
  std::optional<uint32_t> adjacent_parent;
  int64_t created_ms = 0;
  std::optional<log::Offset> end_offset;  // closed shards: one past the last record
  std::unique_ptr<log::Log> log;

  bool open() const { return !end_offset.has_value(); }
};

struct Stream {
  catalog::StreamRow row;
  std::string dir;
  std::vector<std::shared_ptr<Shard>> shards;  // position == shard index
  catalog::Tags tags;
};

struct StreamManager::Impl {
  StreamManagerOptions options;
  catalog::Catalog& catalog;
  Clock& clock;

  // Guards `streams` and everything inside each Stream except the logs themselves
  // (which are thread-safe). Data-plane calls hold it shared.
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
  Result<std::unique_ptr<log::Log>> OpenShardLog(const Stream& s, uint32_t index) const;
  std::string SequenceFor(const Stream& s, uint32_t shard, log::Offset offset) const;
  // Drops streams whose deletion delay has passed. Caller holds `mu` exclusively.
  void FinishDeletions(std::vector<std::shared_ptr<Stream>>& removed);
  void MaintenanceLoop();
};

}  // namespace sluice::stream
