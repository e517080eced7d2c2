// The calendar fields of a UTC instant, for the timestamps of object keys and prefixes.
// Pure, thread-safe; no time zone database, no locale.
#pragma once

#include <cstdint>

namespace sluice::delivery {

struct UtcTime {
  int64_t year;
  int month;   // 1-12
  int day;     // 1-31
  int hour;    // 0-23
  int minute;  // 0-59
  int second;  // 0-59
  int millis;  // 0-999
};

// Milliseconds since the Unix epoch (negative = before 1970) to UTC calendar fields
// (proleptic Gregorian).
UtcTime ToUtc(int64_t epoch_ms);

}  // namespace sluice::delivery
