// MappingRunner: one event-source mapping's poller. It owns the mapping's live state
// (settings, State, LastProcessingResult) and, per shard, the read position, the records
// read ahead and the round being delivered. See event_source_mappings.h for the
// semantics; this file is the mechanism:
//
//   shard ──GetRecords──▶ buffer ──(batch full / window over / shard end)──▶ round
//   round = the next up to BatchSize × ParallelizationFactor records, split into lanes
//           by partition key (lane = hash % factor), each lane a queue of batches cut
//           at BatchSize and at the payload limit; lanes run concurrently, a lane's
//           batches in order. A failed batch is retried, bisected, cut at the first
//           reported item failure, or given to the on-failure destination.
//   checkpoint = the last record of a round once every lane is empty.
//
// Threading: RunOnce runs on one thread at a time (the poller's, or a test's); the
// accessors and SetSettings/SetState may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "catalog/catalog.h"
#include "catalog/mappings.h"
#include "functions/event_source_mappings.h"
#include "internal/event_filter.h"
#include "internal/kinesis_event.h"
#include "internal/lambda_metrics.h"
#include "internal/on_failure.h"

namespace sluice::functions::internal {

struct RunnerDeps {
  catalog::Catalog* catalog = nullptr;
  stream::StreamManager* streams = nullptr;
  Invoker* invoker = nullptr;
  Clock* clock = nullptr;
  objects::ObjectStore* store = nullptr;
  RecordSink* sink = nullptr;
  std::string region;
  size_t max_payload_bytes = 6u << 20;
  bool concurrent = true;  // false: shards and lanes run one after another (tests)
  LambdaMetrics* metrics = nullptr;  // IteratorAge, and the metrics of built-ins run in place
};

class MappingRunner {
 public:
  MappingRunner(RunnerDeps deps, MappingInfo info,
                const std::vector<catalog::MappingCheckpointRow>& checkpoints);

  // One pass (see MappingManager::RunOnce). Returns whether anything happened.
  bool RunOnce();

  MappingInfo Info() const;
  // Replaces settings and state and makes the row durable (Update, Delete); returns the
  // mapping as changed (the poller may move its state on at once).
  Result<MappingInfo> Change(const MappingConfig& config, std::string state, int64_t now_ms);
  // Whether the mapping was deleted and its rows removed: the runner is finished.
  bool gone() const;
  // Whether the last pass failed a batch (the poller then waits its backoff).
  bool backing_off() const;

 private:
  struct Record {
    std::shared_ptr<const std::string> shard_id;  // its shard's, shared: no copy per record
    std::string sequence_number;
    std::string partition_key;
    std::string data;
    int64_t arrival_ms = 0;
    bool deliver = true;  // false: no filter matched; skipped but checkpointed past
  };
  struct Batch {
    std::vector<size_t> records;  // indexes into Round::records, in order
    int64_t retries = 0;
    int64_t invocations = 0;
    std::optional<ResponseContext> last_response;
  };
  struct Round {
    std::vector<Record> records;
    std::vector<std::deque<Batch>> lanes;
    std::string last_sequence;
  };
  struct Shard {
    std::shared_ptr<const std::string> id;  // what its records point at (Fetch sets it)
    std::vector<std::string> parents;
    std::string checkpoint;     // last sequence number done with (durable)
    std::string read_position;  // last sequence number read into the buffer
    std::string iterator;
    bool at_end = false;        // GetRecords said the shard is closed and read out
    bool finished = false;      // at_end, and everything read was done with (durable)
    std::deque<Record> buffer;
    size_t buffer_bytes = 0;
    int64_t first_buffered_ms = 0;
    std::optional<Round> round;
  };
  enum class Outcome { kDone, kKeep };

  bool Poll(const MappingConfig& config);
  bool ProcessShard(const std::string& shard_id, Shard& shard, const MappingConfig& config);
  bool Fetch(const std::string& shard_id, Shard& shard, const MappingConfig& config);
  bool Ready(const Shard& shard, const MappingConfig& config) const;
  Round FormRound(Shard& shard, const MappingConfig& config) const;
  bool AttemptRound(Shard& shard, const MappingConfig& config);
  Outcome Attempt(Round& round, std::deque<Batch>& lane, const MappingConfig& config);
  // Gives `records` up: to the on-failure destination when there is one. False when
  // that write failed (the records stay, to be tried again).
  bool Discard(const Round& round, const std::vector<size_t>& records, const Batch& batch,
               std::string_view condition, const MappingConfig& config);
  Status SaveCheckpoint(const std::string& shard_id, const Shard& shard);
  void SetLastResult(std::string result);
  Status Persist();
  static catalog::MappingRow RowOf(const MappingInfo& info);
  EventSource Source(const MappingConfig& config, const ResolvedFunction* fn) const;
  // IteratorAge of a batch about to be invoked: now minus its last record's arrival.
  void ReportIteratorAge(std::string_view function, std::string_view mapping, int64_t last_arrival_ms) const;

  const RunnerDeps deps_;

  mutable Mutex mu_;
  MappingInfo info_ GUARDED_BY(mu_);
  bool gone_ GUARDED_BY(mu_) = false;
  bool backing_off_ GUARDED_BY(mu_) = false;
  // Serializes catalog writes of the row, so the last write holds the newest state.
  Mutex persist_mu_;

  // Poller-thread state: only RunOnce touches it.
  std::map<std::string, Shard> shards_;
  std::string filters_key_;
  FilterSet filters_;
};

}  // namespace sluice::functions::internal
