// The AWS/Kinesis metrics the stream module reports, checked series by series.
#include <gtest/gtest.h>

#include "metrics/testing/recording_registry.h"
#include "stream/sequence_number.h"
#include "stream/stream_manager.h"
#include "stream/testing/test_fixture.h"

namespace sluice::stream {
namespace {

using metrics::MakeId;
using metrics::MetricId;
using metrics::Unit;

MetricId StreamMetric(std::string_view name) {
  return MakeId("AWS/Kinesis", std::string(name), {{"StreamName", "s"}});
}
MetricId ShardMetric(std::string_view name, uint32_t shard = 0) {
  return MakeId("AWS/Kinesis", std::string(name), {{"StreamName", "s"}, {"ShardId", ShardIdFor(shard)}});
}

class StreamMetricsTest : public testing::StreamFixture {
 protected:
  void SetUp() override {
    StreamFixture::SetUp();
    StreamManagerOptions o;
    o.metrics = &registry_;
    o.shard_limits = shard_limits_;
    Reopen(o);
    ASSERT_TRUE(mgr_->CreateStream("s", 1, "PROVISIONED", {}).ok());
  }
  std::vector<PutOutcome> PutVia(StreamManager::PutApi api, const std::vector<PutInput>& in) {
    std::promise<KResult<std::vector<PutOutcome>>> p;
    mgr_->PutRecords("s", in, [&p](KResult<std::vector<PutOutcome>> r) { p.set_value(std::move(r)); }, api);
    auto r = p.get_future().get();
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(r).value() : std::vector<PutOutcome>{};
  }
  std::string Iterator() {
    auto it = mgr_->GetShardIterator({.stream_name = "s", .shard_id = ShardIdFor(0)});
    EXPECT_TRUE(it.ok());
    return it.ok() ? *it : "";
  }
  std::vector<double> Samples(const MetricId& id) const { return registry_.Samples(id); }

  bool shard_limits_ = false;
  metrics::testing::RecordingRegistry registry_;
};

const std::vector<PutInput> kThree = {{"a", std::nullopt, "12345"}, {"bb", std::nullopt, "678"},
                                      {"c", std::nullopt, ""}};
constexpr double kThreeBytes = 1 + 5 + 2 + 3 + 1 + 0;  // partition keys and data

TEST_F(StreamMetricsTest, PutRecordsReportsTheCallAndTheIncomingTotals) {
  PutVia(StreamManager::PutApi::kPutRecords, kThree);
  EXPECT_EQ(Samples(StreamMetric("IncomingBytes")), std::vector<double>{kThreeBytes});
  EXPECT_EQ(Samples(StreamMetric("IncomingRecords")), std::vector<double>{3});
  EXPECT_EQ(registry_.UnitOf(StreamMetric("IncomingBytes")), Unit::kBytes);
  EXPECT_EQ(Samples(StreamMetric("PutRecords.Bytes")), std::vector<double>{kThreeBytes});
  EXPECT_EQ(Samples(StreamMetric("PutRecords.Success")), std::vector<double>{1});
  EXPECT_EQ(Samples(StreamMetric("PutRecords.TotalRecords")), std::vector<double>{3});
  EXPECT_EQ(Samples(StreamMetric("PutRecords.SuccessfulRecords")), std::vector<double>{3});
  EXPECT_EQ(Samples(StreamMetric("PutRecords.FailedRecords")), std::vector<double>{0});
  EXPECT_EQ(Samples(StreamMetric("PutRecords.ThrottledRecords")), std::vector<double>{0});
  EXPECT_EQ(Samples(StreamMetric("PutRecords.Latency")).size(), 1u);
  EXPECT_EQ(registry_.UnitOf(StreamMetric("PutRecords.Latency")), Unit::kMilliseconds);
  EXPECT_TRUE(Samples(StreamMetric("PutRecord.Success")).empty());
  // Shard level stays off until EnableEnhancedMonitoring: not even a handle is taken.
  EXPECT_EQ(registry_.UnitOf(ShardMetric("IncomingBytes")), std::nullopt);
}

TEST_F(StreamMetricsTest, PutRecordAndInProcessPutsReportTheirOwnSeries) {
  PutVia(StreamManager::PutApi::kPutRecord, {kThree[0]});
  EXPECT_EQ(Samples(StreamMetric("PutRecord.Bytes")), std::vector<double>{6});
  EXPECT_EQ(Samples(StreamMetric("PutRecord.Success")), std::vector<double>{1});
  EXPECT_EQ(Samples(StreamMetric("PutRecord.Latency")).size(), 1u);
  Put("s", kThree);  // in process: only the incoming totals
  EXPECT_EQ(Samples(StreamMetric("IncomingRecords")), (std::vector<double>{1, 3}));
  EXPECT_TRUE(Samples(StreamMetric("PutRecords.TotalRecords")).empty());
}

TEST_F(StreamMetricsTest, GetRecordsReportsBytesRecordsAgeLatencyAndSuccess) {
  Put("s", kThree);
  clock_.Advance(200);
  Put("s", {kThree[0]});
  clock_.Advance(50);
  auto r = mgr_->GetRecords(Iterator(), 10, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Samples(StreamMetric("GetRecords.Records")), std::vector<double>{4});
  EXPECT_EQ(Samples(StreamMetric("GetRecords.Bytes")), std::vector<double>{kThreeBytes + 6});
  EXPECT_EQ(Samples(StreamMetric("GetRecords.Success")), std::vector<double>{1});
  // AWS's iterator age: the age of the last record the call returned.
  EXPECT_EQ(Samples(StreamMetric("GetRecords.IteratorAgeMilliseconds")), std::vector<double>{50});
  EXPECT_EQ(Samples(StreamMetric("GetRecords.Latency")).size(), 1u);
  // At the tip: no records, age 0.
  ASSERT_TRUE(mgr_->GetRecords(*r->next_iterator, 10, 1 << 20).ok());
  EXPECT_EQ(Samples(StreamMetric("GetRecords.Records")), (std::vector<double>{4, 0}));
  EXPECT_EQ(Samples(StreamMetric("GetRecords.IteratorAgeMilliseconds")), (std::vector<double>{50, 0}));
}

TEST_F(StreamMetricsTest, EnhancedMonitoringTurnsOnOnlyTheNamedShardMetricsAndPersists) {
  auto on = mgr_->SetShardLevelMetrics("s", std::vector<std::string>{"OutgoingRecords", "IncomingBytes"}, true);
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(on->current.empty());
  EXPECT_EQ(on->desired, (std::vector<std::string>{"IncomingBytes", "OutgoingRecords"}));
  Put("s", kThree);
  ASSERT_TRUE(mgr_->GetRecords(Iterator(), 10, 1 << 20).ok());
  EXPECT_EQ(Samples(ShardMetric("IncomingBytes")), std::vector<double>{kThreeBytes});
  EXPECT_EQ(Samples(ShardMetric("OutgoingRecords")), std::vector<double>{3});
  EXPECT_TRUE(Samples(ShardMetric("IncomingRecords")).empty());
  EXPECT_TRUE(Samples(ShardMetric("IteratorAgeMilliseconds")).empty());

  auto all = mgr_->SetShardLevelMetrics("s", std::vector<std::string>{"ALL"}, true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->desired.size(), 7u);  // ALL is stored as the seven names
  auto off = mgr_->SetShardLevelMetrics("s", std::vector<std::string>{"IncomingBytes", "IteratorAgeMilliseconds"}, false);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->current.size(), 7u);
  EXPECT_EQ(off->desired, (std::vector<std::string>{"IncomingRecords", "OutgoingBytes", "OutgoingRecords",
                                                     "WriteProvisionedThroughputExceeded",
                                                     "ReadProvisionedThroughputExceeded"}));
  StreamManagerOptions o;
  o.metrics = &registry_;
  Reopen(o);
  auto info = mgr_->DescribeStream("s");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->shard_level_metrics, off->desired);
  Put("s", kThree);
  EXPECT_EQ(Samples(ShardMetric("IncomingRecords")), std::vector<double>{3});
  EXPECT_EQ(Samples(ShardMetric("IncomingBytes")), std::vector<double>{kThreeBytes});  // unchanged

  auto bad = mgr_->SetShardLevelMetrics("s", std::vector<std::string>{"Bogus"}, true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorType::kInvalidArgument);
  auto missing = mgr_->SetShardLevelMetrics("nope", std::vector<std::string>{"ALL"}, true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorType::kResourceNotFound);
}

class ThrottledStreamMetricsTest : public StreamMetricsTest {
 protected:
  void SetUp() override {
    shard_limits_ = true;
    StreamMetricsTest::SetUp();
  }
};

TEST_F(ThrottledStreamMetricsTest, ThrottledWritesAndReadsAreCountedAtBothLevels) {
  ASSERT_TRUE(mgr_->SetShardLevelMetrics("s", std::vector<std::string>{"ALL"}, true).ok());
  // 1,000 records per second per shard: the clock stands still, so the rest are refused.
  std::vector<PutInput> many(1200, PutInput{"k", std::nullopt, "x"});
  const auto out = PutVia(StreamManager::PutApi::kPutRecords, many);
  double throttled = 0;
  for (const auto& o : out) throttled += o.error_code == "ProvisionedThroughputExceededException";
  ASSERT_GT(throttled, 0);
  EXPECT_EQ(registry_.Sum(StreamMetric("WriteProvisionedThroughputExceeded")), throttled);
  EXPECT_EQ(registry_.Sum(ShardMetric("WriteProvisionedThroughputExceeded")), throttled);
  EXPECT_EQ(Samples(StreamMetric("PutRecords.ThrottledRecords")), std::vector<double>{throttled});
  EXPECT_EQ(Samples(StreamMetric("PutRecords.SuccessfulRecords")), std::vector<double>{1200 - throttled});
  EXPECT_EQ(Samples(StreamMetric("PutRecords.FailedRecords")), std::vector<double>{0});

  // Five reads per second per shard.
  const std::string it = Iterator();
  int refused = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = mgr_->GetRecords(it, 1, 1 << 20);
    if (!r.ok() && r.error().code == ErrorType::kProvisionedThroughputExceeded) ++refused;
  }
  ASSERT_GT(refused, 0);
  EXPECT_EQ(registry_.Sum(StreamMetric("ReadProvisionedThroughputExceeded")), refused);
  EXPECT_EQ(registry_.Sum(ShardMetric("ReadProvisionedThroughputExceeded")), refused);
  EXPECT_EQ(registry_.Sum(StreamMetric("GetRecords.Success")), 10 - refused);
  EXPECT_EQ(Samples(StreamMetric("GetRecords.Success")).size(), 10u);
}

}  // namespace
}  // namespace sluice::stream
