// Delivery: routing what the log acknowledged into partitions, and writing one object
// per partition range (pending recorded first, watermark and checkpoint moved after).
#include <algorithm>
#include <chrono>
#include <deque>
#include <iterator>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "catalog/delivery_streams.h"
#include "delivery/compression.h"
#include "delivery/object_key.h"
#include "delivery/prefix.h"
#include "delivery/processing.h"
#include "delivery/jq_extract.h"
#include "internal/error_log.h"
#include "internal/manager_state.h"
#include "internal/validate.h"

namespace sluice::delivery {
namespace {

constexpr uint64_t kMiB = 1ull << 20;
// Records read from the log per call when scanning or building an object.
constexpr size_t kReadRecords = 10'000;
constexpr size_t kReadBytes = 4 * kMiB;
// One accounting chunk covers at most this much, so a partly delivered chunk's age
// is close to its remaining records' age.
constexpr uint64_t kChunkBytes = 256 * 1024;
// Arrival stamps and appends can interleave by a few milliseconds between concurrent
// puts; trimming keeps this margin below the oldest undelivered record.
constexpr int64_t kTrimMarginMs = 60'000;

uint64_t RoutedBytes(const std::vector<Routed>& routed, std::string_view partition) {
  uint64_t b = 0;
  for (const Routed& r : routed) b += r.partition == partition ? r.data.size() : 0;
  return b;
}

// Adds one record's pieces for `partition` to its buffer.
void AddToPartition(Partition& p, uint64_t offset, int64_t arrival, uint64_t bytes, std::string moved_from) {
  if (offset < p.watermark) return;  // delivered before a restart
  if (!p.runs.empty() && moved_from.empty() && p.runs.back().moved_from.empty() && p.runs.back().end == offset &&
      p.runs.back().bytes < kChunkBytes) {
    BufferRun& r = p.runs.back();
    r.end = offset + 1;
    r.bytes += bytes;
    r.records += 1;
    r.oldest_arrival_ms = std::min(r.oldest_arrival_ms, arrival);
  } else {
    p.runs.push_back({offset, offset + 1, bytes, 1, arrival, std::move(moved_from)});
  }
  p.bytes += bytes;
}

}  // namespace

JqExtractor& ThreadJq() {
  thread_local JqExtractor jq;
  return jq;
}

// The first offset some partition still needs, or `scanned_end` when none does.
uint64_t CheckpointOf(const DeliveryStream& s) REQUIRES(s.mu) {
  uint64_t next = s.scanned_end;
  for (const auto& [id, p] : s.partitions) {
    if (p.pending) next = std::min<uint64_t>(next, static_cast<uint64_t>(p.pending->first));
    if (!p.runs.empty()) next = std::min(next, p.runs.front().first);
  }
  return next;
}

int64_t OldestArrival(const DeliveryStream& s) REQUIRES(s.mu) {
  int64_t oldest = s.unscanned.empty() ? -1 : s.unscanned.front().arrival_ms;
  for (const auto& [id, p] : s.partitions) {
    if (!p.runs.empty() && (oldest < 0 || p.runs.front().oldest_arrival_ms < oldest)) {
      oldest = p.runs.front().oldest_arrival_ms;
    }
  }
  return oldest;
}

void NoteAcknowledged(DeliveryStream& s, UnscannedBatch batch) REQUIRES(s.mu) {
  const uint64_t scanned = std::max(s.scanned_end, s.next_offset);
  if (batch.end <= scanned || batch.end <= batch.first) return;
  if (batch.first < scanned) {
    batch.bytes = batch.bytes * (batch.end - scanned) / batch.records();
    batch.first = scanned;
  }
  // Acknowledgements arrive in log order but nothing here depends on it.
  auto at = s.unscanned.end();
  while (at != s.unscanned.begin() && std::prev(at)->first > batch.first) --at;
  s.unscanned.insert(at, batch);
}

void NoteScanned(DeliveryStream& s, std::span<const log::Record> records) REQUIRES(s.mu) {
  for (const log::Record& rec : records) {
    const uint64_t o = rec.offset.value();
    while (!s.unscanned.empty() && s.unscanned.front().end <= o) s.unscanned.pop_front();
    if (s.unscanned.empty()) return;
    UnscannedBatch& b = s.unscanned.front();
    if (o < b.first) continue;  // a record no Put of this run acknowledged
    b.first = o + 1;
    b.bytes -= std::min<uint64_t>(b.bytes, rec.data.size());
    if (o + 1 >= b.end) s.unscanned.pop_front();
  }
}


std::shared_ptr<const RecordPipeline> DeliveryManager::Impl::PipelineOf(DeliveryStream& s) {
  const MutexLock lock(s.mu);
  if (!s.pipeline) {
    auto built = RecordPipeline::Build(s.config.destination, Arn(s.name));
    if (!built.ok()) {
      // Validated when the configuration was accepted; a failure here is a bug.
      spdlog::error("msg=\"delivery processing cannot be built\" name={} error=\"{}\"", s.name,
                    built.status().ToString());
      built = RecordPipeline::Build(S3Destination{}, Arn(s.name));
    }
    s.pipeline = std::make_shared<const RecordPipeline>(*std::move(built));
  }
  return s.pipeline;
}

Status DeliveryManager::Impl::Scan(DeliveryStream& s) {
  const std::shared_ptr<const RecordPipeline> pipeline = PipelineOf(s);
  uint64_t from = 0;
  {
    const MutexLock lock(s.mu);
    from = std::max(s.scanned_end, s.next_offset);
  }
  const uint64_t end = s.log->EndOffset().value();
  std::vector<std::vector<Routed>> routed;
  while (from < end) {
    ASSIGN_OR_RETURN(log::ReadResult r, s.log->Read(log::Offset(from), kReadRecords, kReadBytes));
    if (r.records.empty()) break;
    if (!pipeline->trivial()) {
      routed.assign(r.records.size(), {});
      for (size_t i = 0; i < r.records.size(); ++i) {
        pipeline->Process(r.records[i].data, r.records[i].arrival_ms, ThreadJq(), routed[i]);
      }
    }
    const MutexLock lock(s.mu);
    if (pipeline->trivial()) {
      Partition& p = s.partitions[""];
      for (const log::Record& rec : r.records) {
        AddToPartition(p, rec.offset.value(), rec.arrival_ms, rec.data.size(), "");
      }
    } else {
      size_t active = 0;
      for (const auto& [id, p] : s.partitions) active += ErrorTypeOf(id).empty() && p.active() ? 1 : 0;
      for (size_t i = 0; i < r.records.size(); ++i) {
        const log::Record& rec = r.records[i];
        std::vector<std::string> seen;
        for (const Routed& piece : routed[i]) {
          if (std::find(seen.begin(), seen.end(), piece.partition) != seen.end()) continue;
          seen.push_back(piece.partition);
          const uint64_t bytes = RoutedBytes(routed[i], piece.partition);
          Partition& p = s.partitions[piece.partition];
          p.id = piece.partition;
          if (ErrorTypeOf(piece.partition).empty() && !p.active() && rec.offset.value() >= p.watermark) {
            if (active >= opts.max_active_partitions) {
              const std::string exceeded = ErrorPartition(kActivePartitionExceeded);
              Partition& e = s.partitions[exceeded];
              e.id = exceeded;
              AddToPartition(e, rec.offset.value(), rec.arrival_ms, bytes, piece.partition);
              continue;
            }
            ++active;
          }
          AddToPartition(p, rec.offset.value(), rec.arrival_ms, bytes, "");
        }
      }
    }
    from = r.next_offset.value();
    s.scanned_end = from;
    NoteScanned(s, r.records);
  }
  return Status::OK();
}

Result<bool> DeliveryManager::Impl::DeliverOne(DeliveryStream& s, const std::string& partition, bool force) {
  const int64_t now = clock.NowMillis();
  std::optional<catalog::PendingObject> pending;
  std::vector<BufferRun> runs;
  DeliveryStreamConfig config;
  int64_t version = 0;
  {
    const MutexLock lock(s.mu);
    const auto it = s.partitions.find(partition);
    if (it == s.partitions.end()) return false;
    const Partition& p = it->second;
    if (!force && now < p.retry_at_ms) return false;
    config = s.config;
    version = s.version;
    pending = p.pending;
    const uint64_t limit = static_cast<uint64_t>(config.destination.hints.size_mb) * kMiB;
    if (!pending) {
      if (p.runs.empty()) return false;
      const int64_t interval_ms = config.destination.hints.interval_s * 1000;
      const bool due = force || s.deleting || p.bytes >= limit || now - p.runs.front().oldest_arrival_ms >= interval_ms;
      if (!due) return false;
    }
    // The runs the object can draw from: up to the pending range's end, or a little
    // past SizeInMBs.
    uint64_t bytes = 0;
    for (const BufferRun& r : p.runs) {
      if (pending ? r.first > static_cast<uint64_t>(pending->last) : bytes > limit) break;
      runs.push_back(r);
      bytes += r.bytes;
    }
  }
  const std::shared_ptr<const RecordPipeline> pipeline = PipelineOf(s);
  const S3Destination& d = config.destination;
  const uint64_t limit = static_cast<uint64_t>(d.hints.size_mb) * kMiB;
  const bool trivial = pipeline->trivial();
  const std::string_view error_type = ErrorTypeOf(partition);

  // The records of the object: a pending range exactly, else from the partition's
  // oldest record up to SizeInMBs (at least one record), in log order.
  std::vector<std::string_view> pieces;  // the records of the object, in order
  std::vector<log::ReadResult> reads;    // trivial: `pieces` are views into these
  std::deque<std::string> routed_pieces;  // otherwise: into these (stable addresses)
  std::string error_content;             // error partitions: JSON lines, one body
  std::vector<Routed> routed;
  std::vector<RecordPlace> places;       // the Lambda processor: where each piece came from
  const bool lambda = pipeline->lambda() != nullptr && error_type.empty();
  uint64_t bytes = 0;  // as Scan counted them
  uint64_t records = 0;
  uint64_t first = 0;
  uint64_t last = 0;
  int64_t oldest_arrival = -1;
  bool full = false;
  for (const BufferRun& run : runs) {
    uint64_t next = run.first;
    while (!full && next < run.end) {
      auto r = s.log->Read(log::Offset(next), std::min<size_t>(kReadRecords, run.end - next), kReadBytes);
      if (!r.ok()) return r.status();
      if (r->records.empty()) break;
      for (const log::Record& rec : r->records) {
        if (rec.offset.value() >= run.end || (pending && rec.offset.value() > static_cast<uint64_t>(pending->last))) {
          full = true;
          break;
        }
        uint64_t rec_bytes = rec.data.size();
        const std::string& from = run.moved_from.empty() ? partition : run.moved_from;
        if (!trivial) {
          routed.clear();
          pipeline->Process(rec.data, rec.arrival_ms, ThreadJq(), routed);
          rec_bytes = RoutedBytes(routed, from);
        }
        if (!pending && records > 0 && bytes + rec_bytes > limit) {
          full = true;
          break;
        }
        if (records == 0) first = rec.offset.value();
        if (oldest_arrival < 0 || rec.arrival_ms < oldest_arrival) oldest_arrival = rec.arrival_ms;
        if (trivial) {
          pieces.push_back(rec.data);
          if (lambda) places.push_back({rec.offset.value(), rec.arrival_ms, rec.partition_key});
        } else {
          for (Routed& piece : routed) {
            if (piece.partition != from) continue;
            if (!run.moved_from.empty()) {
              error_content += pipeline->ErrorRecord(piece.data, rec.arrival_ms, kActivePartitionsExceededCode,
                                                     kActivePartitionsExceededMessage);
            } else if (!error_type.empty()) {
              error_content += piece.data;  // already an error record line
            } else {
              routed_pieces.push_back(std::move(piece.data));
              pieces.push_back(routed_pieces.back());
            }
          }
        }
        bytes += rec_bytes;
        records += 1;
        last = rec.offset.value();
        next = last + 1;
      }
      if (trivial) reads.push_back(std::move(r).value());
    }
    if (full) break;
  }
  if (records == 0) return false;
  if (pending && (first != static_cast<uint64_t>(pending->first) || last != static_cast<uint64_t>(pending->last))) {
    return Status::Corruption(fmt::format("delivery stream {}: pending range {}-{} is no longer in its log", s.name,
                                          pending->first, pending->last));
  }
  // A failed delivery (the destination, or the Lambda processor's function not yet
  // callable) backs off; the records stay buffered.
  // DeliveryToS3.Success counts the destination's failures only.
  const auto backoff = [&](std::string error, bool destination_failed) -> Status {
    const MutexLock lock(s.mu);
    Partition& p = s.partitions[partition];
    p.backoff_ms = p.backoff_ms == 0 ? opts.retry_initial_ms : std::min(p.backoff_ms * 2, opts.retry_max_ms);
    p.retry_at_ms = now + p.backoff_ms;
    s.stats.delivery_failures += 1;
    s.stats.last_error = std::move(error);
    if (destination_failed) s.metrics->s3_success.Add(0);
    return Status::Unavailable(s.stats.last_error);
  };
  std::vector<ObjectWrite> writes;
  if (lambda) {
    auto transformed = TransformedObjects(s, *pipeline, d, version, partition, first, last, pieces, places);
    if (!transformed.ok()) return backoff(transformed.status().message(), /*destination_failed=*/false);
    writes = *std::move(transformed);
    if (!pending) {
      // The range is what makes a replay exact; the keys are derived from it again.
      pending = catalog::PendingObject{static_cast<int64_t>(first), static_cast<int64_t>(last),
                                       BucketFromArn(d.bucket_arn), writes.empty() ? "" : writes.front().key};
      RETURN_IF_ERROR(catalog::SetPendingObject(catalog, s.id, partition, *pending));
      const MutexLock lock(s.mu);
      s.partitions[partition].pending = pending;
    }
  } else {
    std::vector<std::string_view> body_pieces;
    if (!error_type.empty()) {
      body_pieces.push_back(error_content);
    } else if (pipeline->delimiter()) {
      body_pieces = DelimitRecords(pieces);  // AWS: a delimiter between records
    } else {
      body_pieces = std::move(pieces);
    }
    const Compression compression = CompressionFromName(d.compression).value_or(Compression::kUncompressed);
    if (!pending) {
      PrefixContext ctx;
      ctx.arrival_ms = oldest_arrival;
      const PartitionKeys keys = KeysOf(partition);
      ctx.query_keys = &keys;
      const std::string id = DeliveryObjectId(fmt::format("{}/{}/{}", s.name, s.created_ms, partition), first, last);
      ASSIGN_OR_RETURN(std::string key, ObjectKey(d, s.name, version, error_type, std::move(ctx),
                                                  pipeline->dynamic_partitioning(), id));
      pending = catalog::PendingObject{static_cast<int64_t>(first), static_cast<int64_t>(last),
                                       BucketFromArn(d.bucket_arn), std::move(key)};
      RETURN_IF_ERROR(catalog::SetPendingObject(catalog, s.id, partition, *pending));
      const MutexLock lock(s.mu);
      s.partitions[partition].pending = pending;
    }
    ASSIGN_OR_RETURN(std::string body, Compress(compression, body_pieces, ZipEntryName(pending->key)));
    writes.push_back({pending->bucket, pending->key, std::move(body)});
  }
  for (const ObjectWrite& w : writes) {
    auto put = store.Put(w.bucket, w.key, w.body, objects::ObjectMeta{});
    if (!put.ok()) {
      LogDeliveryErrors(opts.error_log, Arn(s.name), d, version, now, {S3WriteError(put.error().code)});
      return backoff(fmt::format("{}: {} (s3://{}/{})", objects::S3ErrorName(put.error().code), put.error().message,
                                 w.bucket, w.key),
                     /*destination_failed=*/true);
    }
  }
  if (!error_type.empty()) LogErrorOutput(opts.error_log, Arn(s.name), d, version, now, error_content);

  uint64_t next_offset = 0;
  std::vector<std::string> forget;
  int64_t cutoff = 0;
  {
    const MutexLock lock(s.mu);
    Partition& p = s.partitions[partition];
    uint64_t left_bytes = bytes;
    uint64_t left_records = records;
    while (!p.runs.empty() && p.runs.front().first <= last) {
      BufferRun& r = p.runs.front();
      if (r.end <= last + 1) {
        left_bytes -= std::min(left_bytes, r.bytes);
        left_records -= std::min(left_records, r.records);
        p.bytes -= std::min(p.bytes, r.bytes);
        p.runs.pop_front();
        continue;
      }
      r.bytes -= std::min(r.bytes, left_bytes);
      r.records -= std::min(r.records, left_records);
      p.bytes -= std::min(p.bytes, left_bytes);
      r.first = last + 1;
      break;
    }
    p.pending.reset();
    p.watermark = last + 1;
    p.retry_at_ms = 0;
    p.backoff_ms = 0;
    next_offset = CheckpointOf(s);
    for (const auto& [id, q] : s.partitions) {
      if (!q.active() && q.watermark <= next_offset) forget.push_back(id);
    }
    s.stats.last_error.clear();
    s.stats.objects_written += 1;
    s.stats.delivery_successes += 1;
    s.stats.delivered_records += records;
    s.stats.delivered_bytes += bytes;
    s.stats.data_freshness_ms = now - oldest_arrival;
  }
  s.metrics->s3_success.Add(1);
  s.metrics->s3_bytes.Add(static_cast<double>(bytes));
  s.metrics->s3_records.Add(static_cast<double>(records));
  s.metrics->s3_freshness.Record(static_cast<double>(now - oldest_arrival) / 1000.0);
  RETURN_IF_ERROR(catalog::CommitDelivery(catalog, s.id, partition, static_cast<int64_t>(last + 1),
                                          static_cast<int64_t>(next_offset), forget));
  {
    const MutexLock lock(s.mu);
    s.next_offset = next_offset;
    for (const std::string& id : forget) {
      const auto it = s.partitions.find(id);
      if (it != s.partitions.end() && !it->second.active()) s.partitions.erase(it);
    }
    const int64_t oldest = OldestArrival(s);
    cutoff = (oldest < 0 ? now : oldest) - kTrimMarginMs;
  }
  // Whole segments below the checkpoint (by arrival time, with a margin) go.
  if (cutoff > 0 && now > cutoff) {
    if (auto r = s.log->ApplyRetention(now, now - cutoff); !r.ok()) {
      spdlog::warn("msg=\"delivery log trim failed\" name={} error=\"{}\"", s.name, r.status().ToString());
    }
  }
  return true;
}

Status DeliveryManager::Impl::DeliverPartitions(DeliveryStream& s, bool force) {
  std::vector<std::string> ids;
  {
    const MutexLock lock(s.mu);
    for (const auto& [id, p] : s.partitions) {
      if (p.active()) ids.push_back(id);
    }
  }
  Status first_error;
  for (const std::string& id : ids) {
    for (;;) {
      auto r = DeliverOne(s, id, force);
      if (!r.ok()) {
        if (first_error.ok()) first_error = r.status();
        break;
      }
      if (!*r) break;
    }
  }
  return first_error;
}

Status DeliveryManager::Impl::DeliverUpTo(DeliveryStream& s, uint64_t end, int attempts) {
  const MutexLock dlock(s.delivery_mu);
  int failures = 0;
  uint64_t before = 0;
  bool first_pass = true;
  for (;;) {
    RETURN_IF_ERROR(Scan(s));
    uint64_t checkpoint = 0;
    {
      const MutexLock lock(s.mu);
      bool pending = false;
      for (const auto& [id, p] : s.partitions) pending = pending || p.pending.has_value();
      checkpoint = CheckpointOf(s);
      if (checkpoint >= end && !pending) return Status::OK();
    }
    if (!first_pass && checkpoint == before && failures == 0) {
      // Every buffer was delivered in full, yet the checkpoint did not move: the log no
      // longer holds what the accounting says. Never loop on it.
      return Status::Internal(fmt::format("delivery stream {}: no progress at offset {}", s.name, checkpoint));
    }
    first_pass = false;
    before = checkpoint;
    const Status st = DeliverPartitions(s, /*force=*/true);
    if (!st.ok() && ++failures >= attempts && attempts > 0) return st;
  }
}

}  // namespace sluice::delivery
