// The on-disk format of stored datapoints (docs/formats/metrics.md).
//
// A points file holds the datapoints of one resolution whose period starts fall in one
// chunk of time: 1-second points in hourly files "s-<chunk start, unix s>.pts",
// 1-minute points in daily files "m-<chunk start, unix s>.pts". Retention drops whole
// files: a file goes once its chunk ended longer ago than its resolution is kept.
//
//   file    := magic (8 bytes, "SLMETR01") record*
//   record  := crc32c (u32, of length and payload) | length (u32) | payload
//   payload := unit (u8) | flags (u8: bit 0 = histogram follows) | reserved (u16 = 0)
//              | period_start_ms (i64) | sample_count, sum, minimum, maximum (f64 each)
//              | ns (str) | name (str) | dimension count (u8) | (name (str), value (str))*
//              | [ zero count (f64) | positive buckets | negative buckets ]
//   buckets := count (u32) | (index (i32), count (f64))*
//   str     := length (u16) | bytes
// Integers and doubles are little-endian. A series may have several records for one
// period (a fold wrote part of an open period at shutdown, or PutMetricData sent data
// for a period already written); readers merge them. A record that is cut short or
// fails its checksum ends the file: it is the torn tail of a crash, truncated at open.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "aggregate.h"
#include "metrics/metrics.h"

namespace sluice::metrics::internal {

inline constexpr std::string_view kPointFileMagic = "SLMETR01";
inline constexpr size_t kRecordHeaderSize = 8;  // crc32c + length
inline constexpr size_t kFixedPayloadSize = 1 + 1 + 2 + 8 + 4 * 8;
static_assert(kFixedPayloadSize == 44);
// A bound on one record, so a garbage length is recognised as a torn tail.
inline constexpr uint32_t kMaxRecordPayload = 1 << 20;
inline constexpr uint8_t kFlagHistogram = 1;

struct StoredPoint {
  MetricId id;
  Unit unit = Unit::kNone;
  int64_t period_start_ms = 0;
  Aggregate aggregate;
};

// Appends one framed record to `out`.
void EncodePoint(const StoredPoint& point, std::string& out);

// Calls `fn` for each valid record of a file's contents (magic included). Returns the
// length of the valid prefix: the file's size when nothing is torn.
Result<size_t> DecodePoints(std::string_view file, const std::function<void(StoredPoint)>& fn);

}  // namespace sluice::metrics::internal
