#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <filesystem>

#include "catalog/testing/test_util.h"
#include "metrics/metrics.h"

namespace sluice::metrics {
namespace {

using catalog::testing::TempDir;

constexpr int64_t kT0 = 1'700'000'040'000;  // a whole minute
constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 24 * kHour;

const MetricId kBytes = MakeId("AWS/Kinesis", "IncomingBytes", {{"StreamName", "in"}});
const MetricId kLatency = MakeId("AWS/Kinesis", "PutRecords.Latency", {{"StreamName", "in"}});

Statistic S(const char* name) { return *ParseStatistic(name); }

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open() {
    auto store = Store::Open(StoreOptions{dir_.path().string(), &clock_, false});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(store).value();
  }
  // The points of one query.
  std::vector<StatisticsPoint> Query(const Store& store, const MetricId& id, int64_t start,
                                     int64_t end, int32_t period, std::vector<Statistic> stats,
                                     std::optional<Unit> unit = std::nullopt) {
    auto r = store.Statistics(StatisticsQuery{id, start, end, period, unit, std::move(stats)});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<StatisticsPoint>{};
  }

  TempDir dir_;
  ManualClock clock_{kT0};
};

TEST_F(StoreTest, CounterSamplesFoldIntoTheMinuteWithCloudWatchStatistics) {
  auto store = Open();
  Counter& c = store->GetCounter(kBytes, Unit::kBytes);
  c.Add(100);
  c.Add(300);
  clock_.Advance(1'000);
  ASSERT_TRUE(store->Fold().ok());
  c.Add(200);
  clock_.Advance(1'000);
  ASSERT_TRUE(store->Fold().ok());
  auto points = Query(*store, kBytes, kT0, kT0 + kMinute, 60,
                      {S("SampleCount"), S("Sum"), S("Average"), S("Minimum"), S("Maximum"), S("p50")});
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].timestamp_ms, kT0);
  EXPECT_EQ(points[0].unit, Unit::kBytes);
  EXPECT_EQ(points[0].values[0], 3);
  EXPECT_EQ(points[0].values[1], 600);
  EXPECT_EQ(points[0].values[2], 200);
  EXPECT_EQ(points[0].values[3], 100);
  EXPECT_EQ(points[0].values[4], 300);
  EXPECT_TRUE(std::isnan(points[0].values[5]));  // a counter offers no percentiles
  // The same handle for the same series.
  EXPECT_EQ(&store->GetCounter(kBytes, Unit::kBytes), &c);
}

TEST_F(StoreTest, DistributionPercentilesAreWithinOnePercent) {
  auto store = Open();
  Distribution& d = store->GetDistribution(kLatency, Unit::kMilliseconds);
  for (int i = 1; i <= 1000; ++i) d.Record(i);
  clock_.Advance(30'000);
  ASSERT_TRUE(store->Fold().ok());
  auto points = Query(*store, kLatency, kT0, kT0 + kMinute, 60, {S("p50"), S("p90"), S("p99"), S("p100")});
  ASSERT_EQ(points.size(), 1u);
  EXPECT_NEAR(points[0].values[0], 500, 5);
  EXPECT_NEAR(points[0].values[1], 900, 9);
  EXPECT_NEAR(points[0].values[2], 990, 9.9);
  EXPECT_EQ(points[0].values[3], 1000);
}

TEST_F(StoreTest, PercentilesOverAnHourMergeTheMinutesHistograms) {
  auto store = Open();
  Distribution& d = store->GetDistribution(kLatency, Unit::kMilliseconds);
  // Minute 0: 99 samples of 1 ms; minute 1: one of 1000 ms. p99 over both is 1 ms,
  // p100 is 1000; an average of per-minute p99s would say about 500.
  for (int i = 0; i < 99; ++i) d.Record(1);
  clock_.Advance(kMinute);
  ASSERT_TRUE(store->Fold().ok());
  d.Record(1000);
  clock_.Advance(kMinute);
  ASSERT_TRUE(store->Fold().ok());
  auto points = Query(*store, kLatency, kT0, kT0 + kHour, 3600, {S("p99"), S("Maximum"), S("SampleCount")});
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].values[0], 1);
  EXPECT_EQ(points[0].values[1], 1000);
  EXPECT_EQ(points[0].values[2], 100);
}

TEST_F(StoreTest, HighResolutionSeriesKeepSecondsAndStandardOnesDoNot) {
  auto store = Open();
  MetricId hi = MakeId("Custom", "Hi", {});
  Counter& fast = store->GetCounter(hi, Unit::kCount, /*high_resolution=*/true);
  Counter& slow = store->GetCounter(kBytes, Unit::kBytes);
  fast.Add(1);
  slow.Add(1);
  clock_.Advance(1'000);
  ASSERT_TRUE(store->Fold().ok());
  fast.Add(2);
  fast.Add(3);
  clock_.Advance(1'000);
  ASSERT_TRUE(store->Fold().ok());
  auto seconds = Query(*store, hi, kT0, kT0 + kMinute, 1, {S("Sum")});
  ASSERT_EQ(seconds.size(), 2u);
  EXPECT_EQ(seconds[0].timestamp_ms, kT0);
  EXPECT_EQ(seconds[0].values[0], 1);
  EXPECT_EQ(seconds[1].timestamp_ms, kT0 + 1'000);
  EXPECT_EQ(seconds[1].values[0], 5);
  auto minute = Query(*store, hi, kT0, kT0 + kMinute, 60, {S("Sum")});
  ASSERT_EQ(minute.size(), 1u);
  EXPECT_EQ(minute[0].values[0], 6);
  EXPECT_TRUE(Query(*store, kBytes, kT0, kT0 + kMinute, 1, {S("Sum")}).empty());
}

TEST_F(StoreTest, SubMinutePeriodsStartOnEvenDivisionsOfTheMinute) {
  auto store = Open();
  MetricId hi = MakeId("Custom", "Hi", {});
  std::vector<Datum> data;
  for (int s : {3, 12, 19, 21}) {
    Datum d{hi, Unit::kCount, kT0 + s * 1'000, kHighResolution, 1.0, {}, {}, {}};
    data.push_back(d);
  }
  ASSERT_TRUE(store->Put(data).ok());
  // A start at :13 rounds down to :10 for a 10 s period.
  auto points = Query(*store, hi, kT0 + 13'000, kT0 + kMinute, 10, {S("SampleCount")});
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].timestamp_ms, kT0 + 10'000);
  EXPECT_EQ(points[0].values[0], 2);  // :12 and :19
  EXPECT_EQ(points[1].timestamp_ms, kT0 + 20'000);
  EXPECT_EQ(points[1].values[0], 1);
}

TEST_F(StoreTest, PeriodsOfMinutesStartAtTheRoundedStartTime) {
  auto store = Open();
  MetricId m = MakeId("Custom", "M", {});
  std::vector<Datum> data;
  for (int minute = 0; minute < 12; ++minute) {
    data.push_back(Datum{m, Unit::kNone, kT0 + minute * kMinute + 5'000, kStandardResolution, 1.0, {}, {}, {}});
  }
  ASSERT_TRUE(store->Put(data).ok());
  clock_.Advance(20 * kMinute);
  // Start at 2m30s rounds to minute 2; 5-minute periods from there: [2,7), [7,12).
  auto points = Query(*store, m, kT0 + 2 * kMinute + 30'000, kT0 + 12 * kMinute, 300, {S("Sum")});
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].timestamp_ms, kT0 + 2 * kMinute);
  EXPECT_EQ(points[0].values[0], 5);
  EXPECT_EQ(points[1].timestamp_ms, kT0 + 7 * kMinute);
  EXPECT_EQ(points[1].values[0], 5);
  // Past the minutes' retention nothing is answered, folded away or not.
  clock_.Advance(15 * kDay);
  EXPECT_TRUE(Query(*store, m, kT0, kT0 + kHour, 60, {S("Sum")}).empty());  // past retention
}

TEST_F(StoreTest, PutMetricDataKeepsUnitsApartAndFiltersByUnit) {
  auto store = Open();
  MetricId m = MakeId("App", "Size", {{"Host", "a"}});
  std::vector<Datum> data = {
      Datum{m, Unit::kBytes, kT0 + 1'000, kStandardResolution, std::nullopt, {10, 20}, {1, 3}, {}},
      Datum{m, Unit::kKilobytes, kT0 + 2'000, kStandardResolution, 1.5, {}, {}, {}},
      Datum{m, Unit::kBytes, kT0 + 3'000, kStandardResolution, std::nullopt, {}, {},
            StatisticSet{4, 40, 5, 15}},
  };
  ASSERT_TRUE(store->Put(data).ok());
  auto bytes = Query(*store, m, kT0, kT0 + kMinute, 60,
                     {S("SampleCount"), S("Sum"), S("Minimum"), S("Maximum"), S("p50")}, Unit::kBytes);
  ASSERT_EQ(bytes.size(), 1u);
  EXPECT_EQ(bytes[0].values[0], 8);        // 1 + 3 + 4
  EXPECT_EQ(bytes[0].values[1], 110);      // 10 + 60 + 40
  EXPECT_EQ(bytes[0].values[2], 5);
  EXPECT_EQ(bytes[0].values[3], 20);
  EXPECT_TRUE(std::isnan(bytes[0].values[4]));  // a statistic set has no percentiles
  auto all = Query(*store, m, kT0, kT0 + kMinute, 60, {S("Sum")});
  ASSERT_EQ(all.size(), 2u);  // one point per unit
  EXPECT_EQ(all[0].unit, Unit::kBytes);
  EXPECT_EQ(all[1].unit, Unit::kKilobytes);
  EXPECT_EQ(all[1].values[0], 1.5);
  EXPECT_TRUE(Query(*store, m, kT0, kT0 + kMinute, 60, {S("Sum")}, Unit::kSeconds).empty());
  // A datum with two kinds of value is refused.
  Datum bad{m, Unit::kBytes, kT0, kStandardResolution, 1.0, {2}, {}, {}};
  EXPECT_EQ(store->Put(std::span(&bad, 1)).code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, HistorySurvivesARestartIncludingTheOpenMinute) {
  {
    auto store = Open();
    store->GetCounter(kBytes, Unit::kBytes).Add(7);
    clock_.Advance(1'000);
    ASSERT_TRUE(store->Fold().ok());  // into minute 0, still open
    clock_.Advance(kMinute);
    ASSERT_TRUE(store->Fold().ok());  // minute 0 ended: written
    store->GetCounter(kBytes, Unit::kBytes).Add(5);
    clock_.Advance(1'000);
    ASSERT_TRUE(store->Fold().ok());  // minute 1 still open: kept in memory only
    store->Shutdown();                // ...and written here
  }
  auto store = Open();
  auto points = Query(*store, kBytes, kT0, kT0 + 2 * kMinute, 60, {S("Sum")});
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].values[0], 7);
  EXPECT_EQ(points[1].values[0], 5);
  // More data for the reloaded open minute merges with it.
  store->GetCounter(kBytes, Unit::kBytes).Add(1);
  clock_.Advance(1'000);
  ASSERT_TRUE(store->Fold().ok());
  store->Shutdown();
  store = Open();
  points = Query(*store, kBytes, kT0 + kMinute, kT0 + 2 * kMinute, 60, {S("Sum"), S("SampleCount")});
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].values[0], 6);
  EXPECT_EQ(points[0].values[1], 2);
}

TEST_F(StoreTest, TornTailIsTruncatedAtOpenAndAppendsContinue) {
  {
    auto store = Open();
    store->GetDistribution(kLatency, Unit::kMilliseconds).Record(12);
    clock_.Advance(kMinute);
    ASSERT_TRUE(store->Fold().ok());
    store->Shutdown();
  }
  std::string file;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) file = e.path().string();
  ASSERT_FALSE(file.empty());
  const std::string intact = catalog::testing::ReadAll(file);
  // A crash in the middle of the next record: a header and half a payload.
  catalog::testing::WriteAll(file, intact + intact.substr(8, 30));
  {
    auto store = Open();
    EXPECT_EQ(catalog::testing::ReadAll(file), intact);
    store->GetDistribution(kLatency, Unit::kMilliseconds).Record(14);
    clock_.Advance(1'000);
    ASSERT_TRUE(store->Fold().ok());
    store->Shutdown();
  }
  // A flipped byte in the last record fails its checksum: that record is dropped.
  auto store = Open();
  auto points = Query(*store, kLatency, kT0, kT0 + 2 * kMinute, 60, {S("Sum")});
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].values[0], 12);
  EXPECT_EQ(points[1].values[0], 14);
  store->Shutdown();
  std::string bytes = catalog::testing::ReadAll(file);
  bytes.back() ^= 0x5a;
  catalog::testing::WriteAll(file, bytes);
  store = Open();
  points = Query(*store, kLatency, kT0, kT0 + 2 * kMinute, 60, {S("Sum")});
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].values[0], 12);
}

TEST_F(StoreTest, RetentionDropsSecondsAfterThreeHoursAndMinutesAfterFifteenDays) {
  MetricId hi = MakeId("Custom", "Hi", {});
  {
    auto store = Open();
    store->GetCounter(hi, Unit::kCount, true).Add(1);
    clock_.Advance(1'000);
    ASSERT_TRUE(store->Fold().ok());
    clock_.Advance(3 * kHour);
    ASSERT_TRUE(store->Fold().ok());
    EXPECT_TRUE(Query(*store, hi, kT0, kT0 + kMinute, 1, {S("Sum")}).empty());
    EXPECT_EQ(Query(*store, hi, kT0, kT0 + kMinute, 60, {S("Sum")}).size(), 1u);
    store->Shutdown();
  }
  {
    auto store = Open();  // the seconds stay gone after a reload; the minute is back
    EXPECT_TRUE(Query(*store, hi, kT0, kT0 + kMinute, 1, {S("Sum")}).empty());
    EXPECT_EQ(Query(*store, hi, kT0, kT0 + kMinute, 60, {S("Sum")}).size(), 1u);
    clock_.Advance(15 * kDay);
    ASSERT_TRUE(store->Fold().ok());
    EXPECT_TRUE(Query(*store, hi, kT0, kT0 + kMinute, 60, {S("Sum")}).empty());
    EXPECT_TRUE(store->List({}).empty());
    store->Shutdown();
  }
  // Every file of the expired chunks is gone.
  clock_.Advance(kDay);
  auto store = Open();
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_F(StoreTest, ListFiltersByNamespaceNameDimensionsAndRecentActivity) {
  auto store = Open();
  MetricId shard = MakeId("AWS/Kinesis", "IncomingBytes", {{"StreamName", "in"}, {"ShardId", "shardId-000000000000"}});
  MetricId old = MakeId("App", "Old", {});
  ASSERT_TRUE(store->Put(std::vector<Datum>{Datum{old, Unit::kNone, kT0 - 5 * kHour, 60, 1.0, {}, {}, {}}}).ok());
  store->GetCounter(kBytes, Unit::kBytes).Add(1);
  store->GetCounter(shard, Unit::kBytes).Add(1);
  store->GetCounter(MakeId("AWS/Kinesis", "Unused", {}), Unit::kBytes);  // never reported
  clock_.Advance(1'000);
  ASSERT_TRUE(store->Fold().ok());
  EXPECT_EQ(store->List({}).size(), 3u);
  ListFilter kinesis{"AWS/Kinesis", std::nullopt, {}, false};
  EXPECT_EQ(store->List(kinesis), (std::vector<MetricId>{shard, kBytes}));  // ShardId < StreamName
  ListFilter any_shard{std::nullopt, std::nullopt, {{"ShardId", ""}}, false};
  EXPECT_EQ(store->List(any_shard), std::vector<MetricId>{shard});
  ListFilter other_stream{std::nullopt, "IncomingBytes", {{"StreamName", "out"}}, false};
  EXPECT_TRUE(store->List(other_stream).empty());
  ListFilter recent{std::nullopt, std::nullopt, {}, true};
  EXPECT_EQ(store->List(recent).size(), 2u);
}

TEST_F(StoreTest, PutMetricDataPastRetentionIsDroppedAndFutureDataIsKeptUntilItsMinuteEnds) {
  MetricId m = MakeId("App", "When", {});
  std::vector<Datum> data = {
      Datum{m, Unit::kNone, kT0 - 16 * kDay, kStandardResolution, 1.0, {}, {}, {}},
      Datum{m, Unit::kNone, kT0 + kHour, kStandardResolution, 2.0, {}, {}, {}},
      // High resolution a day ago: its minute is kept, its second is past 3 hours.
      Datum{m, Unit::kNone, kT0 - kDay, kHighResolution, 4.0, {}, {}, {}},
  };
  {
    auto store = Open();
    ASSERT_TRUE(store->Put(data).ok());
    ASSERT_TRUE(store->Fold().ok());
    EXPECT_TRUE(Query(*store, m, kT0 - 16 * kDay - kMinute, kT0 - 15 * kDay, 60, {S("Sum")}).empty());
    EXPECT_TRUE(Query(*store, m, kT0 - kDay, kT0 - kDay + kMinute, 1, {S("Sum")}).empty());
    EXPECT_EQ(Query(*store, m, kT0 - kDay, kT0 - kDay + kMinute, 60, {S("Sum")}).size(), 1u);
    store->Shutdown();  // writes the future minute too
  }
  auto store = Open();
  auto future = Query(*store, m, kT0 + kHour, kT0 + kHour + kMinute, 60, {S("Sum")});
  ASSERT_EQ(future.size(), 1u);
  EXPECT_EQ(future[0].values[0], 2);
  EXPECT_EQ(Query(*store, m, kT0 - kDay, kT0 - kDay + kMinute, 60, {S("Sum")}).size(), 1u);
}

TEST_F(StoreTest, PeriodsCloudWatchDoesNotAllowAreRefused) {
  auto store = Open();
  for (int32_t period : {0, -60, 7, 45, 90}) {
    auto r = store->Statistics(StatisticsQuery{kBytes, kT0, kT0 + kMinute, period, std::nullopt, {S("Sum")}});
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << period;
  }
}

TEST_F(StoreTest, PrometheusShowsTotalsIncludingWhatIsNotFoldedYet) {
  auto store = Open();
  store->GetCounter(kBytes, Unit::kBytes).Add(40);
  clock_.Advance(1'000);
  ASSERT_TRUE(store->Fold().ok());
  store->GetCounter(kBytes, Unit::kBytes).Add(2);
  store->GetDistribution(kLatency, Unit::kMilliseconds).Record(3);
  const std::string text = store->PrometheusText();
  EXPECT_NE(text.find("sluice_aws_kinesis_incoming_bytes{stream_name=\"in\"} 42\n"), std::string::npos) << text;
  EXPECT_NE(text.find("sluice_aws_kinesis_put_records_latency_count{stream_name=\"in\"} 1\n"), std::string::npos) << text;
}

TEST_F(StoreTest, SamplesRecordedWhileFoldsRunAreNeitherLostNorCountedTwice) {
  auto store = Open();
  Counter& c = store->GetCounter(kBytes, Unit::kBytes);
  Distribution& d = store->GetDistribution(kLatency, Unit::kMilliseconds);
  constexpr int kPerThread = 20'000;
  std::atomic<bool> go{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&] {
      while (!go.load()) {
      }
      for (int i = 0; i < kPerThread; ++i) {
        c.Add(2);
        d.Record(3);
      }
    });
  }
  clock_.Advance(1'000);  // folds stamp what they take at "now - 1 ms": minute 0
  go = true;
  // Folds race the writers; however they interleave, every sample lands in some minute.
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store->Fold().ok());
  for (auto& w : writers) w.join();
  ASSERT_TRUE(store->Fold().ok());
  auto bytes = Query(*store, kBytes, kT0, kT0 + kMinute, 60, {S("Sum"), S("SampleCount")});
  auto latency = Query(*store, kLatency, kT0, kT0 + kMinute, 60, {S("Sum"), S("SampleCount")});
  ASSERT_EQ(bytes.size(), 1u);
  ASSERT_EQ(latency.size(), 1u);
  EXPECT_EQ(bytes[0].values[0], 2.0 * 2 * kPerThread);
  EXPECT_EQ(bytes[0].values[1], 2 * kPerThread);
  EXPECT_EQ(latency[0].values[0], 3.0 * 2 * kPerThread);
  EXPECT_EQ(latency[0].values[1], 2 * kPerThread);
}

TEST_F(StoreTest, BackgroundFoldRunsAndShutdownStopsIt) {
  // With the real clock and the background thread: Shutdown joins the thread and the
  // final fold writes what was recorded, whatever the thread had done by then.
  auto store = Store::Open(StoreOptions{dir_.path().string(), &Clock::Real(), true});
  ASSERT_TRUE(store.ok());
  (*store)->GetCounter(kBytes, Unit::kBytes).Add(9);
  (*store)->Shutdown();
  const int64_t now = Clock::Real().NowMillis();
  auto points = (*store)->Statistics(StatisticsQuery{kBytes, now - kHour, now + kMinute, 60, std::nullopt, {S("Sum")}});
  ASSERT_TRUE(points.ok());
  double sum = 0;
  for (const auto& p : *points) sum += p.values[0];
  EXPECT_EQ(sum, 9);
}

}  // namespace
}  // namespace sluice::metrics
