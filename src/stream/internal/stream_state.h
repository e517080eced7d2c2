// Internal to the stream module: the in-memory state behind StreamManager. Only
// sluice_stream's own sources can include it (PRIVATE include directory, and the guard
// below).
#pragma once

#ifndef SLUICE_STREAM_INTERNAL
#error "stream/internal/ is private to the stream module; use stream/stream_manager.h"
#endif

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "catalog/streams.h"
#include "log/file_cache.h"
#include "log/log.h"
#include "stream/hash_key.h"
#include "stream/sequence_number.h"
#include "stream/stream_manager.h"
#include "stream/throughput.h"
#include "stream_metrics.h"

namespace sluice::stream {

// Locking, outermost first:
//   Impl::control_mu  serializes control-plane changes (create, delete, reshard,
//                     retention, tags, maintenance). Catalog commits and log opens run
//                     under it and under nothing else, so they never stall data-plane
//                     calls on other streams.
//   Impl::mu          guards the name -> stream map only; held exclusively just to
//                     insert or erase an entry.
//   Stream::mu        guards one stream's changing state (below). Data-plane calls on
//                     the stream hold it shared; changes hold it exclusively only to
//                     publish, except a reshard, which holds it across the parents'
//                     final sync and the catalog commit that fixes their ends (puts to
//                     the stream being resharded must wait for that; others do not).
// Never take a lock above one already held (shared included).

struct Shard {
  // Fixed once the shard is published.
  uint32_t index = 0;
  HashRange range;
  std::optional<uint32_t> parent;
  std::optional<uint32_t> adjacent_parent;
  int64_t created_ms = 0;

  // Guarded by the owning Stream::mu (which the analysis cannot name from here).
  // Closed shards: one past the last record, and when. Set after the log is closed,
  // so no append can land beyond it.
  std::optional<log::Offset> end_offset;
  int64_t closed_ms = 0;
  // Shared: a reader that copied it keeps reading even if a failed reshard swaps in a
  // reopened log.
  std::shared_ptr<log::Log> log;

  ShardLimiter limiter;  // thread-safe
  struct ShardMetrics metrics;  // atomics
  // Its CloudWatch handles, taken when a shard-level metric first needs them.
  LazyShardHandles cloudwatch;

  bool open() const { return !end_offset.has_value(); }
};

struct Stream {
  explicit Stream(const catalog::StreamRow& row, std::string stream_dir)
      : id(row.id),
        name(row.name),
        created_ms(row.created_ms),
        mode(row.mode),
        max_record_kib(row.max_record_kib),
        dir(std::move(stream_dir)) {}

  // Fixed at creation.
  const int64_t id;
  const std::string name;
  const int64_t created_ms;
  const std::string mode;
  const int64_t max_record_kib;
  const std::string dir;
  // Its CloudWatch handles (set before the stream is published, then fixed), and the
  // shard-level metrics enabled for it (a ShardLevelMetric mask).
  std::unique_ptr<StreamHandles> cloudwatch;
  std::atomic<uint32_t> shard_level{0};

  mutable SharedMutex mu;
  int64_t retention_hours GUARDED_BY(mu) = 24;
  std::optional<int64_t> deleted_ms GUARDED_BY(mu);  // set once DeleteStream was accepted
  // Position == shard index; nullptr where retention removed a closed shard.
  std::vector<std::shared_ptr<Shard>> shards GUARDED_BY(mu);
  catalog::Tags tags GUARDED_BY(mu);  // by key
  int64_t updating_until_ms GUARDED_BY(mu) = 0;
  // When UpdateShardCount resharded the stream, oldest first (the catalog keeps a copy,
  // so the rolling 24-hour limit survives restarts). Changed only under control_mu.
  std::vector<int64_t> shard_count_updates GUARDED_BY(mu);

  // Every shard still stored, in index order.
  template <typename Fn>
  void ForEachShard(Fn&& fn) const REQUIRES_SHARED(mu) {
    for (const auto& s : shards) {
      if (s) fn(*s);
    }
  }
  std::string Tag(std::string_view key) const REQUIRES_SHARED(mu) {
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
  metrics::Registry& metrics;
  // Shared by every shard log; declared before the streams so that it outlives them.
  const std::unique_ptr<log::FileCache> file_cache;

  Mutex control_mu ACQUIRED_BEFORE(mu);
  mutable SharedMutex mu;
  std::map<std::string, std::shared_ptr<Stream>, std::less<>> streams GUARDED_BY(mu);

  Mutex maintenance_mu;
  CondVar maintenance_cv;
  bool stopping GUARDED_BY(maintenance_mu) = false;
  std::thread maintenance;

  Impl(StreamManagerOptions o, catalog::Catalog& c)
      : options(std::move(o)),
        catalog(c),
        clock(options.clock ? *options.clock : Clock::Real()),
        metrics(options.metrics ? *options.metrics : metrics::NullRegistry()),
        file_cache(std::make_unique<log::FileCache>(options.segment_file_cache)) {}

  int64_t Now() const { return clock.NowMillis(); }
  std::string StatusOf(const Stream& s) const REQUIRES_SHARED(s.mu);
  std::string Arn(std::string_view name) const;
  // The stream if it exists (any status), else nullptr.
  std::shared_ptr<Stream> Find(std::string_view name) const EXCLUDES(mu);
  // Every stream, by name.
  std::vector<std::shared_ptr<Stream>> AllStreams() const EXCLUDES(mu);
  Error NotFound(std::string_view name) const;
  Error NotActive(const Stream& s) const REQUIRES_SHARED(s.mu);
  Result<std::unique_ptr<log::Log>> OpenShardLog(const Stream& s, uint32_t index) const;
  std::string SequenceFor(const Stream& s, uint32_t shard, log::Offset offset) const;
  SequenceText SequenceTextFor(const Stream& s, uint32_t shard, log::Offset offset) const {
    return FormatSequenceText({s.created_ms, shard, offset});
  }
  bool LimitsOn(const Stream& s) const REQUIRES_SHARED(s.mu);
  // Takes the stream's CloudWatch handles and loads its shard-level metrics; before
  // the stream is published.
  void AttachMetrics(Stream& s) const;
  // The shard's handles if any shard-level metric is on for the stream, else null.
  const ShardHandles* ShardCloudWatch(const Stream& s, const Shard& shard) const {
    if (s.shard_level.load(std::memory_order_relaxed) == 0) return nullptr;
    return &shard.cloudwatch.Get(metrics, s.name, shard.index);
  }
  // Open shards across all streams. Takes `mu` and every stream's lock shared.
  int64_t OpenShardCount() const EXCLUDES(mu);
  // Forgets streams whose deletion delay has passed: each leaves the catalog, then the
  // map. The caller closes their logs and removes their files, without any lock.
  void FinishDeletions(std::vector<std::shared_ptr<Stream>>& removed) REQUIRES(control_mu) EXCLUDES(mu);
  // Forgets closed shards whose every record is past retention; the caller closes and
  // removes the returned shards without any lock.
  void ExpireShards(std::vector<std::pair<std::string, std::shared_ptr<Shard>>>& expired)
      REQUIRES(control_mu) EXCLUDES(mu);
  // Deletes expired segments of every shard's log; no manager lock is held meanwhile.
  void ApplyLogRetention() EXCLUDES(mu);
  void MaintenanceLoop() EXCLUDES(maintenance_mu);
};

}  // namespace sluice::stream
