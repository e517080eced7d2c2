// On-disk format of the log: segment files (a sequence of batches) and their sparse
// index files. Everything is little-endian. docs/formats/log.md explains each choice.
//
// Segment file <base offset, 20 digits>.log = batch*
// A segment started by a roll is created as <base>.log.tmp and renamed to <base>.log
// only once the segment before it is fdatasync'ed: a sealed segment is then never torn,
// and a .tmp left by a crash holds nothing acknowledged (open removes it).
//
// Batch header (kBatchHeaderSize = 48 bytes), followed by payload_len payload bytes:
//   0  magic          u32  kBatchMagic; a zero-filled tail never looks like a batch
//   4  version        u8   kFormatVersion; newer versions are refused, never guessed at
//   5  flags          u8   0 (reserved for compression)
//   6  reserved       u16  0
//   8  header_crc     u32  CRC32C of the 48 header bytes with this field zeroed
//  12  payload_crc    u32  CRC32C of the payload
//  16  payload_len    u32  bytes of payload after the header
//  20  record_count   u32  >= 1; record i has offset base_offset + i
//  24  base_offset    u64
//  32  min_arrival_ms i64  smallest record arrival time in the batch
//  40  max_arrival_ms i64  largest record arrival time in the batch
//
// Record (in the payload, record_count of them back to back):
//   0  data_len       u32
//   4  key_len        u16  partition key bytes
//   6  flags          u8   bit 0: an explicit hash key follows
//   7  reserved       u8   0
//   8  arrival_ms     i64
//  16  [explicit hash key, 16 bytes, if flags bit 0] [partition key] [data]
//
// Index file <base offset, 20 digits>.index (only for sealed segments; a cache that is
// rebuilt from the segment whenever it is missing, damaged or does not match):
//   0  magic          u32  kIndexMagic
//   4  version        u8   kIndexVersion
//   5  flags          u8   0
//   6  reserved       u16  0
//   8  crc            u32  CRC32C of the whole file with this field zeroed
//  12  entry_count    u32
//  16  base_offset    u64  must match the segment file name
//  24  next_offset    u64  offset after the segment's last record
//  32  segment_bytes  u64  must match the segment file size
//  40  max_arrival_ms i64  newest arrival in the segment (drives retention)
//  48  entries: entry_count x { offset u64, position u64, max_arrival_before_ms i64 }
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "log/types.h"

namespace sluice::log::format {

inline constexpr uint32_t kBatchMagic = 0x534C4231;  // "1BLS" on disk
inline constexpr uint8_t kFormatVersion = 1;
inline constexpr size_t kBatchHeaderSize = 48;
inline constexpr size_t kHeaderCrcPos = 8;
inline constexpr size_t kRecordHeaderSize = 16;
inline constexpr size_t kHashKeySize = 16;
inline constexpr uint8_t kRecordHasHashKey = 0x01;
// A batch larger than this is refused: it bounds the memory one read or scan can need
// and keeps payload_len far from overflowing u32.
inline constexpr size_t kMaxPayloadBytes = 256u << 20;

inline constexpr uint32_t kIndexMagic = 0x534C4931;  // "1ILS" on disk
inline constexpr uint8_t kIndexVersion = 1;
inline constexpr size_t kIndexHeaderSize = 48;
inline constexpr size_t kIndexEntrySize = 24;

inline constexpr size_t kSegmentNameDigits = 20;
inline constexpr std::string_view kSegmentSuffix = ".log";
inline constexpr std::string_view kIndexSuffix = ".index";
// Temporary names (pending segments, index files being replaced); removed at open.
inline constexpr std::string_view kTempSuffix = ".tmp";

struct BatchHeader {
  uint32_t magic = kBatchMagic;
  uint8_t version = kFormatVersion;
  uint8_t flags = 0;
  uint16_t reserved = 0;
  uint32_t header_crc = 0;
  uint32_t payload_crc = 0;
  uint32_t payload_len = 0;
  uint32_t record_count = 0;
  uint64_t base_offset = 0;
  int64_t min_arrival_ms = 0;
  int64_t max_arrival_ms = 0;
};
static_assert(sizeof(BatchHeader) == kBatchHeaderSize, "batch header layout drifted");

struct IndexEntry {
  Offset offset;               // base offset of the batch at `position`
  FilePosition position;       // where that batch's header starts
  int64_t max_arrival_before;  // max arrival of every record before `position`
};

// How a header read from disk was judged.
enum class HeaderCheck {
  kValid,
  kBadMagic,     // includes a zero-filled tail
  kBadCrc,
  kNewerVersion, // magic and CRC are fine, but we cannot read this version
  kBadLength,    // CRC fine but fields impossible (count 0, length too large)
};

// Encodes the header into exactly kBatchHeaderSize bytes at `out`, computing header_crc.
void EncodeBatchHeader(const BatchHeader& h, char* out);
// Decodes and judges a header; `h` is filled for every result except kBadMagic.
HeaderCheck DecodeBatchHeader(std::span<const char, kBatchHeaderSize> in, BatchHeader* h);

// Encoded size of one record in a payload.
size_t EncodedRecordSize(const RecordInput& r);
// Builds a complete batch (header + payload) for `records`, all stamped with
// arrival time `default_arrival_ms` unless they carry their own. base_offset is 0;
// SetBaseOffset fixes it later so encoding can happen outside the append lock.
Result<std::vector<char>> EncodeBatch(std::span<const RecordInput> records,
                                      int64_t default_arrival_ms);
// Rewrites base_offset and header_crc of an encoded batch in place.
void SetBaseOffset(std::span<char> batch, Offset base);

// Parses a CRC-verified payload into records with offsets from `base`; the views point
// into `payload`.
Status DecodeRecords(std::string_view payload, uint32_t record_count, Offset base,
                     std::vector<Record>* out);

std::string SegmentFileName(Offset base);
// The name a rolled segment has until its predecessor is durable.
std::string PendingSegmentFileName(Offset base);
std::string IndexFileName(Offset base);
// Parses "<20 digits>.log"; nullopt for any other name.
std::optional<Offset> ParseSegmentFileName(std::string_view name);

struct IndexFile {
  Offset base_offset;
  Offset next_offset;
  uint64_t segment_bytes = 0;
  int64_t max_arrival_ms = 0;
  std::vector<IndexEntry> entries;
};
std::string EncodeIndexFile(const IndexFile& f);
// Corruption if the magic, CRC or sizes are wrong; NotSupported for a newer version.
Result<IndexFile> DecodeIndexFile(std::string_view bytes);

}  // namespace sluice::log::format
