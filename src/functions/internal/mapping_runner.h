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
// Tumbling windows (TumblingWindowInSeconds W > 0; docs/functions.md "Tumbling
// windows"): a record belongs to the window [k·W, (k+1)·W) holding its arrival time. A
// round then holds one window's records and one lane (ParallelizationFactor does not
// apply: the state is per shard). Each invocation gets the window's state, the `state`
// object the previous invocation returned; the response must carry one. The window
// closes with a final invocation (no records, isFinalInvokeForWindow) when the shard's
// next record belongs to a later window, when the poller is caught up a grace period
// after the window's end, or early (isWindowTerminatedEarly) when the shard ends first,
// the mapping is disabled or its W changes, or the state outgrew 1 MB (the window then
// goes on with a fresh state). The window and its state are saved with the checkpoint.
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
#include "internal/builtin_log.h"
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
  BuiltinLog* builtin_log = nullptr;  // the log lines of built-ins run in place
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
    std::optional<int64_t> window_start_ms;  // tumbling: the window of its records to deliver
  };
  struct Window {
    int64_t start_ms = 0;
    int64_t end_ms = 0;
    std::string state = "{}";  // the JSON object the function last returned
  };
  // Why an open window closes now.
  struct WindowClose {
    bool early = false;   // isWindowTerminatedEarly
    bool reopen = false;  // the same window goes on with a fresh state (state too large)
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
    std::optional<Window> window;  // tumbling: the open window (durable with the checkpoint)
    int64_t caught_up_ms = -1;     // when GetRecords last found nothing new; -1: it found some
  };
  enum class Outcome { kDone, kKeep };

  bool Poll(const MappingConfig& config);
  bool ProcessShard(const std::string& shard_id, Shard& shard, const MappingConfig& config);
  bool Fetch(const std::string& shard_id, Shard& shard, const MappingConfig& config);
  bool Ready(const Shard& shard, const MappingConfig& config) const;
  Round FormRound(Shard& shard, const MappingConfig& config) const;
  bool AttemptRound(Shard& shard, const MappingConfig& config);
  // `window`: the shard's open tumbling window, or null without tumbling windows.
  Outcome Attempt(Round& round, std::deque<Batch>& lane, const MappingConfig& config, Window* window);
  // Whether the shard's open window closes now, and how.
  std::optional<WindowClose> WindowToClose(const Shard& shard, const MappingConfig& config) const;
  // The final invocation of the shard's window, then the window dropped (or restarted)
  // with the checkpoint. False when either failed (tried again on a later pass).
  bool CloseWindow(const std::string& shard_id, Shard& shard, const MappingConfig& config, WindowClose how);
  bool InvokeFinal(const std::string& shard_id, const Window& window, const MappingConfig& config, bool early);
  // Every open window ends early (the mapping was disabled).
  bool CloseAllWindows(const MappingConfig& config);
  void BackOff();
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
