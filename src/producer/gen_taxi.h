// `sluice gen taxi`: synthetic taxi trips around Porto in exactly the format of the
// public "taxi service trajectory" data set (ECML/PKDD 2015): nine quoted columns,
// bare NA for missing values, one GPS point every 15 s in POLYLINE.
//
// Output depends only on (seed, start, trip index): the same options give the same
// bytes on any run and any thread count, and trip i is the same whether 10 or 10
// million trips are written. See docs/formats/taxi-csv.md for the model.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::producer {

inline constexpr std::string_view kTaxiCsvHeader =
    "\"TRIP_ID\",\"CALL_TYPE\",\"ORIGIN_CALL\",\"ORIGIN_STAND\",\"TAXI_ID\",\"TIMESTAMP\",\"DAY_TYPE\","
    "\"MISSING_DATA\",\"POLYLINE\"";

struct GenTaxiOptions {
  uint64_t trips = 1000;
  uint64_t seed = 1;
  // First trip's day (UTC), "YYYY-MM-DD"; the real data set starts on 2013-07-01.
  std::string start_date = "2013-07-01";
  std::string output = "-";  // "-" is standard output
  // Worker threads; 0 means one per core. The bytes do not depend on it.
  int threads = 0;
};

class TaxiTripGenerator {
 public:
  TaxiTripGenerator(uint64_t seed, int64_t start_unix_seconds);
  // Appends trip `index` (0-based) as one CSV line ending in '\n'. Thread-safe.
  void AppendTrip(uint64_t index, std::string* out) const;

  // Mean seconds between trip starts: the real set has ~1.71 M trips in one year.
  static constexpr double kMeanSecondsBetweenTrips = 18.44;
  static constexpr int kSecondsPerPoint = 15;
  // Fastest the model moves between two points (108 km/h); GPS noise adds a little.
  static constexpr double kMaxSpeedMetersPerSecond = 30.0;

 private:
  uint64_t seed_;
  int64_t start_;
};

// Parses "YYYY-MM-DD" as midnight UTC.
Result<int64_t> ParseDateUtc(std::string_view date);

// Writes the header and `options.trips` trips to `options.output`.
Status GenerateTaxiCsv(const GenTaxiOptions& options);

// The CLI entry point: runs GenerateTaxiCsv, reports errors on stderr, and returns
// the process exit code (0 on success, 1 on failure, 2 on bad options).
int RunGenTaxi(const GenTaxiOptions& options);

}  // namespace sluice::producer
