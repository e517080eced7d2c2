#include "metrics/alarms.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "catalog/catalog.h"
#include "catalog/testing/test_util.h"
#include "metrics/alarm_eval.h"
#include "metrics/testing/fake_reader.h"

namespace sluice::metrics {
namespace {

using Json = nlohmann::json;

// 2023-11-14T22:14:00Z: a minute boundary.
constexpr int64_t kT0 = 1'700'000'040'000;
constexpr int64_t kMin = 60'000;
constexpr char kFn[] = "arn:aws:lambda:us-east-1:000000000000:function:on-alarm";

class RecordingActions final : public AlarmActions {
 public:
  Status InvokeAsync(const std::string& function, std::string payload) override {
    std::lock_guard lock(mu);
    calls.emplace_back(function, std::move(payload));
    return fail ? Status::Unavailable("queue full") : Status::OK();
  }
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> calls;
  bool fail = false;
};

class AlarmsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(kT0 % kMin, 0);
    auto c = catalog::Catalog::Open(dir_.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value();
    clock_.Set(kT0 + 5 * kMin + 1000);  // five whole minutes since kT0 have ended
    Reopen();
  }
  void Reopen() {
    if (alarms_) alarms_->Shutdown();
    alarms_.reset();
    auto m = AlarmManager::Open({.catalog = catalog_.get(), .reader = &reader_, .clock = &clock_,
                                 .actions = &actions_, .background = false});
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    alarms_ = std::move(m).value();
  }
  MetricId Id() { return MakeId("App", "Errors", {{"FunctionName", "f"}}); }
  AlarmConfig Config(std::string name = "a1") {
    AlarmConfig c;
    c.name = std::move(name);
    c.metric = MetricStatSpec{Id(), 60, Statistic{Statistic::kSum, 0}, std::nullopt};
    c.evaluation_periods = 1;
    c.threshold = 0;
    c.comparison = Comparison::kGreaterThanThreshold;
    c.alarm_actions = {kFn};
    return c;
  }
  // Datapoint of the minute that started `minutes_ago` minutes before the last ended one.
  void Point(int minutes_back, double v) { reader_.Set(Id(), kT0 + (4 - minutes_back) * kMin, v); }
  Alarm Get(const std::string& name = "a1") {
    auto all = alarms_->Describe({.names = {name}});
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? Alarm{} : all[0];
  }
  void Put(const AlarmConfig& c) {
    auto r = alarms_->Put(c);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  catalog::testing::TempDir dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  testing::FakeReader reader_;
  ManualClock clock_{kT0};
  RecordingActions actions_;
  std::unique_ptr<AlarmManager> alarms_;
};

TEST_F(AlarmsTest, BreachingDatapointMovesToAlarmWithReasonHistoryAndLambdaEvent) {
  Point(0, 3);
  AlarmConfig c = Config();
  c.description = "errors";
  Put(c);
  Alarm a = Get();
  EXPECT_EQ(a.state, AlarmState::kAlarm);
  EXPECT_EQ(a.arn, "arn:aws:cloudwatch:us-east-1:000000000000:alarm:a1");
  EXPECT_EQ(a.state_reason, "Threshold Crossed: 1 datapoint [3.0 (14/11/23 22:18:00)] was greater than the threshold (0.0).");
  Json data = Json::parse(a.state_reason_data);
  EXPECT_EQ(data["statistic"], "Sum");
  EXPECT_EQ(data["period"], 60);
  EXPECT_EQ(data["recentDatapoints"], Json::array({3.0}));
  EXPECT_EQ(data["startDate"], "2023-11-14T22:18:00.000+0000");

  ASSERT_EQ(actions_.calls.size(), 1u);
  EXPECT_EQ(actions_.calls[0].first, kFn);
  Json ev = Json::parse(actions_.calls[0].second);
  EXPECT_EQ(ev["source"], "aws.cloudwatch");
  EXPECT_EQ(ev["alarmArn"], a.arn);
  EXPECT_EQ(ev["alarmData"]["alarmName"], "a1");
  EXPECT_EQ(ev["alarmData"]["state"]["value"], "ALARM");
  EXPECT_EQ(ev["alarmData"]["previousState"]["value"], "INSUFFICIENT_DATA");
  EXPECT_EQ(ev["alarmData"]["previousState"]["reason"], "Unchecked: Initial alarm creation");
  EXPECT_EQ(ev["alarmData"]["configuration"]["description"], "errors");
  const Json& m = ev["alarmData"]["configuration"]["metrics"][0]["metricStat"];
  EXPECT_EQ(m["metric"]["namespace"], "App");
  EXPECT_EQ(m["metric"]["dimensions"]["FunctionName"], "f");
  EXPECT_EQ(m["stat"], "Sum");

  auto history = alarms_->History("a1", "", 0, INT64_MAX);
  ASSERT_EQ(history.size(), 3u);  // newest first
  EXPECT_EQ(history[0].type, "Action");
  EXPECT_EQ(history[0].summary, std::string("Successfully executed action ") + kFn);
  EXPECT_EQ(history[1].type, "StateUpdate");
  EXPECT_EQ(history[1].summary, "Alarm updated from INSUFFICIENT_DATA to ALARM");
  EXPECT_EQ(Json::parse(history[1].data)["newState"]["stateValue"], "ALARM");
  EXPECT_EQ(history[2].type, "ConfigurationUpdate");
  EXPECT_EQ(history[2].summary, "Alarm \"a1\" created");
}

// The evaluation thread runs before_evaluation (the server's store fold) before each
// periodic evaluation, so that evaluation reads what the hook stored: here the hook
// stores the breaching datapoint of a period only once that period has ended. Were the
// hook run after the evaluation, that period would be evaluated without it (and never
// again): the ALARM is the proof of the order.
TEST_F(AlarmsTest, PeriodicEvaluationRunsBeforeEvaluationFirstAndSeesWhatItStored) {
  struct Signalling final : AlarmActions {
    Status InvokeAsync(const std::string& function, std::string) override {
      std::lock_guard lock(mu);
      invoked.push_back(function);
      cv.notify_all();
      return Status::OK();
    }
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::string> invoked;
  } signalling;
  std::atomic<int> hooks{0};
  alarms_->Shutdown();
  auto m = AlarmManager::Open({.catalog = catalog_.get(), .reader = &reader_, .clock = &clock_,
                               .actions = &signalling, .background = true, .before_evaluation = [&] {
                                 hooks.fetch_add(1);
                                 if (clock_.NowMillis() >= kT0 + 6 * kMin) reader_.Set(Id(), kT0 + 5 * kMin, 3);
                               }});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  alarms_ = std::move(m).value();
  Put(Config());  // no datapoint yet: the evaluation at creation finds none
  ASSERT_EQ(Get().state, AlarmState::kInsufficientData);
  clock_.Advance(kMin);  // the period [kT0 + 5 min, + 6 min) ends: the hook stores it, then it is evaluated
  {
    std::unique_lock lock(signalling.mu);
    ASSERT_TRUE(signalling.cv.wait_for(lock, std::chrono::seconds(30), [&] { return !signalling.invoked.empty(); }))
        << "no evaluation ran";
  }
  alarms_->Shutdown();
  EXPECT_GE(hooks.load(), 1);
  EXPECT_EQ(Get().state, AlarmState::kAlarm);
  EXPECT_EQ(signalling.invoked, std::vector<std::string>{kFn});
}

TEST_F(AlarmsTest, EvaluatesOncePerPeriodAndReturnsToOk) {
  Point(0, 3);
  Put(Config());
  ASSERT_EQ(Get().state, AlarmState::kAlarm);
  clock_.Advance(30'000);  // same minute: nothing new ended
  reader_.Set(Id(), kT0 + 5 * kMin, 0);
  alarms_->Evaluate();
  EXPECT_EQ(Get().state, AlarmState::kAlarm);
  clock_.Advance(60'000);
  alarms_->Evaluate();
  Alarm a = Get();
  EXPECT_EQ(a.state, AlarmState::kOk);
  EXPECT_EQ(a.state_reason, "Threshold Crossed: 1 datapoint [0.0 (14/11/23 22:19:00)] was not greater than the threshold (0.0).");
  EXPECT_EQ(actions_.calls.size(), 1u);  // no OKActions
}

TEST_F(AlarmsTest, DatapointsToAlarmNeedsMOfN) {
  AlarmConfig c = Config();
  c.evaluation_periods = 3;
  c.datapoints_to_alarm = 2;
  Point(2, 5);
  Point(1, 0);
  Point(0, 0);
  Put(c);
  EXPECT_EQ(Get().state, AlarmState::kOk);
  alarms_->Delete({"a1"}).value();
  Point(0, 7);
  Put(c);
  Alarm a = Get();
  EXPECT_EQ(a.state, AlarmState::kAlarm);
  EXPECT_EQ(a.state_reason,
            "Threshold Crossed: 2 out of the last 3 datapoints [7.0 (14/11/23 22:18:00), 0.0 (14/11/23 22:17:00), "
            "5.0 (14/11/23 22:16:00)] were greater than the threshold (0.0) (minimum 2 datapoints for "
            "INSUFFICIENT_DATA -> ALARM transition).");
}

TEST_F(AlarmsTest, TreatMissingDataWithNoDatapoints) {
  struct Case {
    MissingData m;
    AlarmState want;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {MissingData::kMissing, AlarmState::kInsufficientData, "Insufficient Data: 2 datapoints were unknown."},
      {MissingData::kBreaching, AlarmState::kAlarm,
       "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as "
       "[Breaching]."},
      {MissingData::kNotBreaching, AlarmState::kOk,
       "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as "
       "[NonBreaching]."},
  };
  for (const Case& k : cases) {
    AlarmConfig c = Config("m" + std::string(MissingDataName(k.m)));
    c.evaluation_periods = 2;
    c.treat_missing_data = k.m;
    Put(c);
    Alarm a = Get(c.name);
    EXPECT_EQ(a.state, k.want) << MissingDataName(k.m);
    if (k.m != MissingData::kMissing) {
      EXPECT_EQ(a.state_reason, k.reason);
    }
  }
  // A new alarm with missing data stays INSUFFICIENT_DATA without a transition.
  EXPECT_EQ(Get("mmissing").state_reason, "Unchecked: Initial alarm creation");

  // ignore keeps the state it has: ALARM stays ALARM when the data stops.
  AlarmConfig c = Config("ignore");
  c.treat_missing_data = MissingData::kIgnore;
  Point(0, 1);
  Put(c);
  ASSERT_EQ(Get("ignore").state, AlarmState::kAlarm);
  clock_.Advance(kMin);
  alarms_->Evaluate();
  EXPECT_EQ(Get("ignore").state, AlarmState::kAlarm);
}

TEST_F(AlarmsTest, MissingAmongPresentDatapoints) {
  AlarmConfig c = Config();
  c.evaluation_periods = 3;
  c.datapoints_to_alarm = 3;
  Point(0, 5);  // one real, breaching datapoint; two missing
  c.treat_missing_data = MissingData::kNotBreaching;
  Put(c);
  EXPECT_EQ(Get().state, AlarmState::kOk);
  c.treat_missing_data = MissingData::kBreaching;
  Put(c);
  EXPECT_EQ(Get().state, AlarmState::kAlarm);
  alarms_->Delete({"a1"}).value();
  c.treat_missing_data = MissingData::kMissing;  // decides on the datapoints it has
  Put(c);
  EXPECT_EQ(Get().state, AlarmState::kAlarm);
}

// CloudWatch's table for DatapointsToAlarm = EvaluationPeriods = 3 over an evaluation
// range of 5 periods (0 not breaching, X breaching, - missing; oldest first).
TEST_F(AlarmsTest, EvaluationRangeLooksBackForMissingAndIgnore) {
  struct Row {
    std::vector<std::optional<double>> points;
    AlarmState missing, ignore, breaching, not_breaching;
  };
  const std::optional<double> o = 0.0, x = 5.0, gap;
  const AlarmState kOk = AlarmState::kOk, kAlarm = AlarmState::kAlarm, kKept = AlarmState::kInsufficientData;
  const std::vector<Row> rows = {
      {{o, gap, x, gap, x}, kOk, kOk, kAlarm, kOk},
      {{gap, gap, gap, gap, o}, kOk, kOk, kOk, kOk},
      {{o, x, x, gap, x}, kAlarm, kAlarm, kAlarm, kOk},
      {{gap, gap, x, gap, gap}, kAlarm, kKept, kAlarm, kOk},
  };
  int row = 0;
  for (const Row& r : rows) {
    const MetricId id = MakeId("Table", "Row" + std::to_string(row), {});
    for (int i = 0; i < 5; ++i) {
      if (r.points[i]) reader_.Set(id, kT0 + i * kMin, *r.points[i]);
    }
    const std::pair<MissingData, AlarmState> want[] = {{MissingData::kMissing, r.missing},
                                                       {MissingData::kIgnore, r.ignore},
                                                       {MissingData::kBreaching, r.breaching},
                                                       {MissingData::kNotBreaching, r.not_breaching}};
    for (auto [treatment, state] : want) {
      AlarmConfig c = Config("row" + std::to_string(row) + std::string(MissingDataName(treatment)));
      c.metric->id = id;
      c.evaluation_periods = 3;
      c.treat_missing_data = treatment;
      Put(c);
      EXPECT_EQ(Get(c.name).state, state) << "row " << row << " " << MissingDataName(treatment);
    }
    ++row;
  }
}

TEST_F(AlarmsTest, EveryComparisonOperator) {
  Point(0, 5);
  const std::vector<std::pair<Comparison, double>> alarm_at = {
      {Comparison::kGreaterThanOrEqualToThreshold, 5}, {Comparison::kGreaterThanThreshold, 4.5},
      {Comparison::kLessThanThreshold, 5.5}, {Comparison::kLessThanOrEqualToThreshold, 5}};
  int i = 0;
  for (auto [cmp, threshold] : alarm_at) {
    AlarmConfig c = Config("c" + std::to_string(i++));
    c.comparison = cmp;
    c.threshold = threshold;
    Put(c);
    EXPECT_EQ(Get(c.name).state, AlarmState::kAlarm) << ComparisonName(cmp);
    c.threshold = cmp == Comparison::kGreaterThanOrEqualToThreshold || cmp == Comparison::kGreaterThanThreshold ? 6 : 4;
    c.name += "ok";
    Put(c);
    EXPECT_EQ(Get(c.name).state, AlarmState::kOk) << ComparisonName(cmp);
  }
}

TEST_F(AlarmsTest, ValidatesAsPutMetricAlarmDoes) {
  AlarmConfig c = Config();
  c.metric->period_s = 45;
  EXPECT_EQ(alarms_->Put(c).error().code, CwErrorCode::kInvalidParameterValue);
  for (int32_t ok : {10, 20, 30, 120}) {
    c.metric->period_s = ok;
    EXPECT_TRUE(alarms_->Put(c).ok()) << ok;
  }
  c = Config();
  c.evaluation_periods = 2;
  c.datapoints_to_alarm = 3;
  EXPECT_EQ(alarms_->Put(c).error().code, CwErrorCode::kInvalidParameterValue);
  c = Config();
  c.evaluation_periods = 1441;  // 1441 minutes > one day
  EXPECT_EQ(alarms_->Put(c).error().code, CwErrorCode::kInvalidParameterValue);
  c = Config();
  c.metrics.push_back(MetricQuery{"m1", c.metric, "", "", true, std::nullopt});
  EXPECT_EQ(alarms_->Put(c).error().code, CwErrorCode::kInvalidParameterCombination);
  c = Config();
  c.alarm_actions = {"arn:aws:automate:us-east-1:ec2:stop"};
  EXPECT_EQ(alarms_->Put(c).error().code, CwErrorCode::kInvalidParameterValue);
  c = Config();
  c.alarm_actions = std::vector<std::string>(6, kFn);
  EXPECT_EQ(alarms_->Put(c).error().code, CwErrorCode::kInvalidParameterValue);
  EXPECT_EQ(alarms_->Delete({"a1", "nope"}).error().code, CwErrorCode::kResourceNotFound);
  EXPECT_EQ(alarms_->Describe({}).size(), 1u);  // the bad Delete deleted nothing
}

TEST_F(AlarmsTest, MetricMathAlarm) {
  reader_.Set(MakeId("App", "Errors", {}), kT0 + 4 * kMin, 5);
  reader_.Set(MakeId("App", "Invocations", {}), kT0 + 4 * kMin, 10);
  AlarmConfig c;
  c.name = "rate";
  MetricQuery e{"e1", std::nullopt, "100 * errors / invocations", "Error rate", true, std::nullopt};
  MetricQuery m1{"errors", MetricStatSpec{MakeId("App", "Errors", {}), 60, {Statistic::kSum, 0}, {}}, "", "", false, {}};
  MetricQuery m2{"invocations", MetricStatSpec{MakeId("App", "Invocations", {}), 60, {Statistic::kSum, 0}, {}}, "", "", false, {}};
  c.metrics = {e, m1, m2};
  c.threshold = 40;
  c.comparison = Comparison::kGreaterThanThreshold;
  Put(c);
  EXPECT_EQ(Get("rate").state, AlarmState::kAlarm);
  EXPECT_NE(Get("rate").state_reason.find("[50.0 "), std::string::npos);
  c.metrics[1].return_data = true;
  EXPECT_EQ(alarms_->Put(c).error().code, CwErrorCode::kInvalidParameterValue);
  // An expression that gives several series cannot be compared with a threshold: the
  // alarm is not evaluated (and stays as it is).
  c.metrics[1].return_data = false;
  c.metrics[0].expression = "METRICS()";
  c.name = "several";
  Put(c);
  EXPECT_EQ(Get("several").state, AlarmState::kInsufficientData);
}

TEST_F(AlarmsTest, PercentileStatisticIsAskedOfTheReader) {
  AlarmConfig c = Config();
  c.metric->stat = *ParseStatistic("p90");
  c.extended_statistic = true;
  Point(0, 9);
  Put(c);
  EXPECT_EQ(Json::parse(Get().state_reason_data)["statistic"], "p90");
}

TEST_F(AlarmsTest, SetStateActionsEnabledAndSnsAreRecorded) {
  AlarmConfig c = Config();
  c.alarm_actions = {kFn, "arn:aws:sns:us-east-1:000000000000:ops"};
  Put(c);
  EXPECT_EQ(alarms_->SetState("a1", AlarmState::kAlarm, "testing", "{bad").error().code, CwErrorCode::kInvalidFormat);
  EXPECT_EQ(alarms_->SetState("nope", AlarmState::kAlarm, "x", "").error().code, CwErrorCode::kResourceNotFound);
  ASSERT_TRUE(alarms_->SetState("a1", AlarmState::kAlarm, "testing", "{\"a\":1}").ok());
  Alarm a = Get();
  EXPECT_EQ(a.state, AlarmState::kAlarm);
  EXPECT_EQ(a.state_reason, "testing");
  ASSERT_EQ(actions_.calls.size(), 1u);
  EXPECT_EQ(Json::parse(actions_.calls[0].second)["alarmData"]["state"]["reason"], "testing");
  auto actions = alarms_->History("a1", "Action", 0, INT64_MAX);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[1].summary, "Recorded action arn:aws:sns:us-east-1:000000000000:ops (sluice serves no SNS: no "
                                "message was published)");

  ASSERT_TRUE(alarms_->SetActionsEnabled({"a1", "unknown"}, false).ok());
  EXPECT_FALSE(Get().config.actions_enabled);
  ASSERT_TRUE(alarms_->SetState("a1", AlarmState::kOk, "quiet", "").ok());
  ASSERT_TRUE(alarms_->SetState("a1", AlarmState::kAlarm, "again", "").ok());
  EXPECT_EQ(actions_.calls.size(), 1u);  // disabled: no action ran
  ASSERT_TRUE(alarms_->SetActionsEnabled({"a1"}, true).ok());
  actions_.fail = true;
  ASSERT_TRUE(alarms_->SetState("a1", AlarmState::kOk, "q", "").ok());
  ASSERT_TRUE(alarms_->SetState("a1", AlarmState::kAlarm, "a", "").ok());
  EXPECT_EQ(alarms_->History("a1", "Action", 0, INT64_MAX)[0].summary, std::string("Failed to execute action ") + kFn);
}

TEST_F(AlarmsTest, AlarmsAndHistorySurviveReopen) {
  Point(0, 3);
  Put(Config());
  Reopen();
  Alarm a = Get();
  EXPECT_EQ(a.state, AlarmState::kAlarm);
  EXPECT_EQ(a.config.alarm_actions, std::vector<std::string>{kFn});
  EXPECT_EQ(a.config.metric->id, Id());
  EXPECT_EQ(alarms_->History("a1", "", 0, INT64_MAX).size(), 3u);
  // Already evaluated for this minute: reopening does not evaluate (nor act) again.
  alarms_->Evaluate();
  EXPECT_EQ(actions_.calls.size(), 1u);
  ASSERT_TRUE(alarms_->Delete({"a1"}).ok());
  Reopen();
  EXPECT_TRUE(alarms_->Describe({}).empty());
  EXPECT_TRUE(alarms_->History("", "", 0, INT64_MAX).empty());
}

TEST_F(AlarmsTest, DescribeFiltersAndForMetric) {
  Put(Config("b-one"));
  AlarmConfig c = Config("a-two");
  c.alarm_actions = {"arn:aws:sns:us-east-1:000000000000:t"};
  Put(c);
  EXPECT_EQ(alarms_->Describe({.name_prefix = "b-"}).size(), 1u);
  EXPECT_EQ(alarms_->Describe({.action_prefix = "arn:aws:sns"})[0].config.name, "a-two");
  EXPECT_EQ(alarms_->Describe({.state = AlarmState::kInsufficientData}).size(), 2u);
  EXPECT_EQ(alarms_->Describe({})[0].config.name, "a-two");  // name order
  EXPECT_EQ(alarms_->ForMetric(Id(), 60, Statistic{Statistic::kSum, 0}, std::nullopt).size(), 2u);
  EXPECT_TRUE(alarms_->ForMetric(Id(), 300, std::nullopt, std::nullopt).empty());
  EXPECT_TRUE(alarms_->ForMetric(MakeId("App", "Other", {}), std::nullopt, std::nullopt, std::nullopt).empty());
}

TEST(AlarmEvalTest, JavaDoubleAndTimes) {
  EXPECT_EQ(JavaDouble(5), "5.0");
  EXPECT_EQ(JavaDouble(0.25), "0.25");
  EXPECT_EQ(CwJsonTime(kT0), "2023-11-14T22:14:00.000+0000");
}

}  // namespace
}  // namespace sluice::metrics
