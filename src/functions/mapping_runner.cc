#include "internal/mapping_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/hash.h"
#include "internal/builtin_impl.h"
#include "internal/mapping_config.h"

namespace sluice::functions::internal {
namespace {

// GetRecords' own limits: records per call, bytes per call.
constexpr int kMaxGetRecords = 10'000;
constexpr size_t kMaxGetRecordsBytes = 10u << 20;

int InvokeErrorStatus(InvokeErrorType t) {
  switch (t) {
    case InvokeErrorType::kResourceNotFound: return 404;
    case InvokeErrorType::kResourceNotReady: return 502;
    case InvokeErrorType::kTooManyRequests: return 429;
    case InvokeErrorType::kRequestTooLarge: return 413;
    case InvokeErrorType::kInvalidRequestContent: return 400;
    case InvokeErrorType::kInvalidRuntime: return 502;
    case InvokeErrorType::kService: return 500;
  }
  return 500;
}

size_t Lane(std::string_view partition_key, int64_t factor) {
  if (factor <= 1) return 0;
  const Md5Digest d = Md5(partition_key);
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | d[i];
  return static_cast<size_t>(h % static_cast<uint64_t>(factor));
}

// Where a ReportBatchItemFailures response says the batch failed: the index of the
// first failed record, nullopt when it reports none, or -1 when it names an item that
// is not in the batch (Lambda then treats the whole batch as failed).
std::optional<int64_t> FirstReportedFailure(std::string_view payload,
                                            const std::vector<std::string_view>& sequence_numbers) {
  const nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find("batchItemFailures");
  if (it == j.end() || !it->is_array() || it->empty()) return std::nullopt;
  int64_t first = -1;
  for (const nlohmann::json& item : *it) {
    const auto id = item.is_object() ? item.find("itemIdentifier") : item.end();
    if (!item.is_object() || id == item.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      return -1;
    }
    const auto pos = std::find(sequence_numbers.begin(), sequence_numbers.end(), id->get_ref<const std::string&>());
    if (pos == sequence_numbers.end()) return -1;
    const int64_t index = pos - sequence_numbers.begin();
    if (first < 0 || index < first) first = index;
  }
  return first;
}

// Tumbling windows: Lambda's cap on a shard's state; past it the window ends early.
constexpr size_t kMaxWindowStateBytes = 1u << 20;
// How long after a window's end the poller, caught up, still waits for records stamped
// before the end to become readable (a put is stamped before its group commit ends).
constexpr int64_t kWindowCloseGraceMs = 1000;

// How many lanes a round has: one with tumbling windows (the state is per shard).
int64_t Lanes(const MappingConfig& c) { return c.tumbling_window_in_seconds > 0 ? 1 : c.parallelization_factor; }

int64_t WindowStartOf(int64_t arrival_ms, int64_t window_ms) {
  const int64_t rem = arrival_ms % window_ms;
  return arrival_ms - (rem < 0 ? rem + window_ms : rem);
}

// The `state` object of a tumbling-window response, as JSON text; nullopt when the
// response has none (Lambda then counts the invocation as failed).
std::optional<std::string> StateOf(std::string_view payload) {
  const nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find("state");
  if (it == j.end() || !it->is_object()) return std::nullopt;
  return it->dump();
}

}  // namespace

MappingRunner::MappingRunner(RunnerDeps deps, MappingInfo info,
                             const std::vector<catalog::MappingCheckpointRow>& checkpoints)
    : deps_(std::move(deps)), info_(std::move(info)) {
  for (const catalog::MappingCheckpointRow& cp : checkpoints) {
    Shard& s = shards_[cp.shard_id];
    s.checkpoint = cp.sequence_number;
    s.read_position = cp.sequence_number;
    s.finished = cp.finished;
    if (cp.window) s.window = Window{cp.window->start_ms, cp.window->end_ms, cp.window->state};
  }
}

MappingInfo MappingRunner::Info() const {
  const MutexLock lock(mu_);
  return info_;
}

bool MappingRunner::gone() const {
  const MutexLock lock(mu_);
  return gone_;
}

bool MappingRunner::backing_off() const {
  const MutexLock lock(mu_);
  return backing_off_;
}

catalog::MappingRow MappingRunner::RowOf(const MappingInfo& info) {
  return {.uuid = info.config.uuid,
          .function_arn = info.config.function_arn,
          .event_source_arn = info.config.event_source_arn,
          .config_json = ConfigToJson(info.config),
          .state = info.state,
          .created_ms = info.created_ms,
          .last_modified_ms = info.last_modified_ms,
          .last_processing_result = info.last_processing_result};
}

Status MappingRunner::Persist() {
  const MutexLock persist(persist_mu_);
  return catalog::UpdateMapping(*deps_.catalog, RowOf(Info()));
}

Result<MappingInfo> MappingRunner::Change(const MappingConfig& config, std::string state, int64_t now_ms) {
  // Durable first, visible second: the poller acts on what it sees (a Deleting mapping
  // removes its row), so it must never see a change the catalog does not hold yet.
  const MutexLock persist(persist_mu_);
  MappingInfo changed = Info();
  changed.config = config;
  changed.state = std::move(state);
  changed.last_modified_ms = now_ms;
  RETURN_IF_ERROR(catalog::UpdateMapping(*deps_.catalog, RowOf(changed)));
  const MutexLock lock(mu_);
  info_.config = changed.config;
  info_.state = changed.state;
  info_.last_modified_ms = changed.last_modified_ms;
  changed.last_processing_result = info_.last_processing_result;
  return changed;
}

void MappingRunner::SetLastResult(std::string result) {
  {
    const MutexLock lock(mu_);
    if (info_.last_processing_result == result) return;
    info_.last_processing_result = std::move(result);
  }
  if (const Status st = Persist(); !st.ok()) {
    spdlog::warn("event-source mapping: saving LastProcessingResult: {}", st.ToString());
  }
}

bool MappingRunner::RunOnce() {
  MappingConfig config;
  std::string state;
  {
    const MutexLock lock(mu_);
    if (gone_) return false;
    config = info_.config;
    state = info_.state;
    backing_off_ = false;
  }
  if (state == "Deleting") {
    const Status st = catalog::RemoveMapping(*deps_.catalog, config.uuid);
    if (!st.ok()) {
      spdlog::warn("event-source mapping {}: removing it: {}", config.uuid, st.ToString());
      return false;
    }
    const MutexLock lock(mu_);
    gone_ = true;
    return true;
  }
  bool progress = false;
  if (state != "Enabled" && state != "Disabled") {
    // Creating, Updating, Enabling, Disabling: the change is in effect from this pass.
    {
      const MutexLock lock(mu_);
      if (info_.state != state) return true;  // changed meanwhile: next pass
      info_.state = config.enabled ? "Enabled" : "Disabled";
      info_.last_modified_ms = deps_.clock->NowMillis();
    }
    if (const Status st = Persist(); !st.ok()) {
      spdlog::warn("event-source mapping {}: saving its state: {}", config.uuid, st.ToString());
    }
    progress = true;
  }
  if (!config.enabled) return CloseAllWindows(config) || progress;
  return Poll(config) || progress;
}

bool MappingRunner::Poll(const MappingConfig& config) {
  // The filters are parsed again only when they change.
  std::string key;
  for (const std::string& p : config.filter_patterns) key += p + '\n';
  if (key != filters_key_) {
    Result<FilterSet> set = FilterSet::Parse(config.filter_patterns);
    if (!set.ok()) return false;  // validated at Create/Update: cannot happen
    filters_ = std::move(*set);
    filters_key_ = key;
  }

  stream::KResult<stream::StreamInfo> desc = deps_.streams->DescribeStream(config.stream_name);
  if (!desc.ok()) {
    SetLastResult("PROBLEM: Stream not found: " + config.event_source_arn);
    return false;
  }
  std::map<std::string, bool> listed;
  for (const stream::ShardInfo& s : desc->shards) {
    Shard& shard = shards_[s.shard_id];
    shard.parents.clear();
    if (s.parent_shard_id) shard.parents.push_back(*s.parent_shard_id);
    if (s.adjacent_parent_shard_id) shard.parents.push_back(*s.adjacent_parent_shard_id);
    listed[s.shard_id] = true;
  }
  std::vector<std::pair<const std::string*, Shard*>> ready;
  for (auto& [id, shard] : shards_) {
    if (shard.finished || !listed.contains(id)) continue;
    // Parents first: a parent still stored must have been read to its end.
    const bool parents_done = std::all_of(shard.parents.begin(), shard.parents.end(), [&](const std::string& p) {
      const auto it = shards_.find(p);
      return !listed.contains(p) || (it != shards_.end() && it->second.finished);
    });
    if (parents_done) ready.emplace_back(&id, &shard);
  }
  // Shards are independent: each works on its own Shard, in parallel when allowed.
  std::vector<char> progress(ready.size(), 0);
  if (deps_.concurrent && ready.size() > 1) {
    std::vector<std::thread> threads;
    for (size_t i = 1; i < ready.size(); ++i) {
      threads.emplace_back([&, i] { progress[i] = ProcessShard(*ready[i].first, *ready[i].second, config); });
    }
    progress[0] = ProcessShard(*ready[0].first, *ready[0].second, config);
    for (std::thread& t : threads) t.join();
  } else {
    for (size_t i = 0; i < ready.size(); ++i) progress[i] = ProcessShard(*ready[i].first, *ready[i].second, config);
  }
  return std::any_of(progress.begin(), progress.end(), [](char p) { return p != 0; });
}

bool MappingRunner::ProcessShard(const std::string& shard_id, Shard& shard, const MappingConfig& config) {
  bool progress = false;
  if (!shard.round) {
    progress |= Fetch(shard_id, shard, config);
    if (const std::optional<WindowClose> close = WindowToClose(shard, config)) {
      progress = true;  // a final invocation was made, or tried
      if (!CloseWindow(shard_id, shard, config, *close)) return progress;
    }
    if (Ready(shard, config)) {
      shard.round = FormRound(shard, config);
      progress = true;
    }
  }
  if (shard.round) progress |= AttemptRound(shard, config);
  if (!shard.round && shard.buffer.empty() && shard.at_end && !shard.finished && !shard.window) {
    shard.finished = true;
    if (const Status st = SaveCheckpoint(shard_id, shard); !st.ok()) {
      shard.finished = false;
      spdlog::warn("event-source mapping {}: checkpoint of {}: {}", config.uuid, shard_id, st.ToString());
      return progress;
    }
    progress = true;
  }
  return progress;
}

bool MappingRunner::Fetch(const std::string& shard_id, Shard& shard, const MappingConfig& config) {
  if (shard.at_end) return false;
  const size_t wanted = static_cast<size_t>(config.batch_size * Lanes(config));
  if (shard.buffer.size() >= wanted || shard.buffer_bytes >= deps_.max_payload_bytes * static_cast<size_t>(Lanes(config))) {
    return false;
  }
  if (shard.iterator.empty()) {
    stream::IteratorRequest req{.stream_name = config.stream_name, .shard_id = shard_id};
    if (!shard.read_position.empty()) {
      req.type = stream::IteratorType::kAfterSequenceNumber;
      req.sequence_number = shard.read_position;
    } else if (config.starting_position == StartingPosition::kTrimHorizon) {
      req.type = stream::IteratorType::kTrimHorizon;
    } else {
      // LATEST is taken as "from the mapping's creation": durable, so a restart before
      // the first record neither skips nor repeats anything.
      req.type = stream::IteratorType::kAtTimestamp;
      req.timestamp_ms = config.starting_position == StartingPosition::kAtTimestamp
                             ? config.starting_position_timestamp_ms.value_or(0)
                             : Info().created_ms;
    }
    stream::KResult<std::string> it = deps_.streams->GetShardIterator(req);
    if (!it.ok()) {
      if (it.error().code == stream::ErrorType::kInvalidArgument && !shard.read_position.empty()) {
        // The position fell out of retention: continue from the oldest record kept.
        shard.read_position.clear();
        req.type = stream::IteratorType::kTrimHorizon;
        it = deps_.streams->GetShardIterator(req);
      }
      if (!it.ok()) return false;
    }
    shard.iterator = std::move(*it);
  }
  const int limit = static_cast<int>(std::min<size_t>(kMaxGetRecords, wanted - shard.buffer.size()));
  stream::KResult<stream::GetRecordsOutput> out =
      deps_.streams->GetRecords(shard.iterator, std::max(limit, 1), kMaxGetRecordsBytes);
  if (!out.ok()) {
    if (out.error().code == stream::ErrorType::kExpiredIterator) shard.iterator.clear();
    return false;
  }
  const int64_t now = deps_.clock->NowMillis();
  shard.caught_up_ms = out->records.empty() ? now : -1;
  if (!shard.id || *shard.id != shard_id) shard.id = std::make_shared<const std::string>(shard_id);
  for (const stream::ReadRecord& r : out->records) {
    Record rec{shard.id, r.sequence_number.str(), std::string(r.partition_key),
               std::string(r.data), r.arrival_ms, true};
    rec.deliver = filters_.MatchesRecord(rec.partition_key, rec.sequence_number, rec.arrival_ms, rec.data);
    if (shard.buffer.empty()) shard.first_buffered_ms = now;
    shard.buffer_bytes += rec.data.size() + rec.partition_key.size();
    shard.read_position = rec.sequence_number;
    shard.buffer.push_back(std::move(rec));
  }
  if (out->next_iterator) {
    shard.iterator = std::move(*out->next_iterator);
  } else {
    shard.iterator.clear();
    shard.at_end = true;
  }
  return !out->records.empty() || shard.at_end;
}

bool MappingRunner::Ready(const Shard& shard, const MappingConfig& config) const {
  if (shard.buffer.empty()) return false;
  if (config.maximum_batching_window_in_seconds == 0 || shard.at_end) return true;
  const size_t wanted = static_cast<size_t>(config.batch_size * Lanes(config));
  const size_t deliverable = static_cast<size_t>(
      std::count_if(shard.buffer.begin(), shard.buffer.end(), [](const Record& r) { return r.deliver; }));
  if (deliverable >= wanted) return true;
  if (shard.buffer_bytes >= deps_.max_payload_bytes * static_cast<size_t>(Lanes(config))) {
    return true;
  }
  return deps_.clock->NowMillis() - shard.first_buffered_ms >=
         config.maximum_batching_window_in_seconds * 1000;
}

MappingRunner::Round MappingRunner::FormRound(Shard& shard, const MappingConfig& config) const {
  Round round;
  const size_t wanted = static_cast<size_t>(config.batch_size * Lanes(config));
  const int64_t window_ms = config.tumbling_window_in_seconds * 1000;
  size_t deliverable = 0;
  while (!shard.buffer.empty()) {
    Record& r = shard.buffer.front();
    if (r.deliver && deliverable == wanted) break;
    if (r.deliver && window_ms > 0) {
      // One window per round: its records share the window's state.
      const int64_t start = WindowStartOf(r.arrival_ms, window_ms);
      if (round.window_start_ms && *round.window_start_ms != start) break;
      round.window_start_ms = start;
    }
    deliverable += r.deliver ? 1 : 0;
    shard.buffer_bytes -= r.data.size() + r.partition_key.size();
    round.records.push_back(std::move(r));
    shard.buffer.pop_front();
  }
  if (!shard.buffer.empty()) shard.first_buffered_ms = deps_.clock->NowMillis();
  round.last_sequence = round.records.back().sequence_number;

  // Lanes by partition key, then batches cut at BatchSize and at the payload limit.
  // The event's size depends on the role ARN (invokeIdentityArn): take the function's,
  // or allow for the longest one IAM gives out when it cannot be looked up now.
  const Expected<ResolvedFunction, InvokeError> fn = deps_.invoker->Resolve(config.function_arn);
  const std::string role_allowance(2048, 'x');
  EventSource src = Source(config, fn.ok() ? &*fn : nullptr);
  if (!fn.ok()) src.invoke_identity_arn = role_allowance;
  round.lanes.resize(static_cast<size_t>(Lanes(config)));
  // A window's event also carries its state: room for the largest one kept (a larger
  // one ends the window before the next invocation) and the other window members.
  const size_t envelope =
      kEventEnvelopeBytes +
      (window_ms > 0 ? WindowFieldsSize({.state = "", .shard_id = *shard.id}, src) + kMaxWindowStateBytes : 0);
  std::vector<size_t> lane_bytes(round.lanes.size(), envelope);
  const size_t source_size = SourceJsonSize(src);
  for (size_t i = 0; i < round.records.size(); ++i) {
    const Record& r = round.records[i];
    if (!r.deliver) continue;
    const size_t lane = Lane(r.partition_key, Lanes(config));
    const size_t bytes =
        RecordJsonSize({*r.shard_id, r.sequence_number, r.partition_key, r.data, r.arrival_ms}, source_size) + 1;
    std::deque<Batch>& q = round.lanes[lane];
    if (q.empty() || q.back().records.size() >= static_cast<size_t>(config.batch_size) ||
        lane_bytes[lane] + bytes > deps_.max_payload_bytes) {
      q.emplace_back();
      lane_bytes[lane] = envelope;
    }
    q.back().records.push_back(i);
    lane_bytes[lane] += bytes;
  }
  return round;
}

bool MappingRunner::AttemptRound(Shard& shard, const MappingConfig& config) {
  Round& round = *shard.round;
  Window* window = nullptr;
  if (round.window_start_ms && config.tumbling_window_in_seconds > 0) {
    // The round's window opens with a fresh state (an open window other than it was
    // closed before the round was formed).
    if (!shard.window) {
      shard.window = Window{*round.window_start_ms, *round.window_start_ms + config.tumbling_window_in_seconds * 1000};
    }
    window = &*shard.window;
  }
  std::vector<std::deque<Batch>*> busy;
  for (std::deque<Batch>& lane : round.lanes) {
    if (!lane.empty()) busy.push_back(&lane);
  }
  bool progress = false;
  if (!busy.empty()) {
    std::vector<Outcome> outcomes(busy.size(), Outcome::kKeep);
    if (deps_.concurrent && busy.size() > 1) {
      std::vector<std::thread> threads;
      for (size_t i = 1; i < busy.size(); ++i) {
        threads.emplace_back([&, i] { outcomes[i] = Attempt(round, *busy[i], config, window); });
      }
      outcomes[0] = Attempt(round, *busy[0], config, window);
      for (std::thread& t : threads) t.join();
    } else {
      for (size_t i = 0; i < busy.size(); ++i) outcomes[i] = Attempt(round, *busy[i], config, window);
    }
    for (size_t i = 0; i < busy.size(); ++i) {
      if (outcomes[i] == Outcome::kDone) busy[i]->pop_front();
    }
    progress = true;
  }
  const bool done = std::all_of(round.lanes.begin(), round.lanes.end(),
                                [](const std::deque<Batch>& l) { return l.empty(); });
  if (!done) return progress;
  const std::string previous = shard.checkpoint;
  shard.checkpoint = round.last_sequence;
  const std::string shard_id = *round.records.front().shard_id;
  if (const Status st = SaveCheckpoint(shard_id, shard); !st.ok()) {
    shard.checkpoint = previous;  // the round is delivered again: at-least-once
    spdlog::warn("event-source mapping {}: checkpoint of {}: {}", config.uuid, shard_id, st.ToString());
    return progress;
  }
  shard.round.reset();
  return true;
}

void MappingRunner::ReportIteratorAge(std::string_view function, std::string_view mapping,
                                      int64_t last_arrival_ms) const {
  if (deps_.metrics == nullptr) return;
  deps_.metrics->IteratorAge(function, mapping,
                             static_cast<double>(std::max<int64_t>(0, deps_.clock->NowMillis() - last_arrival_ms)));
}

EventSource MappingRunner::Source(const MappingConfig& config, const ResolvedFunction* fn) const {
  return {config.event_source_arn, deps_.region, fn != nullptr ? std::string_view(fn->role) : std::string_view()};
}

MappingRunner::Outcome MappingRunner::Attempt(Round& round, std::deque<Batch>& lane, const MappingConfig& config,
                                              Window* window) {
  Batch& batch = lane.front();
  const int64_t now = deps_.clock->NowMillis();
  const std::string& shard_id = *round.records.front().shard_id;

  // A state past Lambda's cap ends the window early; it goes on with a fresh state.
  if (window != nullptr && window->state.size() > kMaxWindowStateBytes) {
    if (!InvokeFinal(shard_id, *window, config, /*early=*/true)) {
      BackOff();
      return Outcome::kKeep;
    }
    window->state = "{}";
  }

  // Records older than MaximumRecordAgeInSeconds are given up before any invocation.
  if (config.maximum_record_age_in_seconds >= 0) {
    const int64_t oldest_allowed = now - config.maximum_record_age_in_seconds * 1000;
    std::vector<size_t> expired, fresh;
    for (const size_t i : batch.records) {
      (round.records[i].arrival_ms < oldest_allowed ? expired : fresh).push_back(i);
    }
    if (!expired.empty()) {
      if (!Discard(round, expired, batch, "RecordAgeExceeded", config)) return Outcome::kKeep;
      batch.records = std::move(fresh);
      if (batch.records.empty()) return Outcome::kDone;
    }
  }

  std::vector<KinesisRecordView> views;
  std::vector<std::string_view> sequence_numbers;
  views.reserve(batch.records.size());
  for (const size_t i : batch.records) {
    const Record& r = round.records[i];
    views.push_back({*r.shard_id, r.sequence_number, r.partition_key, r.data, r.arrival_ms});
    sequence_numbers.push_back(r.sequence_number);
  }

  // Invoke: a built-in's fast path, or the function through the Invoker.
  Expected<InvokeOutcome, InvokeError> result = InvokeError{InvokeErrorType::kService, ""};
  Expected<ResolvedFunction, InvokeError> fn = deps_.invoker->Resolve(config.function_arn);
  const bool builtin_fn = fn.ok() && !BuiltinNameFromHandler(fn->handler).empty();
  if (!fn.ok()) {
    result = fn.error();
  } else if (const std::string_view builtin = BuiltinNameFromHandler(fn->handler); !builtin.empty()) {
    if (!views.empty()) ReportIteratorAge(fn->name, config.uuid, views.back().approximate_arrival_ms);
    auto impl = MakeBuiltin(builtin, {.variables = fn->environment, .store = deps_.store, .sink = deps_.sink,
                                      .registry = deps_.metrics != nullptr ? &deps_.metrics->registry() : nullptr,
                                      .function_name = fn->name});
    if (impl.ok()) {
      if (deps_.metrics != nullptr) deps_.metrics->Started(fn->name);
      const int64_t started = deps_.clock->NowMillis();
      result = (*impl)->HandleRecords(views);
      if (deps_.metrics != nullptr) {
        deps_.metrics->Finished(fn->name, static_cast<double>(deps_.clock->NowMillis() - started),
                                !result.ok() || result->function_error != FunctionError::kNone);
      }
      if (deps_.builtin_log != nullptr) deps_.builtin_log->Write(fn->name, fn->memory_mb, started, *result);
    } else {
      result = impl.error();
      if (deps_.builtin_log != nullptr) {
        deps_.builtin_log->Write(fn->name, fn->memory_mb, deps_.clock->NowMillis(),
                                 FunctionFailure("Runtime.InvalidEntrypoint", impl.error().message));
      }
    }
  } else {
    if (!views.empty()) ReportIteratorAge(fn->name, config.uuid, views.back().approximate_arrival_ms);
    std::optional<WindowFields> fields;
    if (window != nullptr) fields = WindowFields{window->start_ms, window->end_ms, window->state, shard_id};
    result = deps_.invoker->Invoke(
        {config.function_arn, BuildKinesisEvent(views, Source(config, &*fn), fields ? &*fields : nullptr)});
  }
  ++batch.invocations;

  // A window's invocation must answer with its state (a built-in keeps none).
  std::optional<std::string> state;
  if (window != nullptr && result.ok() && result->function_error == FunctionError::kNone) {
    state = builtin_fn ? std::optional<std::string>("{}") : StateOf(result->payload);
    if (!state) result->function_error = FunctionError::kUnhandled;
  }

  // Which records failed: none, all, or those from the first reported item failure on.
  size_t failed_from = 0;
  bool may_bisect = true;
  if (!result.ok()) {
    batch.last_response = ResponseContext{InvokeErrorStatus(result.error().code), ""};
    may_bisect = false;
    SetLastResult("PROBLEM: Function call failed");
  } else if (result->function_error != FunctionError::kNone) {
    batch.last_response = ResponseContext{
        200, result->function_error == FunctionError::kHandled ? "Handled" : "Unhandled"};
    SetLastResult("PROBLEM: Function call failed");
  } else {
    batch.last_response = ResponseContext{200, ""};
    if (state) window->state = std::move(*state);
    std::optional<int64_t> first;
    if (config.report_batch_item_failures) first = FirstReportedFailure(result->payload, sequence_numbers);
    if (!first) {
      SetLastResult("OK");
      return Outcome::kDone;
    }
    failed_from = *first < 0 ? 0 : static_cast<size_t>(*first);
    SetLastResult(*first < 0 ? "PROBLEM: Function call failed" : "OK");
  }
  // The records before the first reported failure are done.
  batch.records.erase(batch.records.begin(), batch.records.begin() + static_cast<std::ptrdiff_t>(failed_from));
  if (config.bisect_batch_on_function_error && may_bisect && batch.records.size() > 1) {
    // Splitting does not count as a retry (Lambda's rule).
    Batch second;
    const size_t half = batch.records.size() / 2;
    second.records.assign(batch.records.begin() + static_cast<std::ptrdiff_t>(half), batch.records.end());
    second.retries = batch.retries;
    batch.records.resize(half);
    batch.invocations = 0;
    lane.insert(lane.begin() + 1, std::move(second));
    return Outcome::kKeep;
  }
  if (config.maximum_retry_attempts >= 0 && batch.retries >= config.maximum_retry_attempts) {
    return Discard(round, batch.records, batch, "RetryAttemptsExhausted", config) ? Outcome::kDone : Outcome::kKeep;
  }
  ++batch.retries;
  BackOff();  // a retry waits the backoff; a split or a discard goes on at once
  return Outcome::kKeep;
}

void MappingRunner::BackOff() {
  const MutexLock lock(mu_);
  backing_off_ = true;
}

std::optional<MappingRunner::WindowClose> MappingRunner::WindowToClose(const Shard& shard,
                                                                       const MappingConfig& config) const {
  if (!shard.window) return std::nullopt;
  const Window& w = *shard.window;
  const int64_t window_ms = config.tumbling_window_in_seconds * 1000;
  if (window_ms != w.end_ms - w.start_ms) return WindowClose{.early = true};  // W changed (or is 0 now)
  if (w.state.size() > kMaxWindowStateBytes) return WindowClose{.early = true, .reopen = true};
  // The shard's next record to deliver: a later window's closes this one.
  for (const Record& r : shard.buffer) {
    if (!r.deliver) continue;
    if (WindowStartOf(r.arrival_ms, window_ms) == w.start_ms) return std::nullopt;
    return WindowClose{};
  }
  const int64_t now = deps_.clock->NowMillis();
  if (shard.at_end && shard.buffer.empty()) return WindowClose{.early = now < w.end_ms};  // resharding
  if (shard.caught_up_ms >= w.end_ms + kWindowCloseGraceMs) return WindowClose{};
  return std::nullopt;
}

bool MappingRunner::InvokeFinal(const std::string& shard_id, const Window& window, const MappingConfig& config,
                                bool early) {
  Expected<ResolvedFunction, InvokeError> fn = deps_.invoker->Resolve(config.function_arn);
  if (!fn.ok()) {
    SetLastResult("PROBLEM: Function call failed");
    return false;
  }
  if (!BuiltinNameFromHandler(fn->handler).empty()) return true;  // a built-in keeps no state
  const WindowFields fields{window.start_ms, window.end_ms, window.state, shard_id, /*final_invoke=*/true, early};
  const Expected<InvokeOutcome, InvokeError> result =
      deps_.invoker->Invoke({config.function_arn, BuildKinesisEvent({}, Source(config, &*fn), &fields)});
  // As every invocation of a window, the final one must answer with a state; a failed
  // one is tried again until it succeeds (Lambda suspends the shard meanwhile).
  const bool ok = result.ok() && result->function_error == FunctionError::kNone && StateOf(result->payload);
  SetLastResult(ok ? "OK" : "PROBLEM: Function call failed");
  return ok;
}

bool MappingRunner::CloseWindow(const std::string& shard_id, Shard& shard, const MappingConfig& config,
                                WindowClose how) {
  if (!InvokeFinal(shard_id, *shard.window, config, how.early)) {
    BackOff();
    return false;
  }
  const std::optional<Window> previous = shard.window;
  if (how.reopen) {
    shard.window->state = "{}";
  } else {
    shard.window.reset();
  }
  if (const Status st = SaveCheckpoint(shard_id, shard); !st.ok()) {
    // The final invocation is made again: at-least-once, as every delivery.
    shard.window = previous;
    spdlog::warn("event-source mapping {}: checkpoint of {}: {}", config.uuid, shard_id, st.ToString());
    BackOff();
    return false;
  }
  return true;
}

bool MappingRunner::CloseAllWindows(const MappingConfig& config) {
  bool progress = false;
  for (auto& [id, shard] : shards_) {
    if (!shard.window) continue;
    CloseWindow(id, shard, config, {.early = true});
    progress = true;  // a final invocation was made, or tried
  }
  return progress;
}

bool MappingRunner::Discard(const Round& round, const std::vector<size_t>& records, const Batch& batch,
                            std::string_view condition, const MappingConfig& config) {
  const std::string bucket = BucketFromArn(config.on_failure_destination);
  if (bucket.empty()) {
    spdlog::warn("event-source mapping {}: {} records of {} given up ({}), no on-failure destination",
                 config.uuid, records.size(), *round.records.front().shard_id, condition);
    return true;
  }
  if (deps_.store == nullptr) return false;
  std::vector<KinesisRecordView> views;
  for (const size_t i : records) {
    const Record& r = round.records[i];
    views.push_back({*r.shard_id, r.sequence_number, r.partition_key, r.data, r.arrival_ms});
  }
  Expected<ResolvedFunction, InvokeError> fn = deps_.invoker->Resolve(config.function_arn);
  const FailureRecord f{.mapping_uuid = config.uuid,
                        .function_arn = config.function_arn,
                        .condition = std::string(condition),
                        .invoke_count = batch.invocations,
                        .response = batch.invocations > 0 ? batch.last_response : std::nullopt,
                        .now_ms = deps_.clock->NowMillis()};
  const auto st = WriteOnFailure(*deps_.store, bucket, f, views, Source(config, fn.ok() ? &*fn : nullptr));
  if (!st.ok()) {
    spdlog::warn("event-source mapping {}: writing the on-failure record to {}: {}", config.uuid,
                 bucket, st.error().message);
    return false;
  }
  return true;
}

Status MappingRunner::SaveCheckpoint(const std::string& shard_id, const Shard& shard) {
  const std::string uuid = Info().config.uuid;
  catalog::MappingCheckpointRow row{shard_id, shard.checkpoint, shard.finished, std::nullopt};
  if (shard.window) {
    row.window = catalog::MappingCheckpointRow::Window{shard.window->start_ms, shard.window->end_ms, shard.window->state};
  }
  return catalog::SaveMappingCheckpoint(*deps_.catalog, uuid, row);
}

}  // namespace sluice::functions::internal
