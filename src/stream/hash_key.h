// 128-bit hash keys: Kinesis maps a partition key to MD5(key) read as a big-endian
// unsigned 128-bit integer, and each open shard owns a contiguous range of that space.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "log/types.h"

namespace sluice::stream {

using uint128 = unsigned __int128;

inline constexpr uint128 kMaxHashKey = ~uint128{0};  // 2^128 - 1

// MD5 of the partition key as a big-endian integer.
uint128 HashPartitionKey(std::string_view partition_key);

// Decimal text, as the API shows hash keys.
std::string ToDecimal(uint128 v);
// Parses 0|[1-9][0-9]* up to 2^128 - 1; nullopt for anything else (sign, spaces,
// leading zeros, overflow).
std::optional<uint128> ParseDecimal(std::string_view s);

log::HashKey ToBytes(uint128 v);
uint128 FromBytes(const log::HashKey& b);

// [start, end], both inclusive.
struct HashRange {
  uint128 start = 0;
  uint128 end = 0;
  bool Contains(uint128 k) const { return start <= k && k <= end; }
  bool operator==(const HashRange&) const = default;
};

// Splits the whole space into n ranges the way CreateStream does: range i starts at
// floor(i * 2^128 / n). n >= 1.
std::vector<HashRange> EvenSplit(size_t n);

}  // namespace sluice::stream
