// Kinesis sequence numbers: 56 decimal digits, the shape AWS returns, that encode where
// the record lives so AT_SEQUENCE_NUMBER / AFTER_SEQUENCE_NUMBER iterators need no
// lookup table.
//
//   digits  0..1   "49"                 AWS's current prefix
//   digits  2..14  stream creation, ms  tells a recreated stream's numbers apart
//   digits 15..21  shard index          0..9999999
//   digits 22..35  zeros                reserved
//   digits 36..55  offset in the shard log
//
// Within a shard they increase strictly with the offset and never repeat; they are
// derived from durable state, so they are stable across restarts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "log/types.h"

namespace sluice::stream {

inline constexpr size_t kSequenceDigits = 56;
inline constexpr uint32_t kMaxShardIndex = 9'999'999;

struct SequenceParts {
  int64_t stream_created_ms = 0;
  uint32_t shard_index = 0;
  log::Offset offset;
  bool operator==(const SequenceParts&) const = default;
};

// A formatted sequence number held without a heap allocation (GetRecords makes one per
// record).
struct SequenceText {
  std::array<char, kSequenceDigits> digits;
  operator std::string_view() const { return {digits.data(), digits.size()}; }  // NOLINT
  std::string str() const { return std::string(digits.data(), digits.size()); }
};

SequenceText FormatSequenceText(const SequenceParts& parts);
std::string FormatSequenceNumber(const SequenceParts& parts);
// nullopt if `s` is not a sequence number this server issued (any stream).
std::optional<SequenceParts> ParseSequenceNumber(std::string_view s);

// "shardId-000000000001": Kinesis's shard id shape.
std::string ShardIdFor(uint32_t shard_index);
// nullopt unless `s` is "shardId-" followed by digits (AWS also accepts bare digits
// in some calls; callers decide).
std::optional<uint32_t> ParseShardId(std::string_view s);

}  // namespace sluice::stream
