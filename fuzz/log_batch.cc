// The log's on-disk batch and index formats (src/log/format.h), as recovery and reads
// meet them on disk. The first byte picks what the rest is:
//   0  a batch header's fields: encoded, then judged exactly as the layout says;
//   1  a payload and a record count: DecodeRecords never reads outside the payload,
//      and what it returns re-encodes (EncodeBatch) to a batch that decodes the same;
//   2  an index file, its checksum fixed up so the fields are reached: decode(encode)
//      is the identity and the decoded file encodes to the input bytes;
//   3  a segment file name: parses only when it is the name SegmentFileName writes.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "check.h"
#include "log/format.h"

namespace format = sluice::log::format;
using sluice::log::Offset;

namespace {

void CheckHeader(FuzzedDataProvider& in) {
  format::BatchHeader h;
  h.magic = in.ConsumeBool() ? format::kBatchMagic : in.ConsumeIntegral<uint32_t>();
  h.version = in.ConsumeIntegral<uint8_t>();
  h.flags = in.ConsumeIntegral<uint8_t>();
  h.reserved = in.ConsumeIntegral<uint16_t>();
  h.payload_crc = in.ConsumeIntegral<uint32_t>();
  h.payload_len = in.ConsumeIntegral<uint32_t>();
  h.record_count = in.ConsumeIntegral<uint32_t>();
  h.base_offset = in.ConsumeIntegral<uint64_t>();
  h.min_arrival_ms = in.ConsumeIntegral<int64_t>();
  h.max_arrival_ms = in.ConsumeIntegral<int64_t>();
  char bytes[format::kBatchHeaderSize];
  format::EncodeBatchHeader(h, bytes);
  const bool flip = in.ConsumeBool();
  const size_t flip_at = in.ConsumeIntegralInRange<size_t>(0, sizeof bytes - 1);
  const uint8_t flip_bits = in.ConsumeIntegralInRange<uint8_t>(1, 255);
  if (flip) bytes[flip_at] = static_cast<char>(bytes[flip_at] ^ flip_bits);

  format::BatchHeader d;
  const auto check = format::DecodeBatchHeader(std::span<const char, format::kBatchHeaderSize>(bytes), &d);
  if (flip) {
    // Damage is never valid (nor "newer"): it is a bad magic or a bad checksum.
    FUZZ_CHECK(check == format::HeaderCheck::kBadMagic || check == format::HeaderCheck::kBadCrc);
    return;
  }
  if (h.magic != format::kBatchMagic) {
    FUZZ_CHECK(check == format::HeaderCheck::kBadMagic);
    return;
  }
  FUZZ_CHECK(check != format::HeaderCheck::kBadMagic && check != format::HeaderCheck::kBadCrc);
  FUZZ_CHECK(d.version == h.version && d.flags == h.flags && d.reserved == h.reserved &&
             d.payload_crc == h.payload_crc && d.payload_len == h.payload_len &&
             d.record_count == h.record_count && d.base_offset == h.base_offset &&
             d.min_arrival_ms == h.min_arrival_ms && d.max_arrival_ms == h.max_arrival_ms);
  const bool newer = h.version > format::kFormatVersion;
  const bool bad_length = h.version == 0 || h.record_count == 0 || h.payload_len > format::kMaxPayloadBytes ||
                          h.payload_len < uint64_t{h.record_count} * format::kRecordHeaderSize;
  FUZZ_CHECK(check == (newer ? format::HeaderCheck::kNewerVersion
                             : bad_length ? format::HeaderCheck::kBadLength : format::HeaderCheck::kValid));
}

void CheckRecords(FuzzedDataProvider& in) {
  const uint32_t count = in.ConsumeIntegralInRange<uint32_t>(0, 64) == 64 ? in.ConsumeIntegral<uint32_t>()
                                                                          : in.ConsumeIntegralInRange<uint32_t>(0, 64);
  const uint64_t base = in.ConsumeIntegral<uint64_t>();
  const std::string payload = in.ConsumeRemainingBytesAsString();
  std::vector<sluice::log::Record> records;
  if (!format::DecodeRecords(payload, count, Offset(base), &records).ok()) return;
  FUZZ_CHECK(records.size() == count);
  size_t total = 0;
  std::vector<sluice::log::RecordInput> inputs;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    FUZZ_CHECK(r.offset.value() == base + i);
    for (const std::string_view v : {r.partition_key, r.data}) {
      FUZZ_CHECK(v.data() >= payload.data() && v.data() + v.size() <= payload.data() + payload.size());
    }
    total += format::kRecordHeaderSize + (r.explicit_hash_key ? format::kHashKeySize : 0) +
             r.partition_key.size() + r.data.size();
    inputs.push_back({r.partition_key, r.explicit_hash_key, r.data, r.arrival_ms});
  }
  FUZZ_CHECK(total == payload.size());
  if (inputs.empty()) return;

  auto batch = format::EncodeBatch(inputs, 0);
  FUZZ_CHECK(batch.ok());
  format::BatchHeader h;
  const auto check = format::DecodeBatchHeader(
      std::span<const char, format::kBatchHeaderSize>(batch->data(), format::kBatchHeaderSize), &h);
  FUZZ_CHECK(check == format::HeaderCheck::kValid);
  const std::string_view again(batch->data() + format::kBatchHeaderSize, batch->size() - format::kBatchHeaderSize);
  FUZZ_CHECK(h.payload_len == again.size() && h.record_count == count);
  FUZZ_CHECK(h.payload_crc == sluice::crc32c::Value(again));
  std::vector<sluice::log::Record> decoded;
  FUZZ_CHECK(format::DecodeRecords(again, h.record_count, Offset(base), &decoded).ok());
  for (size_t i = 0; i < decoded.size(); ++i) {
    const auto &a = records[i], &b = decoded[i];
    FUZZ_CHECK(a.offset == b.offset && a.arrival_ms == b.arrival_ms && a.partition_key == b.partition_key &&
               a.explicit_hash_key == b.explicit_hash_key && a.data == b.data);
    FUZZ_CHECK(h.min_arrival_ms <= b.arrival_ms && b.arrival_ms <= h.max_arrival_ms);
  }
}

void CheckIndex(FuzzedDataProvider& in) {
  const bool fix_crc = in.ConsumeBool();
  std::string bytes = in.ConsumeRemainingBytesAsString();
  if (fix_crc && bytes.size() >= format::kIndexHeaderSize) {
    std::memset(bytes.data() + 8, 0, 4);
    const uint32_t crc = sluice::crc32c::Value(bytes);
    for (size_t i = 0; i < 4; ++i) bytes[8 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  }
  const auto f = format::DecodeIndexFile(bytes);
  if (!f.ok()) return;
  const std::string encoded = format::EncodeIndexFile(*f);
  const auto g = format::DecodeIndexFile(encoded);
  FUZZ_CHECK(g.ok());
  FUZZ_CHECK(g->base_offset == f->base_offset && g->next_offset == f->next_offset &&
             g->segment_bytes == f->segment_bytes && g->max_arrival_ms == f->max_arrival_ms &&
             g->entries.size() == f->entries.size());
  for (size_t i = 0; i < f->entries.size(); ++i) {
    FUZZ_CHECK(g->entries[i].offset == f->entries[i].offset && g->entries[i].position == f->entries[i].position &&
               g->entries[i].max_arrival_before == f->entries[i].max_arrival_before);
  }
  // Bytes the encoder never writes (flags, reserved) are the only freedom in the input.
  std::string canonical = bytes;
  std::memset(canonical.data() + 5, 0, 3);
  std::memcpy(canonical.data() + 8, encoded.data() + 8, 4);
  FUZZ_CHECK(encoded == canonical);
}

void CheckSegmentName(FuzzedDataProvider& in) {
  const std::string name = in.ConsumeRemainingBytesAsString();
  const auto base = format::ParseSegmentFileName(name);
  if (!base) return;
  FUZZ_CHECK(format::SegmentFileName(*base) == name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: CheckHeader(in); break;
    case 1: CheckRecords(in); break;
    case 2: CheckIndex(in); break;
    default: CheckSegmentName(in); break;
  }
  return 0;
}
