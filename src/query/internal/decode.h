// Lake objects to JSON text: GZIP (also concatenated members), ZIP (every entry, in
// archive order) and Snappy (the framing format, and Hadoop's block framing that
// Firehose's HADOOP_SNAPPY writes), chosen by the key's extension or the leading magic
// bytes; anything else is taken as is. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::query {

// An object decoded to more than this is refused rather than held in memory.
inline constexpr uint64_t kMaxDecodedObjectBytes = 1ull << 30;

enum class Compression { kNone, kGzip, kZip, kSnappyFramed, kHadoopSnappy };

Compression DetectCompression(std::string_view key, std::string_view data);

// The decoded bytes; Corruption naming `key` when the data does not decode.
Result<std::string> Decode(std::string_view key, std::string data);

}  // namespace sluice::query
