#include "cli/top_command.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

// 2026-01-02T03:04:30Z
constexpr int64_t kNow = 1767323070;
constexpr int64_t kMinute = kNow / 60 * 60;

TEST(TopSummarise, TotalsTheWindowAndRatesTheNewestMinuteBySecondsRun) {
  const nlohmann::json r = {{"Timestamps", {kMinute, kMinute - 60, kMinute - 120}}, {"Values", {15, 4, 6}}};
  const SeriesSummary s = Summarise(r, kNow);
  EXPECT_EQ(s.total, 25);
  EXPECT_EQ(s.newest, 15);
  EXPECT_EQ(s.rate, 0.5);  // 15 records in the 30 s this minute has run
}

TEST(TopSummarise, AFullPreviousMinuteRatesOverSixtySecondsAnOlderOneIsIdle) {
  EXPECT_EQ(Summarise({{"Timestamps", {kMinute - 60}}, {"Values", {120}}}, kNow).rate, 2);
  const SeriesSummary old = Summarise({{"Timestamps", {kMinute - 180}}, {"Values", {120}}}, kNow);
  EXPECT_EQ(old.rate, 0);
  EXPECT_EQ(old.total, 120);
}

TEST(TopSummarise, NoDatapointsIsEmpty) {
  const SeriesSummary s = Summarise({{"Timestamps", nlohmann::json::array()}, {"Values", nlohmann::json::array()}}, kNow);
  EXPECT_EQ(s.total, 0);
  EXPECT_FALSE(s.newest);
  EXPECT_EQ(s.rate, 0);
}

TEST(TopRender, EverySectionWithItsRows) {
  TopFrame f;
  f.endpoint = "http://127.0.0.1:4566";
  f.now_s = kNow;
  TopStream s{.name = "rides", .status = "ACTIVE", .open_shards = 2};
  s.in = {30, 1, 30};
  s.out = {12, 0.4, 12};
  s.iterator_age = {0, 0, 250};
  f.streams.push_back(s);
  TopFunction fn{.name = "to-lake"};
  fn.invocations = {3, 0, 3};
  fn.errors = {1, 0, 1};
  fn.duration = {0, 0, 12.4};
  f.functions.push_back(fn);
  TopMapping m{.uuid = "6f1c2a3b-0000-4000-8000-000000000001", .function = "to-lake", .source = "rides",
               .state = "Enabled"};
  m.iterator_age = {0, 0, 1200};
  f.mappings.push_back(m);
  f.mappings.push_back({.uuid = "6f1c2a3b-0000-4000-8000-000000000002", .function = "to-lake", .source = "rides",
                        .state = "Disabled"});
  f.deliveries.push_back({.name = "lake", .last_error = "", .buffered_bytes = 1024, .buffered_records = 4,
                          .oldest_record_age_ms = 1500, .data_freshness_ms = -1});
  f.alarms.push_back({"errors", "ALARM", "Threshold Crossed"});
  EXPECT_EQ(RenderTop(f),
            "sluice top  2026-01-02T03:04:30Z  http://127.0.0.1:4566  (totals over 5 min, rates over the newest minute)\n"
            "\n"
            "STREAM                       STATUS    SHARDS      IN/s     OUT/s        IN       OUT   ITER_AGE\n"
            "rides                        ACTIVE         2       1.0       0.4        30        12      250ms\n"
            "\n"
            "FUNCTION                     INVOCATIONS    ERRORS   DURATION\n"
            "to-lake                                3         1       12ms\n"
            "\n"
            "MAPPING                              FUNCTION                     SOURCE                       STATE        ITER_AGE\n"
            "6f1c2a3b-0000-4000-8000-000000000001 to-lake                      rides                        Enabled        1200ms\n"
            "6f1c2a3b-0000-4000-8000-000000000002 to-lake                      rides                        Disabled            -\n"
            "\n"
            "DELIVERY STREAM              BUFFERED_BYTES   RECORDS     OLDEST  FRESHNESS  LAST_ERROR\n"
            "lake                                   1024         4       1.5s          -  -\n"
            "\n"
            "ALARM                        STATE              REASON\n"
            "errors                       ALARM              Threshold Crossed\n");
}

TEST(TopMappings, APageOfListEventSourceMappingsGivesOneRowPerUuidWithNamesFromTheArns) {
  const nlohmann::json page = nlohmann::json::parse(R"({
    "EventSourceMappings": [
      {"UUID": "u-1", "State": "Enabled", "BatchSize": 100,
       "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:to-lake",
       "EventSourceArn": "arn:aws:kinesis:us-east-1:000000000000:stream/rides"},
      {"UUID": "u-2", "State": "Disabled",
       "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:to-lake:live",
       "EventSourceArn": "arn:aws:kinesis:us-east-1:000000000000:stream/rides"},
      "not a mapping"],
    "NextMarker": "m"})");
  const std::vector<TopMapping> rows = MappingsOfPage(page);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].uuid, "u-1");
  EXPECT_EQ(rows[0].function, "to-lake");
  EXPECT_EQ(rows[0].source, "rides");
  EXPECT_EQ(rows[0].state, "Enabled");
  EXPECT_EQ(rows[1].function, "to-lake:live");
  EXPECT_EQ(rows[1].state, "Disabled");
  EXPECT_TRUE(MappingsOfPage(nlohmann::json::object()).empty());
}

}  // namespace
}  // namespace sluice::cli
