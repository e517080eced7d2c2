// Shard iterators: opaque to clients, they carry the whole position (stream, shard,
// next offset) and when they were issued, so the server keeps no per-iterator state and
// iterators survive restarts. A checksum makes a truncated or edited iterator an
// InvalidArgument instead of a read from the wrong place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "log/types.h"

namespace sluice::stream {

// Iterators expire this long after they are issued (ExpiredIteratorException), unless
// StreamManagerOptions says otherwise.
inline constexpr int64_t kIteratorLifetimeMs = 5 * 60 * 1000;

struct IteratorState {
  std::string stream_name;
  int64_t stream_created_ms = 0;
  uint32_t shard_index = 0;
  log::Offset next;  // first offset the next GetRecords returns
  int64_t issued_ms = 0;
  bool operator==(const IteratorState&) const = default;
};

// Base64 text, at most 512 characters for stream names up to 128 characters.
std::string EncodeIterator(const IteratorState& state);
std::optional<IteratorState> DecodeIterator(std::string_view text);

}  // namespace sluice::stream
