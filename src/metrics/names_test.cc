#include <gtest/gtest.h>

#include "metrics/metrics.h"
#include "metrics/testing/recording_registry.h"

namespace sluice::metrics {
namespace {

TEST(MetricNames, UnitsRoundTripWithCloudWatchSpelling) {
  EXPECT_EQ(UnitName(Unit::kCountPerSecond), "Count/Second");
  EXPECT_EQ(UnitName(Unit::kNone), "None");
  for (int u = 0; u <= static_cast<int>(Unit::kCountPerSecond); ++u) {
    auto unit = static_cast<Unit>(u);
    EXPECT_EQ(ParseUnit(UnitName(unit)), unit) << UnitName(unit);
  }
  EXPECT_EQ(ParseUnit("bytes"), std::nullopt);  // CloudWatch's names are case-sensitive
  EXPECT_EQ(ParseUnit(""), std::nullopt);
}

TEST(MetricNames, MakeIdSortsDimensionsSoOrderDoesNotMatter) {
  MetricId a = MakeId("AWS/Kinesis", "IncomingBytes", {{"StreamName", "s"}, {"ShardId", "x"}});
  MetricId b = MakeId("AWS/Kinesis", "IncomingBytes", {{"ShardId", "x"}, {"StreamName", "s"}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.dimensions.front().name, "ShardId");
}

TEST(MetricNames, StatisticsParseAsCloudWatchNamesThem) {
  EXPECT_EQ(ParseStatistic("Sum")->kind, Statistic::kSum);
  EXPECT_EQ(ParseStatistic("SampleCount")->kind, Statistic::kSampleCount);
  auto p = ParseStatistic("p99.9");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, Statistic::kPercentile);
  EXPECT_DOUBLE_EQ(p->percentile, 99.9);
  EXPECT_EQ(StatisticName(*p), "p99.9");
  EXPECT_EQ(StatisticName(*ParseStatistic("p50")), "p50");
  for (const char* bad : {"sum", "p", "p100.5", "p-1", "p99.999", "p.5", "p5.", "px", "tm99"}) {
    EXPECT_EQ(ParseStatistic(bad), std::nullopt) << bad;
  }
}

TEST(MetricNames, NullRegistryAcceptsEverythingAndKeepsNothing) {
  Registry& r = NullRegistry();
  MetricId id = MakeId("AWS/Kinesis", "IncomingBytes", {});
  r.GetCounter(id, Unit::kBytes).Add(5);
  r.GetDistribution(id, Unit::kMilliseconds).Record(1);
  EXPECT_TRUE(r.Put({}).ok());
  EXPECT_EQ(&r.GetCounter(id, Unit::kBytes), &NullRegistry().GetCounter(id, Unit::kCount));
}

TEST(MetricNames, RecordingRegistryKeepsSamplesPerSeries) {
  testing::RecordingRegistry r;
  MetricId id = MakeId("AWS/Firehose", "IncomingRecords", {{"DeliveryStreamName", "d"}});
  r.GetCounter(id, Unit::kCount).Add(2);
  r.GetCounter(id, Unit::kCount).Add(3);
  EXPECT_DOUBLE_EQ(r.Sum(id), 5);
  EXPECT_EQ(r.UnitOf(id), Unit::kCount);
  EXPECT_EQ(r.UnitOf(MakeId("AWS/Firehose", "Other", {})), std::nullopt);
}

}  // namespace
}  // namespace sluice::metrics
