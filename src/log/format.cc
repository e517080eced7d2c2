#include "log/format.h"

#include <charconv>
#include <cstring>

#include "base/crc32c.h"

namespace sluice::log::format {
namespace {

// Explicit little-endian codecs, so the format does not depend on the host.
template <typename T>
void Put(char* p, T v) {
  using U = std::make_unsigned_t<T>;
  auto u = static_cast<U>(v);
  for (size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<char>((u >> (8 * i)) & 0xff);
}
template <typename T>
T Get(const char* p) {
  using U = std::make_unsigned_t<T>;
  U u = 0;
  for (size_t i = 0; i < sizeof(T); ++i) u |= static_cast<U>(static_cast<uint8_t>(p[i])) << (8 * i);
  return static_cast<T>(u);
}

// CRC of a block whose u32 CRC field at `crc_pos` counts as zero.
uint32_t CrcWithHole(const char* data, size_t n, size_t crc_pos) {
  static constexpr char kZero[4] = {0, 0, 0, 0};
  uint32_t crc = crc32c::Extend(0, data, crc_pos);
  crc = crc32c::Extend(crc, kZero, 4);
  return crc32c::Extend(crc, data + crc_pos + 4, n - crc_pos - 4);
}

std::string ZeroPadded(uint64_t v) {
  std::string s(kSegmentNameDigits, '0');
  for (size_t i = kSegmentNameDigits; v != 0 && i > 0; --i, v /= 10) s[i - 1] = static_cast<char>('0' + v % 10);
  return s;
}

}  // namespace

void EncodeBatchHeader(const BatchHeader& h, char* out) {
  Put<uint32_t>(out + 0, h.magic);
  Put<uint8_t>(out + 4, h.version);
  Put<uint8_t>(out + 5, h.flags);
  Put<uint16_t>(out + 6, h.reserved);
  Put<uint32_t>(out + 8, 0);
  Put<uint32_t>(out + 12, h.payload_crc);
  Put<uint32_t>(out + 16, h.payload_len);
  Put<uint32_t>(out + 20, h.record_count);
  Put<uint64_t>(out + 24, h.base_offset);
  Put<int64_t>(out + 32, h.min_arrival_ms);
  Put<int64_t>(out + 40, h.max_arrival_ms);
  Put<uint32_t>(out + kHeaderCrcPos, CrcWithHole(out, kBatchHeaderSize, kHeaderCrcPos));
}

HeaderCheck DecodeBatchHeader(std::span<const char, kBatchHeaderSize> in, BatchHeader* h) {
  const char* p = in.data();
  if (Get<uint32_t>(p) != kBatchMagic) return HeaderCheck::kBadMagic;
  h->magic = kBatchMagic;
  h->version = Get<uint8_t>(p + 4);
  h->flags = Get<uint8_t>(p + 5);
  h->reserved = Get<uint16_t>(p + 6);
  h->header_crc = Get<uint32_t>(p + 8);
  h->payload_crc = Get<uint32_t>(p + 12);
  h->payload_len = Get<uint32_t>(p + 16);
  h->record_count = Get<uint32_t>(p + 20);
  h->base_offset = Get<uint64_t>(p + 24);
  h->min_arrival_ms = Get<int64_t>(p + 32);
  h->max_arrival_ms = Get<int64_t>(p + 40);
  if (CrcWithHole(p, kBatchHeaderSize, kHeaderCrcPos) != h->header_crc) return HeaderCheck::kBadCrc;
  // Only after the CRC: a random bit flip must read as damage, not as "newer version".
  if (h->version > kFormatVersion) return HeaderCheck::kNewerVersion;
  if (h->version == 0 || h->record_count == 0 || h->payload_len > kMaxPayloadBytes ||
      h->payload_len < static_cast<uint64_t>(h->record_count) * kRecordHeaderSize) {
    return HeaderCheck::kBadLength;
  }
  return HeaderCheck::kValid;
}

size_t EncodedRecordSize(const RecordInput& r) {
  return kRecordHeaderSize + (r.explicit_hash_key ? kHashKeySize : 0) + r.partition_key.size() +
         r.data.size();
}

Result<std::vector<char>> EncodeBatch(std::span<const RecordInput> records,
                                      int64_t default_arrival_ms) {
  if (records.empty()) return Status::InvalidArgument("append of zero records");
  if (records.size() > UINT32_MAX) return Status::InvalidArgument("too many records in one append");
  size_t payload = 0;
  for (const RecordInput& r : records) {
    if (r.partition_key.size() > UINT16_MAX) {
      return Status::InvalidArgument("partition key longer than 65535 bytes");
    }
    if (r.data.size() > UINT32_MAX) return Status::InvalidArgument("record data too large");
    payload += EncodedRecordSize(r);
  }
  if (payload > kMaxPayloadBytes) {
    return Status::InvalidArgument("append of " + std::to_string(payload) +
                                   " bytes exceeds the batch limit of " +
                                   std::to_string(kMaxPayloadBytes));
  }
  std::vector<char> out(kBatchHeaderSize + payload);
  char* p = out.data() + kBatchHeaderSize;
  int64_t min_ts = INT64_MAX;
  int64_t max_ts = INT64_MIN;
  for (const RecordInput& r : records) {
    const int64_t ts = r.arrival_ms.value_or(default_arrival_ms);
    min_ts = std::min(min_ts, ts);
    max_ts = std::max(max_ts, ts);
    Put<uint32_t>(p, static_cast<uint32_t>(r.data.size()));
    Put<uint16_t>(p + 4, static_cast<uint16_t>(r.partition_key.size()));
    Put<uint8_t>(p + 6, r.explicit_hash_key ? kRecordHasHashKey : 0);
    Put<uint8_t>(p + 7, 0);
    Put<int64_t>(p + 8, ts);
    p += kRecordHeaderSize;
    if (r.explicit_hash_key) {
      std::memcpy(p, r.explicit_hash_key->data(), kHashKeySize);
      p += kHashKeySize;
    }
    if (!r.partition_key.empty()) std::memcpy(p, r.partition_key.data(), r.partition_key.size());
    p += r.partition_key.size();
    if (!r.data.empty()) std::memcpy(p, r.data.data(), r.data.size());
    p += r.data.size();
  }
  BatchHeader h;
  h.payload_len = static_cast<uint32_t>(payload);
  h.payload_crc = crc32c::Value(out.data() + kBatchHeaderSize, payload);
  h.record_count = static_cast<uint32_t>(records.size());
  h.min_arrival_ms = min_ts;
  h.max_arrival_ms = max_ts;
  EncodeBatchHeader(h, out.data());
  return out;
}

void SetBaseOffset(std::span<char> batch, Offset base) {
  Put<uint64_t>(batch.data() + 24, base.value());
  Put<uint32_t>(batch.data() + kHeaderCrcPos, CrcWithHole(batch.data(), kBatchHeaderSize, kHeaderCrcPos));
}

Status DecodeRecords(std::string_view payload, uint32_t record_count, Offset base,
                     std::vector<Record>* out) {
  const char* p = payload.data();
  const char* const end = payload.data() + payload.size();
  for (uint32_t i = 0; i < record_count; ++i) {
    // The payload CRC already matched, so a failure here means a writer bug or a
    // CRC collision; still reported as data damage rather than trusted.
    if (end - p < static_cast<ptrdiff_t>(kRecordHeaderSize)) {
      return Status::Corruption("record " + std::to_string(i) + " header runs past the batch");
    }
    Record r;
    r.offset = Offset(base.value() + i);
    const uint32_t data_len = Get<uint32_t>(p);
    const uint16_t key_len = Get<uint16_t>(p + 4);
    const uint8_t flags = Get<uint8_t>(p + 6);
    r.arrival_ms = Get<int64_t>(p + 8);
    p += kRecordHeaderSize;
    const size_t body = (flags & kRecordHasHashKey ? kHashKeySize : 0) + key_len + size_t{data_len};
    if (static_cast<size_t>(end - p) < body) {
      return Status::Corruption("record " + std::to_string(i) + " runs past the batch");
    }
    if (flags & kRecordHasHashKey) {
      HashKey k;
      std::memcpy(k.data(), p, kHashKeySize);
      r.explicit_hash_key = k;
      p += kHashKeySize;
    }
    r.partition_key = std::string_view(p, key_len);
    p += key_len;
    r.data = std::string_view(p, data_len);
    p += data_len;
    out->push_back(r);
  }
  if (p != end) return Status::Corruption("trailing bytes after the last record of a batch");
  return Status::OK();
}

std::string SegmentFileName(Offset base) { return ZeroPadded(base.value()) + std::string(kSegmentSuffix); }
std::string PendingSegmentFileName(Offset base) { return SegmentFileName(base) + std::string(kTempSuffix); }
std::string IndexFileName(Offset base) { return ZeroPadded(base.value()) + std::string(kIndexSuffix); }

std::optional<Offset> ParseSegmentFileName(std::string_view name) {
  if (name.size() != kSegmentNameDigits + kSegmentSuffix.size()) return std::nullopt;
  if (name.substr(kSegmentNameDigits) != kSegmentSuffix) return std::nullopt;
  uint64_t v = 0;
  const char* first = name.data();
  const char* last = name.data() + kSegmentNameDigits;
  for (const char* c = first; c != last; ++c) {
    if (*c < '0' || *c > '9') return std::nullopt;
  }
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return Offset(v);
}

std::string EncodeIndexFile(const IndexFile& f) {
  std::string out(kIndexHeaderSize + f.entries.size() * kIndexEntrySize, '\0');
  char* p = out.data();
  Put<uint32_t>(p + 0, kIndexMagic);
  Put<uint8_t>(p + 4, kIndexVersion);
  Put<uint32_t>(p + 12, static_cast<uint32_t>(f.entries.size()));
  Put<uint64_t>(p + 16, f.base_offset.value());
  Put<uint64_t>(p + 24, f.next_offset.value());
  Put<uint64_t>(p + 32, f.segment_bytes);
  Put<int64_t>(p + 40, f.max_arrival_ms);
  char* e = p + kIndexHeaderSize;
  for (const IndexEntry& entry : f.entries) {
    Put<uint64_t>(e, entry.offset.value());
    Put<uint64_t>(e + 8, entry.position.value());
    Put<int64_t>(e + 16, entry.max_arrival_before);
    e += kIndexEntrySize;
  }
  Put<uint32_t>(p + 8, CrcWithHole(out.data(), out.size(), 8));
  return out;
}

Result<IndexFile> DecodeIndexFile(std::string_view bytes) {
  if (bytes.size() < kIndexHeaderSize) return Status::Corruption("index file shorter than its header");
  const char* p = bytes.data();
  if (Get<uint32_t>(p) != kIndexMagic) return Status::Corruption("index file has a bad magic");
  const uint32_t count = Get<uint32_t>(p + 12);
  if (bytes.size() != kIndexHeaderSize + size_t{count} * kIndexEntrySize) {
    return Status::Corruption("index file size does not match its entry count");
  }
  if (CrcWithHole(p, bytes.size(), 8) != Get<uint32_t>(p + 8)) {
    return Status::Corruption("index file checksum mismatch");
  }
  if (Get<uint8_t>(p + 4) != kIndexVersion) return Status::NotSupported("index file version");
  IndexFile f;
  f.base_offset = Offset(Get<uint64_t>(p + 16));
  f.next_offset = Offset(Get<uint64_t>(p + 24));
  f.segment_bytes = Get<uint64_t>(p + 32);
  f.max_arrival_ms = Get<int64_t>(p + 40);
  f.entries.reserve(count);
  const char* e = p + kIndexHeaderSize;
  for (uint32_t i = 0; i < count; ++i, e += kIndexEntrySize) {
    f.entries.push_back(IndexEntry{Offset(Get<uint64_t>(e)), FilePosition(Get<uint64_t>(e + 8)),
                                   Get<int64_t>(e + 16)});
  }
  return f;
}

}  // namespace sluice::log::format
