#include "delivery/utc_time.h"

namespace sluice::delivery {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

UtcTime ToUtc(int64_t epoch_ms) {
  const int64_t ms_per_day = 86'400'000;
  int64_t days = FloorDiv(epoch_ms, ms_per_day);
  int64_t ms_of_day = epoch_ms - days * ms_per_day;
  // Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-Compatible Low-Level
  // Date Algorithms", civil_from_days).
  int64_t z = days + 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;                                       // [0, 146096]
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  UtcTime t;
  t.year = year;
  t.month = month;
  t.day = day;
  t.hour = static_cast<int>(ms_of_day / 3'600'000);
  t.minute = static_cast<int>(ms_of_day / 60'000 % 60);
  t.second = static_cast<int>(ms_of_day / 1000 % 60);
  t.millis = static_cast<int>(ms_of_day % 1000);
  return t;
}

}  // namespace sluice::delivery
