// The data plane: PutRecords, GetShardIterator, GetRecords.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>

#include <fmt/format.h>

#include "stream/sequence_number.h"
#include "stream/shard_iterator.h"
#include "stream/stream_manager.h"
#include "stream_state.h"

namespace sluice::stream {
namespace {

// The open shard whose range holds `key`; open shards partition the space, so
// exactly one does.
std::shared_ptr<Shard> ShardFor(const Stream& s, uint128 key) REQUIRES_SHARED(s.mu) {
  for (const auto& shard : s.shards) {
    if (shard && shard->open() && shard->range.Contains(key)) return shard;
  }
  return nullptr;
}

// Everything one PutRecords call waits for: one append per shard it touched.
struct PutState {
  std::vector<PutOutcome> outcomes;
  std::atomic<size_t> pending{0};
  StreamManager::PutCallback done;
  // For the call's metrics: what was appended, and when the call started.
  const StreamHandles* cloudwatch = nullptr;
  StreamManager::PutApi api = StreamManager::PutApi::kInProcess;
  std::chrono::steady_clock::time_point started;
  std::atomic<int64_t> ok_bytes{0};
  std::atomic<int64_t> ok_records{0};
};

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// Reports the call's stream-level metrics, then answers it.
void FinishPut(PutState& state) {
  const StreamHandles& m = *state.cloudwatch;
  const int64_t ok_records = state.ok_records.load();
  const int64_t ok_bytes = state.ok_bytes.load();
  if (ok_records > 0) {
    m.incoming_bytes.Add(static_cast<double>(ok_bytes));
    m.incoming_records.Add(static_cast<double>(ok_records));
  }
  const double latency = MillisSince(state.started);
  if (state.api == StreamManager::PutApi::kPutRecord) {
    m.put_record_success.Add(ok_records > 0 ? 1 : 0);
    if (ok_records > 0) {
      m.put_record_bytes.Add(static_cast<double>(ok_bytes));
      m.put_record_latency.Record(latency);
    }
  } else if (state.api == StreamManager::PutApi::kPutRecords) {
    int64_t throttled = 0;
    for (const PutOutcome& o : state.outcomes) {
      if (o.error_code == "ProvisionedThroughputExceededException") ++throttled;
    }
    const auto total = static_cast<int64_t>(state.outcomes.size());
    m.put_records_success.Add(ok_records > 0 ? 1 : 0);
    m.put_records_total.Add(static_cast<double>(total));
    m.put_records_successful.Add(static_cast<double>(ok_records));
    m.put_records_throttled.Add(static_cast<double>(throttled));
    m.put_records_failed.Add(static_cast<double>(total - ok_records - throttled));
    if (ok_records > 0) m.put_records_bytes.Add(static_cast<double>(ok_bytes));
    m.put_records_latency.Record(latency);
  }
  state.done(std::move(state.outcomes));
}

// The records of one call that go to one shard: positions in the request, in order.
using ShardGroups = std::vector<std::pair<std::shared_ptr<Shard>, std::vector<uint32_t>>>;

bool InjectFailure(double rate) {
  if (rate <= 0) return false;
  thread_local std::mt19937_64 rng(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < rate;
}

void SetInternalFailure(PutOutcome& out) {
  out.error_code = "InternalFailure";
  out.error_message = "Internal service failure.";
}

// Groups record positions by the shard their key hashes to, keeping request order
// inside each group. Records refused by the shard's limits or by fault injection get
// their outcome here and join no group.
ShardGroups RouteRecords(const StreamManager::Impl& impl, const Stream& s, std::span<const PutInput> records,
                         int64_t now, std::vector<PutOutcome>& outcomes) REQUIRES_SHARED(s.mu) {
  const bool limits = impl.LimitsOn(s);
  ShardGroups groups;
  for (uint32_t i = 0; i < records.size(); ++i) {
    const PutInput& in = records[i];
    const uint128 key = in.explicit_hash_key ? *in.explicit_hash_key : HashPartitionKey(in.partition_key);
    std::shared_ptr<Shard> shard = ShardFor(s, key);
    PutOutcome& out = outcomes[i];
    if (!shard) {
      SetInternalFailure(out);
      continue;
    }
    const auto bytes = static_cast<int64_t>(in.data.size() + in.partition_key.size());
    if (limits && !shard->limiter.AdmitWrite(bytes, now)) {
      shard->metrics.write_provisioned_throughput_exceeded.fetch_add(1);
      s.cloudwatch->write_exceeded.Add(1);
      if (const ShardHandles* sh = impl.ShardCloudWatch(s, *shard);
          sh != nullptr && (s.shard_level.load(std::memory_order_relaxed) & kShardWriteExceeded)) {
        sh->write_exceeded.Add(1);
      }
      out.shard_id = ShardIdFor(shard->index);
      out.error_code = "ProvisionedThroughputExceededException";
      out.error_message = fmt::format("Rate exceeded for shard {} in stream {} under account {}.",
                                      ShardIdFor(shard->index), s.name, impl.options.account_id);
      continue;
    }
    if (InjectFailure(impl.options.put_failure_rate)) {
      SetInternalFailure(out);
      continue;
    }
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == shard; });
    if (it == groups.end()) {
      groups.emplace_back(std::move(shard), std::vector<uint32_t>{});
      it = groups.end() - 1;
    }
    it->second.push_back(i);
  }
  return groups;
}

// Appends one shard's group as one batch; the last append to complete answers the call.
void AppendGroup(const std::shared_ptr<PutState>& state, std::span<const PutInput> records, int64_t now,
                 int64_t stream_created_ms, std::shared_ptr<Shard> shard, std::vector<uint32_t> positions,
                 log::Log& log, const ShardHandles* shard_cloudwatch, uint32_t shard_level) {
  std::vector<log::RecordInput> batch;
  batch.reserve(positions.size());
  int64_t bytes = 0;
  for (const uint32_t i : positions) {
    const PutInput& in = records[i];
    log::RecordInput ri;
    ri.partition_key = in.partition_key;
    if (in.explicit_hash_key) ri.explicit_hash_key = ToBytes(*in.explicit_hash_key);
    ri.data = in.data;
    ri.arrival_ms = now;
    batch.push_back(ri);
    bytes += static_cast<int64_t>(in.data.size() + in.partition_key.size());
  }
  log.AppendAsync(batch, [state, positions = std::move(positions), shard = std::move(shard), stream_created_ms,
                          bytes, shard_cloudwatch, shard_level](Result<log::AppendResult> res) {
    const uint32_t index = shard->index;
    const std::string shard_id = ShardIdFor(index);
    for (size_t j = 0; j < positions.size(); ++j) {
      PutOutcome& out = state->outcomes[positions[j]];
      out.shard_id = shard_id;
      if (res.ok()) {
        out.sequence_number =
            FormatSequenceNumber({stream_created_ms, index, log::Offset(res->first_offset.value() + j)});
      } else {
        SetInternalFailure(out);
      }
    }
    if (res.ok()) {
      shard->metrics.incoming_records.fetch_add(static_cast<int64_t>(positions.size()));
      shard->metrics.incoming_bytes.fetch_add(bytes);
      state->ok_records.fetch_add(static_cast<int64_t>(positions.size()));
      state->ok_bytes.fetch_add(bytes);
      if (shard_cloudwatch != nullptr) {
        if (shard_level & kShardIncomingBytes) shard_cloudwatch->incoming_bytes.Add(static_cast<double>(bytes));
        if (shard_level & kShardIncomingRecords) {
          shard_cloudwatch->incoming_records.Add(static_cast<double>(positions.size()));
        }
      }
    } else {
      (void)InternalError(res.status());  // logs the cause once per batch
    }
    if (state->pending.fetch_sub(1) == 1) FinishPut(*state);
  });
}

}  // namespace

void StreamManager::PutRecords(const std::string& stream_name, std::span<const PutInput> records,
                               PutCallback done, PutApi api) {
  const auto started = std::chrono::steady_clock::now();
  const std::shared_ptr<Stream> s = impl_->Find(stream_name);
  if (!s) return done(impl_->NotFound(stream_name));
  // Held until every append below has its offsets: a reshard of this stream
  // (exclusive) then sees a final end for the shards it closes, and a deletion sees no
  // append start after it.
  ReaderLock r(s->mu);
  if (impl_->StatusOf(*s) == "CREATING" || s->deleted_ms) {
    r.Unlock();
    return done(impl_->NotFound(stream_name));
  }
  const int64_t now = impl_->Now();
  auto state = std::make_shared<PutState>();
  state->outcomes.resize(records.size());
  state->cloudwatch = s->cloudwatch.get();
  state->api = api;
  state->started = started;
  state->done = std::move(done);
  ShardGroups groups = RouteRecords(*impl_, *s, records, now, state->outcomes);
  if (groups.empty()) {
    r.Unlock();
    return FinishPut(*state);
  }
  state->pending = groups.size();
  const uint32_t shard_level = s->shard_level.load(std::memory_order_relaxed);
  for (auto& [shard, positions] : groups) {
    log::Log& log = *shard->log;  // kept alive by the lock: a reshard cannot swap it now
    const ShardHandles* shard_cloudwatch = impl_->ShardCloudWatch(*s, *shard);
    AppendGroup(state, records, now, s->created_ms, std::move(shard), std::move(positions), log,
                shard_cloudwatch, shard_level);
  }
}

KResult<std::string> StreamManager::GetShardIterator(const IteratorRequest& req) const {
  const std::shared_ptr<Stream> s = impl_->Find(req.stream_name);
  if (!s) return impl_->NotFound(req.stream_name);
  std::shared_ptr<Shard> shard;
  std::shared_ptr<log::Log> lg_owner;
  std::optional<log::Offset> end_offset;
  {
    const ReaderLock r(s->mu);
    if (s->deleted_ms) return impl_->NotFound(req.stream_name);
    const auto index = ParseShardId(req.shard_id);
    if (index && *index < s->shards.size()) shard = s->shards[*index];
    if (!shard) {
      return MakeError(ErrorType::kResourceNotFound,
                       fmt::format("Shard {} in stream {} under account {} does not exist",
                                   req.shard_id, req.stream_name, impl_->options.account_id));
    }
    lg_owner = shard->log;
    end_offset = shard->end_offset;
  }
  const log::Log& lg = *lg_owner;
  log::Offset next;
  switch (req.type) {
    case IteratorType::kTrimHorizon:
      next = lg.StartOffset();
      break;
    case IteratorType::kLatest:
      next = end_offset ? *end_offset : lg.EndOffset();
      break;
    case IteratorType::kAtTimestamp: {
      auto off = lg.OffsetForTimestamp(req.timestamp_ms);
      if (!off.ok()) return InternalError(off.status());
      next = *off;
      break;
    }
    case IteratorType::kAtSequenceNumber:
    case IteratorType::kAfterSequenceNumber: {
      const auto parts = ParseSequenceNumber(req.sequence_number);
      if (!parts || parts->stream_created_ms != s->created_ms) {
        return MakeError(ErrorType::kInvalidArgument,
                         fmt::format("StartingSequenceNumber {} used in GetShardIterator on shard "
                                     "{} in stream {} under account {} is invalid.",
                                     req.sequence_number, req.shard_id, req.stream_name,
                                     impl_->options.account_id));
      }
      if (parts->shard_index != shard->index) {
        return MakeError(ErrorType::kInvalidArgument,
                         fmt::format("Invalid StartingSequenceNumber. It encodes {}, while it was "
                                     "used in a call to a shard with {}",
                                     ShardIdFor(parts->shard_index), req.shard_id));
      }
      uint64_t off = parts->offset.value();
      if (req.type == IteratorType::kAfterSequenceNumber) ++off;
      // A sequence number this shard never issued (beyond its end) is invalid.
      if (parts->offset.value() >= lg.EndOffset().value()) {
        return MakeError(ErrorType::kInvalidArgument,
                         fmt::format("StartingSequenceNumber {} used in GetShardIterator on shard "
                                     "{} in stream {} under account {} is invalid because it did "
                                     "not come from this stream.",
                                     req.sequence_number, req.shard_id, req.stream_name,
                                     impl_->options.account_id));
      }
      next = log::Offset(std::max(off, lg.StartOffset().value()));
      break;
    }
  }
  return EncodeIterator({s->name, s->created_ms, shard->index, next, impl_->Now()});
}

namespace {

// A decoded iterator that has not expired.
KResult<IteratorState> CheckIterator(std::string_view iterator, int64_t now, int64_t lifetime) {
  const auto it = DecodeIterator(iterator);
  if (!it) return MakeError(ErrorType::kInvalidArgument, "Invalid ShardIterator.");
  if (now - it->issued_ms > lifetime) {
    return MakeError(ErrorType::kExpiredIterator,
                     fmt::format("Iterator expired. The iterator was created at time {} while "
                                 "right now it is {} which is further in the future than the "
                                 "tolerated delay of {} milliseconds.",
                                 it->issued_ms, now, lifetime));
  }
  return *it;
}

// What a GetRecords needs of the shard its iterator names, copied under the stream's
// lock so the read runs without it.
struct ReadTarget {
  std::shared_ptr<Stream> stream;
  std::shared_ptr<Shard> shard;
  std::shared_ptr<log::Log> log;
  std::optional<log::Offset> end_offset;  // closed shards
  std::vector<ChildShard> children;       // closed shards
  bool limits = false;
};

KResult<ReadTarget> LocateShard(const StreamManager::Impl& impl, const IteratorState& it) {
  ReadTarget t;
  t.stream = impl.Find(it.stream_name);
  if (!t.stream) return impl.NotFound(it.stream_name);
  const Stream& s = *t.stream;
  const ReaderLock r(s.mu);
  if (s.created_ms != it.stream_created_ms || s.deleted_ms) return impl.NotFound(it.stream_name);
  if (it.shard_index < s.shards.size()) t.shard = s.shards[it.shard_index];
  if (!t.shard) {
    return MakeError(ErrorType::kResourceNotFound,
                     fmt::format("Shard {} in stream {} under account {} does not exist",
                                 ShardIdFor(it.shard_index), it.stream_name, impl.options.account_id));
  }
  const Shard& shard = *t.shard;
  t.log = shard.log;
  t.end_offset = shard.end_offset;
  t.limits = impl.LimitsOn(s);
  if (!shard.open()) {
    s.ForEachShard([&](const Shard& c) {
      if (c.parent != shard.index && c.adjacent_parent != shard.index) return;
      ChildShard child{ShardIdFor(c.index), {}, ToDecimal(c.range.start), ToDecimal(c.range.end)};
      if (c.parent) child.parent_shards.push_back(ShardIdFor(*c.parent));
      if (c.adjacent_parent) child.parent_shards.push_back(ShardIdFor(*c.adjacent_parent));
      t.children.push_back(std::move(child));
    });
  }
  return t;
}

// Reads from the iterator's position; records trimmed by retention since it was
// issued are skipped, as in AWS.
Result<log::ReadResult> ReadShard(const log::Log& lg, log::Offset next, int limit, size_t max_bytes) {
  log::Offset from(std::max(next.value(), lg.StartOffset().value()));
  auto read = lg.Read(from, static_cast<size_t>(limit), max_bytes);
  if (!read.ok() && read.status().code() == StatusCode::kOutOfRange) {
    from = lg.StartOffset();
    read = lg.Read(from, static_cast<size_t>(limit), max_bytes);
  }
  return read;
}

// The answer: records with their sequence numbers, the next iterator (or, at the end of
// a closed shard, its children) and how far behind the tip the reader is.
GetRecordsOutput MakeOutput(const StreamManager::Impl& impl, ReadTarget& t, log::ReadResult read, int64_t now) {
  const Stream& s = *t.stream;
  Shard& shard = *t.shard;
  const log::Log& lg = *t.log;
  GetRecordsOutput out;
  out.batch = std::move(read);
  out.records.reserve(out.batch.records.size());
  int64_t bytes = 0;
  for (const log::Record& rec : out.batch.records) {
    out.records.push_back({impl.SequenceTextFor(s, shard.index, rec.offset), rec.arrival_ms, rec.partition_key,
                           rec.data});
    bytes += static_cast<int64_t>(rec.data.size() + rec.partition_key.size());
  }
  if (t.limits) shard.limiter.ChargeRead(bytes, now);
  const log::Offset next = out.batch.next_offset;
  const log::Offset end = lg.EndOffset();
  if (t.end_offset && next >= *t.end_offset) {
    out.next_iterator.reset();  // the end of a closed shard: move on to its children
    out.child_shards = std::move(t.children);
  } else {
    out.next_iterator = EncodeIterator({s.name, s.created_ms, shard.index, next, now});
  }
  if (next < end) {
    // How far behind the tip: the age of the oldest record not yet returned. The last
    // record returned arrived just before it, and reading it costs nothing more.
    if (!out.records.empty()) {
      out.millis_behind_latest = std::max<int64_t>(0, now - out.records.back().arrival_ms);
    } else if (auto peek = lg.Read(next, 1, 1); peek.ok() && !peek->records.empty()) {
      out.millis_behind_latest = std::max<int64_t>(0, now - peek->records[0].arrival_ms);
    }
  }
  const int64_t age = out.records.empty() ? out.millis_behind_latest
                                          : std::max<int64_t>(0, now - out.records.front().arrival_ms);
  shard.metrics.iterator_age_ms.store(age);
  // CloudWatch: stream level always, shard level when enhanced monitoring says so. Its
  // iterator age is AWS's: the age of the last record returned (at the tip, 0).
  const StreamHandles& m = *s.cloudwatch;
  const auto n = static_cast<double>(out.records.size());
  const int64_t cloudwatch_age =
      out.records.empty() ? out.millis_behind_latest : std::max<int64_t>(0, now - out.records.back().arrival_ms);
  m.get_bytes.Add(static_cast<double>(bytes));
  m.get_records.Add(n);
  m.get_iterator_age.Record(static_cast<double>(cloudwatch_age));
  if (const ShardHandles* sh = impl.ShardCloudWatch(s, shard)) {
    const uint32_t on = s.shard_level.load(std::memory_order_relaxed);
    if (on & kShardOutgoingBytes) sh->outgoing_bytes.Add(static_cast<double>(bytes));
    if (on & kShardOutgoingRecords) sh->outgoing_records.Add(n);
    if (on & kShardIteratorAge) sh->iterator_age.Record(static_cast<double>(cloudwatch_age));
  }
  return out;
}

}  // namespace

KResult<GetRecordsOutput> StreamManager::GetRecords(std::string_view iterator, int limit,
                                                    size_t max_bytes) const {
  const auto started = std::chrono::steady_clock::now();
  const int64_t now = impl_->Now();
  const KResult<IteratorState> it = CheckIterator(iterator, now, impl_->options.iterator_lifetime_ms);
  if (!it.ok()) return it.error();
  KResult<ReadTarget> target = LocateShard(*impl_, *it);
  if (!target.ok()) return target.error();
  Shard& shard = *target->shard;
  const Stream& s = *target->stream;
  const StreamHandles& m = *s.cloudwatch;
  if (target->limits && !shard.limiter.AdmitRead(now)) {
    shard.metrics.read_provisioned_throughput_exceeded.fetch_add(1);
    m.read_exceeded.Add(1);
    m.get_success.Add(0);
    if (const ShardHandles* sh = impl_->ShardCloudWatch(s, shard);
        sh != nullptr && (s.shard_level.load(std::memory_order_relaxed) & kShardReadExceeded)) {
      sh->read_exceeded.Add(1);
    }
    return MakeError(ErrorType::kProvisionedThroughputExceeded,
                     fmt::format("Rate exceeded for shard {} in stream {} under account {}.",
                                 ShardIdFor(shard.index), it->stream_name, impl_->options.account_id));
  }
  auto read = ReadShard(*target->log, it->next, limit, max_bytes);
  if (!read.ok()) {
    m.get_success.Add(0);
    return InternalError(read.status());
  }
  GetRecordsOutput out = MakeOutput(*impl_, *target, std::move(read).value(), now);
  m.get_success.Add(1);
  m.get_latency.Record(MillisSince(started));
  return out;
}

}  // namespace sluice::stream
