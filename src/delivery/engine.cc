// The data plane and the delivery loop: Put appends to the stream's log; the delivery
// thread counts what the log acknowledged, decides when a buffer is due, and writes one
// object per log range (pending recorded first, checkpoint moved after).
#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "catalog/delivery_streams.h"
#include "delivery/compression.h"
#include "delivery/object_key.h"
#include "delivery/prefix.h"
#include "delivery/processing.h"
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
// How often the delivery thread looks at streams when nothing wakes it.
constexpr auto kLoopTick = std::chrono::milliseconds(100);

// Firehose's RecordId: opaque to clients; here the stream's creation time and the
// record's log offset, so it is unique and stable.
std::string RecordId(int64_t created_ms, uint64_t offset) {
  return fmt::format("{:016x}{:016x}", static_cast<uint64_t>(created_ms), offset);
}

}  // namespace

void DeliveryManager::Put(const std::string& name, std::span<const std::string_view> records, PutCallback done) {
  const std::shared_ptr<DeliveryStream> s = impl_->Find(name);
  if (!s) return done(impl_->NotFound(name));
  {
    const MutexLock lock(s->mu);
    if (s->deleting) return done(impl_->NotFound(name));
    if (s->config.type == "KinesisStreamAsSource") {
      return done(Error{ErrorType::kInvalidArgument,
                        "This operation is not permitted on KinesisStreamAsSource delivery stream type."});
    }
  }
  const int64_t arrival = s->log_clock->NowMillis();
  std::vector<log::RecordInput> inputs(records.size());
  uint64_t bytes = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    inputs[i].data = records[i];
    inputs[i].arrival_ms = arrival;
    bytes += records[i].size();
  }
  Impl* impl = impl_.get();
  s->log->AppendAsync(inputs, [impl, s, n = records.size(), bytes, done = std::move(done)](
                                  Result<log::AppendResult> r) {
    if (!r.ok()) {
      spdlog::error("msg=\"delivery stream append failed\" name={} error=\"{}\"", s->name, r.status().ToString());
      return done(Error{ErrorType::kServiceUnavailable, "Slow down."});
    }
    {
      const MutexLock lock(s->mu);
      s->stats.incoming_records += n;
      s->stats.incoming_bytes += bytes;
    }
    std::vector<std::string> ids;
    ids.reserve(n);
    for (uint64_t o = r->first_offset.value(); o <= r->last_offset.value(); ++o) ids.push_back(RecordId(s->created_ms, o));
    impl->Wake();
    done(std::move(ids));
  });
}

Status DeliveryManager::Impl::Scan(DeliveryStream& s) {
  uint64_t from = 0;
  {
    const MutexLock lock(s.mu);
    from = std::max(s.scanned_end, s.next_offset);
  }
  const uint64_t end = s.log->EndOffset().value();
  while (from < end) {
    ASSIGN_OR_RETURN(log::ReadResult r, s.log->Read(log::Offset(from), kReadRecords, kReadBytes));
    if (r.records.empty()) break;
    const MutexLock lock(s.mu);
    for (const log::Record& rec : r.records) {
      if (s.chunks.empty() || s.chunks.back().bytes >= kChunkBytes) {
        s.chunks.push_back({rec.offset.value(), rec.offset.value(), 0, rec.arrival_ms});
      }
      BufferChunk& c = s.chunks.back();
      c.end = rec.offset.value() + 1;
      c.bytes += rec.data.size();
      c.oldest_arrival_ms = std::min(c.oldest_arrival_ms, rec.arrival_ms);
    }
    from = r.next_offset.value();
    s.scanned_end = from;
  }
  return Status::OK();
}

namespace {

uint64_t BufferedBytes(const DeliveryStream& s) REQUIRES(s.mu) {
  uint64_t b = 0;
  for (const BufferChunk& c : s.chunks) b += c.bytes;
  return b;
}

// Removes [.., end) from the front of the accounting; `bytes_by_offset` are the sizes
// of the records delivered, in offset order from next_offset.
void Consume(DeliveryStream& s, uint64_t end, uint64_t delivered_bytes) REQUIRES(s.mu) {
  uint64_t left = delivered_bytes;
  while (!s.chunks.empty() && s.chunks.front().first < end) {
    BufferChunk& c = s.chunks.front();
    if (c.end <= end) {
      left -= std::min(left, c.bytes);
      s.chunks.pop_front();
      continue;
    }
    c.bytes -= std::min(c.bytes, left);
    c.first = end;
    break;
  }
}

}  // namespace

Result<bool> DeliveryManager::Impl::DeliverOne(DeliveryStream& s, bool force) {
  const int64_t now = clock.NowMillis();
  std::optional<catalog::PendingObject> pending;
  DeliveryStreamConfig config;
  int64_t version = 0;
  uint64_t from = 0;
  uint64_t scanned_end = 0;
  {
    const MutexLock lock(s.mu);
    if (!force && now < s.retry_at_ms) return false;
    pending = s.pending;
    config = s.config;
    version = s.version;
    from = s.next_offset;
    scanned_end = s.scanned_end;
    if (!pending) {
      if (s.chunks.empty()) return false;
      const uint64_t limit = static_cast<uint64_t>(config.destination.hints.size_mb) * kMiB;
      const int64_t interval_ms = config.destination.hints.interval_s * 1000;
      const bool due = force || s.deleting || BufferedBytes(s) >= limit ||
                       now - s.chunks.front().oldest_arrival_ms >= interval_ms;
      if (!due) return false;
    }
  }
  const S3Destination& d = config.destination;
  const uint64_t limit = static_cast<uint64_t>(d.hints.size_mb) * kMiB;
  // The records of the object: a pending range exactly, else from the checkpoint up
  // to SizeInMBs (at least one record).
  const uint64_t last_allowed = pending ? static_cast<uint64_t>(pending->last) : scanned_end - 1;
  std::vector<std::string_view> pieces;
  std::vector<log::ReadResult> reads;
  uint64_t bytes = 0;
  uint64_t next = pending ? static_cast<uint64_t>(pending->first) : from;
  int64_t oldest_arrival = -1;
  bool full = false;
  while (!full && next <= last_allowed) {
    auto r = s.log->Read(log::Offset(next), kReadRecords, kReadBytes);
    if (!r.ok()) return r.status();
    if (r->records.empty()) break;
    for (const log::Record& rec : r->records) {
      if (rec.offset.value() > last_allowed) {
        full = true;
        break;
      }
      if (!pending && !pieces.empty() && bytes + rec.data.size() > limit) {
        full = true;
        break;
      }
      if (oldest_arrival < 0) oldest_arrival = rec.arrival_ms;
      pieces.push_back(rec.data);
      bytes += rec.data.size();
      next = rec.offset.value() + 1;
    }
    reads.push_back(std::move(r).value());
  }
  if (pieces.empty()) return false;
  const uint64_t first = pending ? static_cast<uint64_t>(pending->first) : from;
  const uint64_t last = next - 1;
  if (pending && last != static_cast<uint64_t>(pending->last)) {
    return Status::Corruption(fmt::format("delivery stream {}: pending range {}-{} is no longer in its log", s.name,
                                          pending->first, pending->last));
  }

  const Compression compression = CompressionFromName(d.compression).value_or(Compression::kUncompressed);
  if (!pending) {
    ASSIGN_OR_RETURN(PrefixTemplate prefix, PrefixTemplate::Parse(d.prefix.value_or("")));
    PrefixContext ctx;
    ctx.arrival_ms = oldest_arrival;
    ASSIGN_OR_RETURN(std::string key_prefix, DataObjectPrefix(prefix, false, ctx));
    const std::string id = DeliveryObjectId(fmt::format("{}/{}", s.name, s.created_ms), first, last);
    std::string object_name;
    if (d.file_extension.empty()) {
      object_name = ObjectName(s.name, version, oldest_arrival, id, compression);
    } else {
      object_name = ObjectName(s.name, version, oldest_arrival, id, Compression::kUncompressed) + d.file_extension;
    }
    pending = catalog::PendingObject{static_cast<int64_t>(first), static_cast<int64_t>(last),
                                     BucketFromArn(d.bucket_arn), key_prefix + object_name};
    RETURN_IF_ERROR(catalog::SetPendingObject(catalog, s.id, *pending));
    const MutexLock lock(s.mu);
    s.pending = pending;
  }

  std::string delimited;
  std::vector<std::string_view> body_pieces;
  if (AppendsDelimiter(d)) {
    delimited.reserve(bytes + pieces.size());
    for (const std::string_view p : pieces) AppendDelimiterToRecord(delimited, p);
    body_pieces.push_back(delimited);
  } else {
    body_pieces = pieces;
  }
  std::string entry = pending->key.substr(pending->key.rfind('/') + 1);
  if (const auto dot = entry.rfind('.'); dot != std::string::npos && entry.size() - dot <= 8) entry.resize(dot);
  ASSIGN_OR_RETURN(std::string body, Compress(compression, body_pieces, entry));
  auto put = store.Put(pending->bucket, pending->key, body, objects::ObjectMeta{});
  if (!put.ok()) {
    const MutexLock lock(s.mu);
    s.backoff_ms = s.backoff_ms == 0 ? opts.retry_initial_ms : std::min(s.backoff_ms * 2, opts.retry_max_ms);
    s.retry_at_ms = now + s.backoff_ms;
    s.stats.delivery_failures += 1;
    s.stats.last_error = fmt::format("{}: {} (s3://{}/{})", objects::S3ErrorName(put.error().code),
                                     put.error().message, pending->bucket, pending->key);
    return Status::Unavailable(s.stats.last_error);
  }
  RETURN_IF_ERROR(catalog::CommitCheckpoint(catalog, s.id, static_cast<int64_t>(last + 1)));
  int64_t cutoff = 0;
  {
    const MutexLock lock(s.mu);
    s.pending.reset();
    s.next_offset = last + 1;
    s.scanned_end = std::max(s.scanned_end, s.next_offset);
    Consume(s, last + 1, bytes);
    s.retry_at_ms = 0;
    s.backoff_ms = 0;
    s.stats.last_error.clear();
    s.stats.objects_written += 1;
    s.stats.delivery_successes += 1;
    s.stats.delivered_records += pieces.size();
    s.stats.delivered_bytes += bytes;
    s.stats.data_freshness_ms = now - oldest_arrival;
    cutoff = (s.chunks.empty() ? now : s.chunks.front().oldest_arrival_ms) - kTrimMarginMs;
  }
  // Whole segments below the checkpoint (by arrival time, with a margin) go.
  if (cutoff > 0 && now > cutoff) {
    if (auto r = s.log->ApplyRetention(now, now - cutoff); !r.ok()) {
      spdlog::warn("msg=\"delivery log trim failed\" name={} error=\"{}\"", s.name, r.status().ToString());
    }
  }
  return true;
}

Status DeliveryManager::Impl::DeliverUpTo(DeliveryStream& s, uint64_t end, int attempts) {
  const MutexLock dlock(s.delivery_mu);
  int failures = 0;
  for (;;) {
    RETURN_IF_ERROR(Scan(s));
    {
      const MutexLock lock(s.mu);
      if (s.next_offset >= end && !s.pending) return Status::OK();
    }
    auto r = DeliverOne(s, /*force=*/true);
    if (r.ok() && *r) continue;
    if (r.ok()) return Status::OK();  // nothing left to deliver
    if (++failures >= attempts && attempts > 0) return r.status();
  }
}

void DeliveryManager::RunDueDeliveries() { impl_->RunDue(); }

void DeliveryManager::Impl::RunDue() {
  std::vector<std::shared_ptr<DeliveryStream>> all;
  {
    const MutexLock lock(mu);
    for (const auto& [name, s] : streams) all.push_back(s);
  }
  for (const auto& owner : all) {
    DeliveryStream& s = *owner;
    if (!s.delivery_mu.TryLock()) continue;  // a Flush or Delete is delivering it
    DeliverDue(s);
    s.delivery_mu.Unlock();
  }
}

void DeliveryManager::Impl::DeliverDue(DeliveryStream& s) {
  if (const Status st = Scan(s); !st.ok()) {
    spdlog::error("msg=\"delivery log read failed\" name={} error=\"{}\"", s.name, st.ToString());
    return;
  }
  for (;;) {
    auto r = DeliverOne(s, /*force=*/false);
    if (!r.ok()) {
      spdlog::warn("msg=\"delivery failed, will retry\" name={} error=\"{}\"", s.name, r.status().ToString());
      return;
    }
    if (!*r) return;
  }
}

DResult<DeliveryStats> DeliveryManager::Flush(const std::string& name) {
  const std::shared_ptr<DeliveryStream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  if (const Status st = impl_->DeliverUpTo(*s, s->log->EndOffset().value(), /*attempts=*/1); !st.ok()) {
    return Error{ErrorType::kServiceUnavailable, st.message()};
  }
  for (const DeliveryStats& st : Stats()) {
    if (st.name == name) return st;
  }
  return impl_->NotFound(name);
}

std::vector<DeliveryStats> DeliveryManager::Stats() const {
  std::vector<DeliveryStats> out;
  const int64_t now = impl_->clock.NowMillis();
  const MutexLock lock(impl_->mu);
  for (const auto& [name, s] : impl_->streams) {
    const MutexLock slock(s->mu);
    DeliveryStats st = s->stats;
    st.buffered_bytes = BufferedBytes(*s);
    st.buffered_records = 0;
    for (const BufferChunk& c : s->chunks) st.buffered_records += c.end - c.first;
    st.oldest_record_age_ms = s->chunks.empty() ? -1 : now - s->chunks.front().oldest_arrival_ms;
    out.push_back(std::move(st));
  }
  return out;
}

void DeliveryManager::Impl::Wake() {
  const MutexLock lock(loop_mu);
  wake = true;
  loop_cv.Signal();
}

void DeliveryManager::Impl::Loop() {
  for (;;) {
    {
      MutexLock lock(loop_mu);
      if (stop) return;
      if (!wake) loop_cv.WaitFor(loop_mu, kLoopTick);
      if (stop) return;
      wake = false;
    }
    RunDue();
  }
}

}  // namespace sluice::delivery
