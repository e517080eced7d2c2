// The read path: a snapshot of the segment list is taken under the lock, then batches
// are read with pread without any lock, so reads run alongside appends and retention.
// Every batch returned is CRC-verified; batches skipped on the way only need a valid
// header. Sealed segments are read through handles from the FileCache (segment.h).
#include "base/crc32c.h"
#include "log_state.h"

namespace sluice::log {
namespace {

struct BatchAt {
  format::BatchHeader header;
  uint64_t total = 0;  // header + payload bytes
};

std::string Where(const Segment& seg, uint64_t pos) {
  return seg.path() + " at position " + std::to_string(pos);
}

// Reads and checks the header of the batch that must start at `pos`.
Result<BatchAt> ReadHeader(const Segment& seg, const RandomAccessFile& file, uint64_t pos) {
  char buf[format::kBatchHeaderSize];
  ASSIGN_OR_RETURN(const size_t n, file.Read(pos, std::span<char>(buf, sizeof(buf))));
  if (n < sizeof(buf)) return Status::Corruption(Where(seg, pos) + ": file ends inside a batch header");
  BatchAt b;
  switch (format::DecodeBatchHeader(std::span<const char, format::kBatchHeaderSize>(buf, sizeof(buf)), &b.header)) {
    case format::HeaderCheck::kValid: break;
    case format::HeaderCheck::kBadMagic: return Status::Corruption(Where(seg, pos) + ": no batch magic");
    case format::HeaderCheck::kBadCrc: return Status::Corruption(Where(seg, pos) + ": batch header checksum mismatch");
    case format::HeaderCheck::kBadLength: return Status::Corruption(Where(seg, pos) + ": impossible batch lengths");
    case format::HeaderCheck::kNewerVersion:
      return Status::NotSupported(Where(seg, pos) + ": batch format version " + std::to_string(b.header.version));
  }
  b.total = format::kBatchHeaderSize + uint64_t{b.header.payload_len};
  return b;
}

// Reads and verifies the payload of `b` into a new buffer.
Result<std::unique_ptr<char[]>> ReadPayload(const Segment& seg, const RandomAccessFile& file, uint64_t pos,
                                            const BatchAt& b) {
  const size_t len = b.header.payload_len;
  auto buf = std::make_unique_for_overwrite<char[]>(len);
  ASSIGN_OR_RETURN(const size_t n, file.Read(pos + format::kBatchHeaderSize, std::span<char>(buf.get(), len)));
  if (n < len) return Status::Corruption(Where(seg, pos) + ": file ends inside a batch");
  if (crc32c::Value(buf.get(), len) != b.header.payload_crc) {
    return Status::Corruption(Where(seg, pos) + ": batch payload checksum mismatch");
  }
  return buf;
}

// Where the segment's readable records end: the next segment's base, or the log end.
Offset SegmentEnd(const std::vector<std::shared_ptr<Segment>>& segments, Offset log_end, size_t i) {
  return i + 1 < segments.size() ? std::min(segments[i + 1]->base(), log_end) : log_end;
}

// The segment's file. One that retention removed after the caller's snapshot was taken
// reads as "trimmed" (OutOfRange), as it would had the read started a moment later;
// any other failure to open (e.g. EMFILE) is returned as it is.
Result<FileCache::Handle> OpenForRead(const Segment& seg, Offset log_start) {
  Result<FileCache::Handle> file = seg.OpenFile();
  if (file.ok() || file.status().code() != StatusCode::kNotFound || log_start <= seg.base()) return file;
  return Status::OutOfRange(seg.path() + " was removed by retention; the log now starts at offset " +
                            std::to_string(log_start.value()) + " (trimmed)");
}

}  // namespace

Result<ReadResult> Log::Read(Offset from, size_t max_records, size_t max_bytes) const {
  const State::Snapshot snap = s_->TakeSnapshot(from);
  if (from < snap.start) {
    return Status::OutOfRange("offset " + std::to_string(from.value()) + " is below the log start " +
                              std::to_string(snap.start.value()) + " (trimmed)");
  }
  if (from > snap.end) {
    return Status::InvalidArgument("offset " + std::to_string(from.value()) + " is beyond the log end " +
                                   std::to_string(snap.end.value()));
  }
  ReadResult out;
  out.next_offset = from;
  size_t bytes = 0;
  // A failure after some records were collected returns those; the next read starting
  // at next_offset then reports it.
  const auto fail = [&out](Status st) -> Result<ReadResult> {
    if (out.records.empty()) return st;
    return std::move(out);
  };
  for (size_t i = 0; i < snap.segments.size(); ++i) {
    const Segment& seg = *snap.segments[i];
    const Offset seg_end = SegmentEnd(snap.segments, snap.end, i);
    if (out.next_offset >= seg_end) continue;
    Result<FileCache::Handle> file = OpenForRead(seg, StartOffset());
    if (!file.ok()) return fail(file.status());
    uint64_t pos = seg.LookupOffset(out.next_offset).position.value();
    while (out.next_offset < seg_end) {
      if (out.records.size() >= max_records) return out;
      Result<BatchAt> b = ReadHeader(seg, **file, pos);
      if (!b.ok()) return fail(b.status());
      const format::BatchHeader& h = b->header;
      if (h.base_offset + h.record_count <= out.next_offset.value()) {
        pos += b->total;
        continue;
      }
      if (h.base_offset > out.next_offset.value()) {
        return fail(Status::Corruption(Where(seg, pos) + ": batch starts at offset " +
                                       std::to_string(h.base_offset) + ", expected " +
                                       std::to_string(out.next_offset.value())));
      }
      Result<std::unique_ptr<char[]>> payload = ReadPayload(seg, **file, pos, *b);
      if (!payload.ok()) return fail(payload.status());
      std::vector<Record> records;
      if (const Status st = format::DecodeRecords(std::string_view(payload->get(), h.payload_len), h.record_count,
                                                  Offset(h.base_offset), &records);
          !st.ok()) {
        return fail(st.WithContext(Where(seg, pos)));
      }
      bool used = false;
      for (const Record& r : records) {
        if (r.offset < out.next_offset) continue;
        const size_t size = r.data.size() + r.partition_key.size();
        if (!out.records.empty() && (out.records.size() >= max_records || bytes + size > max_bytes)) break;
        out.records.push_back(r);
        bytes += size;
        out.next_offset = Offset(r.offset.value() + 1);
        used = true;
      }
      if (used) out.buffers_.push_back(std::move(payload).value());
      if (out.next_offset.value() < h.base_offset + h.record_count) return out;  // a limit was hit
      pos += b->total;
    }
  }
  return out;
}

Result<Offset> Log::OffsetForTimestamp(int64_t t_ms) const {
  const State::Snapshot snap = s_->TakeSnapshot(Offset(0));
  for (size_t i = 0; i < snap.segments.size(); ++i) {
    const Segment& seg = *snap.segments[i];
    const Offset seg_end = SegmentEnd(snap.segments, snap.end, i);
    if (seg.base() >= seg_end || seg.max_arrival() < t_ms) continue;
    Result<FileCache::Handle> file = OpenForRead(seg, StartOffset());
    // Removed by retention since the snapshot: its records no longer count.
    if (!file.ok() && file.status().code() == StatusCode::kOutOfRange) continue;
    RETURN_IF_ERROR(file.status());
    uint64_t pos = seg.LookupTime(t_ms).position.value();
    while (true) {
      ASSIGN_OR_RETURN(const BatchAt b, ReadHeader(seg, **file, pos));
      const format::BatchHeader& h = b.header;
      if (h.base_offset >= seg_end.value()) break;
      if (h.max_arrival_ms >= t_ms) {
        ASSIGN_OR_RETURN(const std::unique_ptr<char[]> payload, ReadPayload(seg, **file, pos, b));
        std::vector<Record> records;
        RETURN_IF_ERROR(format::DecodeRecords(std::string_view(payload.get(), h.payload_len), h.record_count,
                                              Offset(h.base_offset), &records));
        for (const Record& r : records) {
          if (r.arrival_ms >= t_ms) return r.offset;
        }
      }
      if (h.base_offset + h.record_count >= seg_end.value()) break;
      pos += b.total;
    }
  }
  return snap.end;
}

}  // namespace sluice::log
