#include "producer/gen_taxi.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "producer/csv_reader.h"

namespace sluice::producer {
namespace {

constexpr int64_t kJuly2013 = 1372636800;  // 2013-07-01T00:00:00Z

std::string Generate(uint64_t seed, uint64_t first, uint64_t count, int64_t start = kJuly2013) {
  const TaxiTripGenerator gen(seed, start);
  std::string out;
  for (uint64_t i = first; i < first + count; ++i) gen.AppendTrip(i, &out);
  return out;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(GenTaxi, SameSeedSameBytesDifferentSeedDifferentBytes) {
  EXPECT_EQ(Generate(7, 0, 500), Generate(7, 0, 500));
  EXPECT_NE(Generate(7, 0, 500), Generate(8, 0, 500));
}

TEST(GenTaxi, ATripDependsOnlyOnItsIndex) {
  const std::string all = Generate(7, 0, 300);
  const std::string tail = Generate(7, 200, 100);
  EXPECT_TRUE(all.ends_with(tail));
}

TEST(GenTaxi, FileOutputIsTheSameForAnyThreadCount) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string a = (dir / ("gen-a-" + std::to_string(::getpid()) + ".csv")).string();
  const std::string b = (dir / ("gen-b-" + std::to_string(::getpid()) + ".csv")).string();
  GenTaxiOptions o;
  o.trips = 20000;  // several chunks, so the ordering of chunks is exercised
  o.seed = 3;
  o.output = a;
  o.threads = 1;
  ASSERT_EQ(RunGenTaxi(o), 0);
  o.output = b;
  o.threads = 3;
  ASSERT_EQ(RunGenTaxi(o), 0);
  const std::string bytes = ReadFile(a);
  EXPECT_EQ(bytes, ReadFile(b));
  EXPECT_TRUE(bytes.starts_with(std::string(kTaxiCsvHeader) + "\n"));
  EXPECT_TRUE(bytes.ends_with(Generate(3, 19999, 1)));
  std::filesystem::remove(a);
  std::filesystem::remove(b);
}

TEST(GenTaxi, BadStartDateIsAUsageError) {
  GenTaxiOptions o;
  o.start_date = "2013-13-01";
  EXPECT_EQ(RunGenTaxi(o), 2);
  EXPECT_EQ(*ParseDateUtc("2013-07-01"), kJuly2013);
  EXPECT_EQ(*ParseDateUtc("1970-01-01"), 0);
  EXPECT_EQ(*ParseDateUtc("2016-03-01"), 1456790400);
  EXPECT_FALSE(ParseDateUtc("2013/07/01").ok());
}

// Reads generated trips back through the CSV reader and checks every rule of the
// real data set's format and a plausible physical model.
TEST(GenTaxi, OutputParsesBackInTheDataSetFormatWithPlausibleValues) {
  constexpr uint64_t kTrips = 30000;
  const std::string text = std::string(kTaxiCsvHeader) + "\n" + Generate(11, 0, kTrips);
  CsvReader reader(StringSource(text));
  ASSERT_TRUE(reader.ReadHeader().ok());
  EXPECT_EQ(reader.header(), (std::vector<std::string>{"TRIP_ID", "CALL_TYPE", "ORIGIN_CALL", "ORIGIN_STAND", "TAXI_ID",
                                                       "TIMESTAMP", "DAY_TYPE", "MISSING_DATA", "POLYLINE"}));
  CsvRow row;
  uint64_t n = 0, a = 0, b = 0, c = 0, missing = 0, empty = 0;
  std::vector<size_t> lengths;
  double max_kmh = 0;
  int64_t last_ts = 0;
  while (*reader.Next(&row)) {
    ASSERT_EQ(row.error, CsvRowError::kNone) << row.raw;
    const std::vector<std::string>& f = row.fields;
    EXPECT_EQ(f[0], "T" + std::to_string(n + 1));
    ++n;
    // Quoting exactly as in the data set: everything quoted but NA.
    EXPECT_TRUE(row.raw.starts_with("\"T"));
    const std::string& type = f[1];
    if (type == "A") {
      ++a;
      const long call = std::strtol(f[2].c_str(), nullptr, 10);
      EXPECT_TRUE(call >= 2001 && call <= 86500) << f[2];
      EXPECT_EQ(f[3], "NA");
    } else if (type == "B") {
      ++b;
      EXPECT_EQ(f[2], "NA");
      const long stand = std::strtol(f[3].c_str(), nullptr, 10);
      EXPECT_TRUE(stand >= 1 && stand <= 63) << f[3];
    } else {
      ASSERT_EQ(type, "C");
      ++c;
      EXPECT_EQ(f[2], "NA");
      EXPECT_EQ(f[3], "NA");
    }
    EXPECT_NE(row.raw.find(",NA,"), std::string_view::npos) << "NA is bare, never quoted";
    const long taxi = std::strtol(f[4].c_str(), nullptr, 10);
    EXPECT_TRUE(taxi >= 20000001 && taxi <= 20000980) << f[4];
    const int64_t ts = std::strtoll(f[5].c_str(), nullptr, 10);
    EXPECT_GE(ts, kJuly2013);
    EXPECT_LT(ts, kJuly2013 + static_cast<int64_t>(kTrips * TaxiTripGenerator::kMeanSecondsBetweenTrips) + 60);
    EXPECT_GT(ts, last_ts - 120) << "trips come roughly in time order";
    last_ts = std::max(last_ts, ts);
    EXPECT_EQ(f[6], "A");
    ASSERT_TRUE(f[7] == "True" || f[7] == "False");
    missing += f[7] == "True";

    const nlohmann::json poly = nlohmann::json::parse(f[8]);
    ASSERT_TRUE(poly.is_array());
    lengths.push_back(poly.size());
    empty += poly.empty();
    for (size_t i = 0; i < poly.size(); ++i) {
      const double lon = poly[i][0].get<double>(), lat = poly[i][1].get<double>();
      ASSERT_TRUE(lon > -8.76 && lon < -8.44 && lat > 41.04 && lat < 41.31) << lon << "," << lat;
      if (i == 0) continue;
      const double dx = (lon - poly[i - 1][0].get<double>()) * 111320.0 * std::cos(41.15 * M_PI / 180);
      const double dy = (lat - poly[i - 1][1].get<double>()) * 110574.0;
      max_kmh = std::max(max_kmh, std::hypot(dx, dy) / 15.0 * 3.6);
    }
  }
  EXPECT_EQ(n, kTrips);
  // The real set's CALL_TYPE mix: A 21 %, B 48 %, C 31 %.
  EXPECT_NEAR(static_cast<double>(a) / n, 0.21, 0.02);
  EXPECT_NEAR(static_cast<double>(b) / n, 0.48, 0.02);
  EXPECT_NEAR(static_cast<double>(c) / n, 0.31, 0.02);
  EXPECT_GT(missing, 0u);
  EXPECT_LT(missing, n / 500);
  EXPECT_GT(empty, n / 1000);
  EXPECT_LT(empty, n / 100);
  EXPECT_LT(max_kmh, 130.0) << "one fix every 15 s at city and motorway speeds";
  std::sort(lengths.begin(), lengths.end());
  EXPECT_GE(lengths[lengths.size() / 2], 20u);
  EXPECT_LE(lengths[lengths.size() / 2], 45u);
  EXPECT_LE(lengths.back(), 720u);
}

}  // namespace
}  // namespace sluice::producer
