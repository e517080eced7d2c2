// Value types shared by the log's public API and its on-disk format code.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/named_type.h"

namespace sluice::log {

// Offset of a record in one log; dense, starts at 0, never reused.
using Offset = NamedType<uint64_t, struct OffsetTag>;
// Byte position inside one segment file.
using FilePosition = NamedType<uint64_t, struct FilePositionTag>;
// Kinesis ExplicitHashKey: a 128-bit big-endian integer.
using HashKey = std::array<uint8_t, 16>;

// One record to append. The views must stay valid until AppendAsync returns (the
// bytes are copied into the batch before it returns).
struct RecordInput {
  std::string_view partition_key;
  std::optional<HashKey> explicit_hash_key;
  std::string_view data;
  // Arrival time; when absent the log stamps its clock's time at append.
  std::optional<int64_t> arrival_ms;
};

// One record returned by a read. The views point into buffers owned by the
// ReadResult that returned it and live as long as that ReadResult.
struct Record {
  Offset offset;
  int64_t arrival_ms = 0;
  std::string_view partition_key;
  std::optional<HashKey> explicit_hash_key;
  std::string_view data;
};

struct AppendResult {
  Offset first_offset;
  Offset last_offset;  // inclusive
};

}  // namespace sluice::log
