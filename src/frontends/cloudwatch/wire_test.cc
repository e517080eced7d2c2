// The wire layer and the actions, driven with a recording registry, a fake reader and
// a real alarm manager over a scratch catalog.
#include <gtest/gtest.h>
#include <malloc.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "awsproto/codec.h"
#include "catalog/catalog.h"
#include "catalog/testing/test_util.h"
#include "internal/actions.h"
#include "internal/wire.h"
#include "metrics/testing/fake_reader.h"
#include "metrics/testing/recording_registry.h"

namespace sluice::frontends::cloudwatch {
namespace {

using metrics::CwErrorCode;

awsproto::QueryParams Q(const std::string& form) { return awsproto::QueryParams::Parse(form).value(); }
In Fq(const awsproto::QueryParams& q) { return FromQuery(q).value(); }

// The bytes Parse and FromQuery count for `form`: the smallest budget they take it in.
uint64_t Counted(const std::string& form) {
  auto q = awsproto::QueryParams::Parse(form, {.max_params = SIZE_MAX});
  EXPECT_TRUE(q.ok());
  uint64_t lo = q->held_bytes(), hi = uint64_t{1} << 40;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (FromQuery(*q, mid).ok()) hi = mid; else lo = mid + 1;
  }
  return lo;
}

// Heap in use now (glibc: chunks from the arenas and those mapped on their own), to check
// the count against what the parse really takes.
uint64_t HeapInUse() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// What Parse and FromQuery of `form` really hold, measured on the heap.
uint64_t Held(const std::string& form) {
  const uint64_t before = HeapInUse();
  auto q = awsproto::QueryParams::Parse(form, {.max_params = SIZE_MAX});
  Result<In> in = FromQuery(*q);
  const uint64_t after = HeapInUse();
  EXPECT_TRUE(in.ok());
  return after - before;
}

TEST(WireTest, QueryMembersBecomeListsAndStructures) {
  In in = Fq(Q("Action=PutMetricData&Version=2010-08-01&Namespace=App&MetricData.member.1.MetricName=a&"
                      "MetricData.member.1.Dimensions.member.1.Name=d&MetricData.member.1.Dimensions.member.1.Value=v&"
                      "MetricData.member.2.MetricName=b&MetricData.member.2.StatisticValues.Sum=3"));
  EXPECT_FALSE(in["Action"].present());
  EXPECT_EQ(Text(in["Namespace"]), "App");
  ASSERT_EQ(in["MetricData"].items.size(), 2u);
  EXPECT_EQ(Text(in["MetricData"].items[0]["Dimensions"].items[0]["Value"]), "v");
  EXPECT_EQ(Text(in["MetricData"].items[1]["StatisticValues"]["Sum"]), "3");
}

TEST(WireTest, MemberNumbersCostNothingAndKeepTheirOrder) {
  In in = Fq(Q("AlarmNames.member.99999999=c&AlarmNames.member.2=b&AlarmNames.member.1=a&"
                      "X.member.7.Y.member.400000.Z=deep"));
  ASSERT_EQ(in["AlarmNames"].items.size(), 3u);
  EXPECT_EQ(Text(in["AlarmNames"].items[0]), "a");
  EXPECT_EQ(Text(in["AlarmNames"].items[2]), "c");
  ASSERT_EQ(in["X"].items.size(), 1u);
  EXPECT_EQ(Text(in["X"].items[0]["Y"].items[0]["Z"]), "deep");
}

TEST(WireTest, NamesDeeperThanAnyMemberAreIgnoredNotNested) {
  // 400,000 segments nested 400,000 maps once, and destroying them overflowed the stack.
  std::string deep = "a";
  for (int i = 0; i < 400'000; ++i) deep += ".a";
  In in = Fq(Q("Namespace=N&" + deep + "=1"));
  EXPECT_FALSE(in["a"].present());
  EXPECT_EQ(Text(in["Namespace"]), "N");
  // The deepest member CloudWatch has (9 segments) and the limit itself still read.
  std::string sixteen = "b";
  for (size_t i = 1; i < kMaxQueryKeySegments; ++i) sixteen += ".b";
  In ok = Fq(Q("MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=d&" + sixteen + "=2"));
  EXPECT_EQ(Text(ok["MetricDataQueries"].items[0]["MetricStat"]["Metric"]["Dimensions"].items[0]["Name"]), "d");
  const In* b = &ok;
  for (size_t i = 0; i < kMaxQueryKeySegments; ++i) b = &(*b)["b"];
  EXPECT_EQ(Text(*b), "2");
}

// Forms built to cost the most per byte, and the shape PutMetricData really sends.
struct CostlyForms {
  std::string tiny, unique_paths, list, long_values, datums;
  CostlyForms() {
    for (int i = 0; i < 8'000; ++i) tiny += "a" + std::to_string(i) + "&";
    for (int i = 0; i < 5'000; ++i) unique_paths += "p" + std::to_string(i) + ".q.r.s.t.u.v.w=&";
    for (int i = 1; i <= 8'000; ++i) list += "L.member." + std::to_string(i) + "=&";
    for (int i = 0; i < 2'000; ++i) long_values += "k" + std::to_string(i) + "=" + std::string(100, 'v') + "&";
    for (int d = 1; d <= 200; ++d) {
      const std::string m = "MetricData.member." + std::to_string(d) + ".";
      datums += m + "MetricName=Wide&" + m + "Value=1&";
      for (int k = 1; k <= 30; ++k) {
        datums += m + "Dimensions.member." + std::to_string(k) + ".Name=d" + std::to_string(k) + "&";
        datums += m + "Dimensions.member." + std::to_string(k) + ".Value=v&";
      }
    }
  }
};

TEST(WireTest, TheCountedBytesBoundWhatTheParseHolds) {
  {  // glibc's statistics; a sanitizer's allocator keeps its own.
    const uint64_t before = HeapInUse();
    auto probe = std::make_unique<char[]>(1 << 20);
    probe[0] = 1;
    if (HeapInUse() < before + (1 << 20)) GTEST_SKIP() << "the heap's statistics are not glibc's in this build";
  }
  const CostlyForms f;
  for (const std::string* form : {&f.tiny, &f.unique_paths, &f.list, &f.long_values, &f.datums}) {
    const uint64_t counted = Counted(*form), held = Held(*form);
    EXPECT_GE(counted, held) << form->substr(0, 40);
    EXPECT_LE(counted, 3 * held) << form->substr(0, 40);  // an upper bound, not a wild one
  }
}

TEST(WireTest, AwsShapedFormsFitTheReservedBudgetAndCostlyOnesAreRefused) {
  const CostlyForms f;
  EXPECT_LE(Counted(f.datums), QueryParseBudget(f.datums.size()));
  // The costliest forms CloudWatch's shapes allow per byte: 1,000 datums of a name and
  // a value, one-letter texts; 30 dimensions of one-letter names and values.
  std::string bare, dims;
  for (int d = 1; d <= 1000; ++d) {
    const std::string m = "MetricData.member." + std::to_string(d) + ".";
    bare += m + "MetricName=a&" + m + "Value=1&";
  }
  for (int k = 1; k <= 30; ++k) {
    const std::string m = "Dimensions.member." + std::to_string(k) + ".";
    dims += m + "Name=a&" + m + "Value=b&";
  }
  EXPECT_LE(Counted(bare), QueryParseBudget(bare.size()));
  EXPECT_LE(Counted(dims), QueryParseBudget(dims.size()));
  EXPECT_GT(Counted(f.tiny), QueryParseBudget(f.tiny.size()));
  EXPECT_GT(Counted(f.list), QueryParseBudget(f.list.size()));
  auto q = awsproto::QueryParams::Parse(f.tiny, {.max_params = SIZE_MAX});
  Result<In> refused = FromQuery(*q, QueryParseBudget(f.tiny.size()));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(), "the request parameters need more than " +
                                            std::to_string(QueryParseBudget(f.tiny.size())) + " bytes of memory");
  // Parse alone stops at its own byte limit, before decoding the rest.
  auto stopped = awsproto::QueryParams::Parse(f.tiny, {.max_params = SIZE_MAX, .max_bytes = 1000});
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().message(), "the request parameters need more than 1000 bytes of memory");
}

TEST(WireTest, Iso8601Forms) {
  EXPECT_EQ(ParseIso8601("2023-11-14T22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(ParseIso8601("2023-11-14T22:13:20.250000Z"), 1'700'000'000'250);
  EXPECT_EQ(ParseIso8601("2023-11-14T23:13:20+01:00"), 1'700'000'000'000);
  EXPECT_EQ(ParseIso8601("2023-11-14T22:13:20"), 1'700'000'000'000);
  EXPECT_FALSE(ParseIso8601("2023-13-14T22:13:20Z"));
  EXPECT_FALSE(ParseIso8601("yesterday"));
  Problems p;
  In n;
  n.kind = In::Kind::kText;
  n.text = "1700000000.5";
  EXPECT_EQ(Time(n, "T", p), 1'700'000'000'500);
}

TEST(WireTest, ErrorsCarryTheQueryCodeOnJsonAndCbor) {
  const auto e = metrics::MakeCwError(CwErrorCode::kMissingParameter, "The parameter Namespace is required.");
  http::Response q = ErrorAnswer({Wire::kQuery, "PutMetricData"}, e, "rid");
  EXPECT_EQ(q.status, 400);
  EXPECT_NE(q.body.find("<Code>MissingParameter</Code>"), std::string::npos);
  http::Response j = ErrorAnswer({Wire::kJson, "PutMetricData"}, e, "rid");
  auto body = nlohmann::json::parse(j.body);
  EXPECT_EQ(body["__type"], "com.amazonaws.cloudwatch#MissingRequiredParameterException");
  bool header = false;
  for (const auto& [k, v] : j.headers) header = header || (k == "x-amzn-query-error" && v == "MissingParameter;Sender");
  EXPECT_TRUE(header);
  http::Response c = ErrorAnswer({Wire::kCbor, "PutMetricData"}, e, "rid");
  auto cbor = nlohmann::json::from_cbor(c.body);
  EXPECT_EQ(cbor["__type"], "com.amazonaws.cloudwatch#MissingRequiredParameterException");
  EXPECT_EQ(ErrorStatus(CwErrorCode::kResourceNotFound), 404);
}

TEST(WireTest, CborAnswerEncodesTimestampsWithTagOne) {
  Out o;
  o.Set("T", Out::TimeMs(1500)).Set("V", Out::Double(2.5)).Set("N", Out::Int(-3)).Set("L", Out::List());
  http::Response r = Answer({Wire::kCbor, "X"}, o, true, "rid");
  // {"T": 1(1.5), ...}: the tag byte 0xc1 then a double.
  EXPECT_NE(r.body.find("\xc1\xfb"), std::string::npos);
  auto parsed = awsproto::ParseCborBody(r.body);
  ASSERT_TRUE(parsed.ok());
  In j = FromValue((*parsed)->root());
  EXPECT_EQ(j["T"].kind, In::Kind::kTime);
  EXPECT_EQ(j["T"].ms, 1500);
  EXPECT_EQ(j["V"].number, 2.5);
  EXPECT_EQ(j["N"].number, -3);
}

class ActionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = catalog::Catalog::Open(dir_.File("catalog.db")).value();
    alarms_ = metrics::AlarmManager::Open({.catalog = catalog_.get(), .reader = &reader_, .clock = &clock_,
                                           .background = false}).value();
  }
  metrics::CwResult<ActionOutput> Run(const std::string& action, const std::string& form) {
    Deps d{registry_, reader_, *alarms_, clock_};
    In in = Fq(Q("Action=" + action + "&Version=2010-08-01&" + form));
    auto r = RunAction(d, action, in);
    EXPECT_TRUE(r.has_value());
    return std::move(*r);
  }
  void ExpectError(const std::string& action, const std::string& form, CwErrorCode code, const std::string& message) {
    auto r = Run(action, form);
    ASSERT_FALSE(r.ok()) << form;
    EXPECT_EQ(r.error().code, code) << form;
    EXPECT_EQ(r.error().message, message) << form;
  }

  catalog::testing::TempDir dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  metrics::testing::RecordingRegistry registry_;
  metrics::testing::FakeReader reader_;
  ManualClock clock_{1'700'000'040'000};
  std::unique_ptr<metrics::AlarmManager> alarms_;
};

TEST_F(ActionsTest, PutMetricDataValidatesAsCloudWatchDoes) {
  ExpectError("PutMetricData", "MetricData.member.1.MetricName=a&MetricData.member.1.Value=1",
              CwErrorCode::kMissingParameter, "The parameter Namespace is required.");
  ExpectError("PutMetricData", "Namespace=App", CwErrorCode::kMissingParameter, "The parameter MetricData is required.");
  ExpectError("PutMetricData", "Namespace=AWS/Kinesis&MetricData.member.1.MetricName=a&MetricData.member.1.Value=1",
              CwErrorCode::kInvalidParameterValue, "The value AWS/Kinesis for parameter Namespace is invalid.");
  ExpectError("PutMetricData", "Namespace=App&MetricData.member.1.Value=1", CwErrorCode::kMissingParameter,
              "The parameter MetricData.member.1.MetricName is required.");
  ExpectError("PutMetricData",
              "Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.Value=1&"
              "MetricData.member.1.StatisticValues.Sum=1",
              CwErrorCode::kInvalidParameterCombination,
              "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually "
              "exclusive and you have specified both.");
  ExpectError("PutMetricData",
              "Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.StatisticValues.Sum=1&"
              "MetricData.member.1.StatisticValues.Minimum=1&MetricData.member.1.StatisticValues.Maximum=1",
              CwErrorCode::kMissingParameter, "The parameter MetricData.member.1.StatisticValues.SampleCount is required.");
  ExpectError("PutMetricData", "Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.Value=NaN",
              CwErrorCode::kInvalidParameterValue, "The value NaN for parameter MetricData.member.1.Value is invalid.");
  ExpectError("PutMetricData",
              "Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.Value=1&"
              "MetricData.member.1.Timestamp=2000-01-01T00:00:00Z",
              CwErrorCode::kInvalidParameterValue,
              "The parameter MetricData.member.1.Timestamp must specify a time no more than two weeks in the past "
              "and no more than two hours in the future.");
  ExpectError("PutMetricData",
              "Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.Values.member.1=1&"
              "MetricData.member.1.Counts.member.1=1&MetricData.member.1.Counts.member.2=1",
              CwErrorCode::kInvalidParameterValue,
              "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.");
  ExpectError("PutMetricData", "Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.Value=1&"
                               "MetricData.member.1.Unit=Furlongs",
              CwErrorCode::kInvalidParameterValue,
              "The value Furlongs for parameter MetricData.member.1.Unit is not a valid unit.");
  ExpectError("PutMetricData", "Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.Value=1&"
                               "MetricData.member.1.StorageResolution=5",
              CwErrorCode::kInvalidParameterValue,
              "The value 5 for parameter MetricData.member.1.StorageResolution is invalid. Valid values are 1 and 60.");
  std::string dims;
  for (int i = 1; i <= 31; ++i) {
    dims += "&MetricData.member.1.Dimensions.member." + std::to_string(i) + ".Name=d" + std::to_string(i) +
            "&MetricData.member.1.Dimensions.member." + std::to_string(i) + ".Value=v";
  }
  ExpectError("PutMetricData", "Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.Value=1" + dims,
              CwErrorCode::kInvalidParameterValue,
              "The collection MetricData.member.1.Dimensions must not have a size greater than 30.");
  std::string many = "Namespace=App";
  for (int i = 1; i <= 1001; ++i) {
    many += "&MetricData.member." + std::to_string(i) + ".MetricName=a&MetricData.member." + std::to_string(i) + ".Value=1";
  }
  ExpectError("PutMetricData", many, CwErrorCode::kInvalidParameterValue,
              "The collection MetricData must not have a size greater than 1000.");
  EXPECT_TRUE(registry_.PutData().empty());  // nothing refused was recorded

  auto ok = Run("PutMetricData",
                "Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.Value=2.5&"
                "MetricData.member.1.Unit=Bytes&MetricData.member.1.Dimensions.member.1.Name=s&"
                "MetricData.member.1.Dimensions.member.1.Value=x&MetricData.member.1.StorageResolution=1");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_FALSE(ok->with_result);
  ASSERT_EQ(registry_.PutData().size(), 1u);
  const metrics::Datum d = registry_.PutData()[0];
  EXPECT_EQ(d.id, metrics::MakeId("App", "a", {{"s", "x"}}));
  EXPECT_EQ(d.value, 2.5);
  EXPECT_EQ(d.unit, metrics::Unit::kBytes);
  EXPECT_EQ(d.storage_resolution, 1);
  EXPECT_EQ(d.timestamp_ms, clock_.NowMillis());
}

TEST_F(ActionsTest, GetMetricStatisticsChecksAndAnswers) {
  const std::string base = "Namespace=App&MetricName=a&StartTime=2023-11-14T22:00:00Z&EndTime=2023-11-14T23:00:00Z";
  ExpectError("GetMetricStatistics", base + "&Period=60", CwErrorCode::kInvalidParameterCombination,
              "Must specify either Statistics or ExtendedStatistics.");
  ExpectError("GetMetricStatistics", base + "&Period=45&Statistics.member.1=Sum", CwErrorCode::kInvalidParameterValue,
              "The parameter Period must be 1, 5, 10, 30, or a multiple of 60 seconds.");
  ExpectError("GetMetricStatistics", base + "&Period=1&Statistics.member.1=Sum", CwErrorCode::kInvalidParameterCombination,
              "You have requested up to 3600 datapoints, which exceeds the limit of 1440. You may reduce the "
              "datapoints requested by increasing Period, or decreasing the time range.");
  ExpectError("GetMetricStatistics",
              "Namespace=App&MetricName=a&StartTime=2023-11-14T23:00:00Z&EndTime=2023-11-14T22:00:00Z&Period=60&"
              "Statistics.member.1=Sum",
              CwErrorCode::kInvalidParameterValue, "The parameter StartTime must be less than the parameter EndTime.");
  reader_.Set(metrics::MakeId("App", "a", {}), 1'700'000'040'000, 7);
  auto r = Run("GetMetricStatistics", base + "&Period=60&Statistics.member.1=Sum&ExtendedStatistics.member.1=p90");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Out& dps = r->result.fields[1].second;
  ASSERT_EQ(dps.items.size(), 1u);
  EXPECT_EQ(dps.items[0].fields[1].first, "Sum");
  EXPECT_EQ(dps.items[0].fields[1].second.number, 7);
}

TEST_F(ActionsTest, AlarmActionsRoundTrip) {
  ExpectError("PutMetricAlarm", "AlarmName=x&EvaluationPeriods=1&ComparisonOperator=GreaterThanThreshold&Threshold=1&"
                                "Namespace=App&MetricName=a&Period=60",
              CwErrorCode::kInvalidParameterCombination,
              "Exactly one of the parameters Statistic and ExtendedStatistic must be specified.");
  ExpectError("PutMetricAlarm", "AlarmName=x&EvaluationPeriods=1&ComparisonOperator=LessThanLowerThreshold&"
                                "ThresholdMetricId=ad1",
              CwErrorCode::kInvalidParameterValue,
              "Anomaly detection comparison operators (LessThanLowerThreshold) are not supported by sluice.");
  ExpectError("PutMetricAlarm", "EvaluationPeriods=1", CwErrorCode::kMissingParameter, "The parameter AlarmName is required.");
  auto put = Run("PutMetricAlarm", "AlarmName=x&EvaluationPeriods=2&DatapointsToAlarm=1&ComparisonOperator=GreaterThanThreshold&"
                                   "Threshold=1&Namespace=App&MetricName=a&Period=60&ExtendedStatistic=p99&"
                                   "TreatMissingData=notBreaching");
  ASSERT_TRUE(put.ok()) << put.error().message;
  auto d = Run("DescribeAlarms", "AlarmNames.member.1=x");
  ASSERT_TRUE(d.ok());
  const Out& alarms = d->result.fields[0].second;
  ASSERT_EQ(alarms.items.size(), 1u);
  bool ext = false;
  for (const auto& [k, v] : alarms.items[0].fields) ext = ext || (k == "ExtendedStatistic" && v.text == "p99");
  EXPECT_TRUE(ext);
  ExpectError("DescribeAlarms", "AlarmNames.member.1=x&AlarmNamePrefix=y", CwErrorCode::kInvalidParameterCombination,
              "AlarmNames and AlarmNamePrefix cannot both be specified.");
  ExpectError("DescribeAlarms", "NextToken=garbage", CwErrorCode::kInvalidNextToken, "The service cannot find the next token.");
  ExpectError("SetAlarmState", "AlarmName=nope&StateValue=ALARM&StateReason=r", CwErrorCode::kResourceNotFound,
              "Alarm nope does not exist");
  ExpectError("SetAlarmState", "AlarmName=x&StateValue=ALARM&StateReason=r&StateReasonData=%7B", CwErrorCode::kInvalidFormat,
              "StateReasonData must be valid JSON");
  ASSERT_TRUE(Run("SetAlarmState", "AlarmName=x&StateValue=ALARM&StateReason=r").ok());
  auto h = Run("DescribeAlarmHistory", "AlarmName=x&HistoryItemType=StateUpdate");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->result.fields[0].second.items.size(), 2u);  // OK at creation (notBreaching), then ALARM
  ExpectError("DeleteAlarms", "AlarmNames.member.1=nope", CwErrorCode::kResourceNotFound,
              "The following alarms were not found: [nope]");
  ASSERT_TRUE(Run("DeleteAlarms", "AlarmNames.member.1=x").ok());
}

}  // namespace
}  // namespace sluice::frontends::cloudwatch
