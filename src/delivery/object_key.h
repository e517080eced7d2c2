// The names of delivered objects. Pure functions, thread-safe.
//
// A Firehose object key is <prefix><ObjectName(...)>; ObjectName is
//   <stream name>-<destination version>-<yyyy-MM-dd-HH-mm-ss>-<id><extension>
// where the timestamp is the arrival time (UTC) of the object's oldest record and <id> is
// UUID-shaped. AWS draws <id> at random; sluice derives it from the log range the object
// holds, so a replay after a crash (object written, checkpoint not yet moved) writes the
// same key again instead of a duplicate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "delivery/compression.h"

namespace sluice::delivery {

// A UUID (8-4-4-4-12 lower-case hex) derived from SHA-256 of the stream identity and the
// inclusive offset range, with RFC 9562's version 8 ("custom") and variant 10 bits set:
// the same inputs always give the same id; any change gives another. `stream_identity`
// should distinguish streams that can share a name over time (e.g. name + creation time,
// or the stream's ARN + a partition key set).
std::string DeliveryObjectId(std::string_view stream_identity, uint64_t first_offset,
                             uint64_t last_offset);

// "<stream_name>-<version>-<yyyy-MM-dd-HH-mm-ss>-<id><FileExtension(compression)>".
std::string ObjectName(std::string_view stream_name, int64_t version, int64_t arrival_ms,
                       std::string_view id, Compression compression);

}  // namespace sluice::delivery
