// Alarms: CloudWatch metric alarms, kept in the catalog and evaluated as CloudWatch
// evaluates them (docs/alarms.md): every Period the alarm reads its last
// EvaluationPeriods datapoints (a statistic of one metric, or a metric-math
// expression), compares each with Threshold, treats missing datapoints as
// TreatMissingData says, and moves between OK, ALARM and INSUFFICIENT_DATA when
// DatapointsToAlarm of them breach (or no longer do). Each transition is written with
// CloudWatch's StateReason and StateReasonData, recorded in the history, and runs the
// new state's actions when ActionsEnabled: a Lambda function ARN is invoked
// asynchronously through AlarmActions with the event CloudWatch sends to Lambda; an SNS
// topic ARN is logged and recorded (sluice serves no SNS).
//
// The metrics module includes no other domain module: AlarmActions is the interface
// src/cli implements over the functions module.
//
// Thread-safety: every AlarmManager method may be called from any thread; evaluation
// runs on the manager's own thread (or in Evaluate(), for tests on a ManualClock).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "metrics/alarm_math.h"
#include "metrics/metrics.h"

namespace sluice::catalog {
class Catalog;
}

namespace sluice::metrics {

enum class AlarmState : uint8_t { kOk, kAlarm, kInsufficientData };
std::string_view AlarmStateName(AlarmState s);  // "OK", "ALARM", "INSUFFICIENT_DATA"
std::optional<AlarmState> ParseAlarmState(std::string_view s);

enum class Comparison : uint8_t {
  kGreaterThanOrEqualToThreshold,
  kGreaterThanThreshold,
  kLessThanThreshold,
  kLessThanOrEqualToThreshold,
};
std::string_view ComparisonName(Comparison c);
std::optional<Comparison> ParseComparison(std::string_view s);

enum class MissingData : uint8_t { kMissing, kIgnore, kBreaching, kNotBreaching };
std::string_view MissingDataName(MissingData m);  // "missing", "ignore", "breaching", "notBreaching"
std::optional<MissingData> ParseMissingData(std::string_view s);

struct AlarmConfig {
  std::string name;
  std::string description;
  bool actions_enabled = true;
  std::vector<std::string> ok_actions, alarm_actions, insufficient_data_actions;
  // A single-metric alarm: the metric, its statistic (Statistic or ExtendedStatistic)
  // and period. Empty for a metric-math alarm, which has `metrics`.
  std::optional<MetricStatSpec> metric;
  bool extended_statistic = false;  // the statistic came as ExtendedStatistic (p90)
  std::vector<MetricQuery> metrics;
  int32_t evaluation_periods = 1;
  std::optional<int32_t> datapoints_to_alarm;
  double threshold = 0;
  Comparison comparison = Comparison::kGreaterThanThreshold;
  MissingData treat_missing_data = MissingData::kMissing;
  std::vector<std::pair<std::string, std::string>> tags;
};

struct Alarm {
  AlarmConfig config;
  std::string arn;
  AlarmState state = AlarmState::kInsufficientData;
  std::string state_reason = "Unchecked: Initial alarm creation";
  std::string state_reason_data;  // JSON, empty until the first evaluation
  int64_t state_updated_ms = 0;
  int64_t state_transitioned_ms = 0;
  int64_t config_updated_ms = 0;
  // The end of the last evaluated period (the next evaluation waits for the next one).
  int64_t evaluated_until_ms = 0;
};

struct HistoryItem {
  std::string alarm_name;
  std::string alarm_type = "MetricAlarm";
  int64_t timestamp_ms = 0;
  std::string type;  // "ConfigurationUpdate", "StateUpdate", "Action"
  std::string summary;
  std::string data;  // JSON
};

// How alarm actions leave the metrics module. InvokeAsync queues an Event invocation of
// the function (an ARN or a name) and returns at once; a failure to queue is returned
// and recorded in the history as a failed action.
class AlarmActions {
 public:
  virtual ~AlarmActions() = default;
  virtual Status InvokeAsync(const std::string& function, std::string payload) = 0;
};

struct AlarmManagerOptions {
  catalog::Catalog* catalog = nullptr;
  const MetricReader* reader = nullptr;
  Clock* clock = &Clock::Real();
  AlarmActions* actions = nullptr;  // null: Lambda actions are recorded as failed
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // Evaluates on a thread of its own once a second (each alarm once per period);
  // false in unit tests, which call Evaluate() after moving the clock.
  bool background = true;
  // Called on the evaluation thread before each periodic evaluation: the server passes
  // the store's Fold, so an evaluation reads every sample recorded before it began
  // instead of waiting for the store's own fold (a spike in the last second of a
  // period would otherwise be counted in that period after its evaluation ran).
  std::function<void()> before_evaluation;
};

struct DescribeFilter {
  std::vector<std::string> names;  // AlarmNames; empty: any
  std::string name_prefix;         // AlarmNamePrefix
  std::optional<AlarmState> state;
  std::string action_prefix;       // ActionPrefix
};

// CloudWatch's limits that PutMetricAlarm checks.
inline constexpr int32_t kMaxEvaluationSeconds = 7 * 24 * 3600;  // Period * EvaluationPeriods
inline constexpr size_t kMaxActionsPerState = 5;
inline constexpr size_t kMaxHistoryPerAlarm = 1000;

class AlarmManager {
 public:
  static Result<std::unique_ptr<AlarmManager>> Open(AlarmManagerOptions options);
  virtual ~AlarmManager() = default;

  // PutMetricAlarm: validates as CloudWatch does, creates or replaces the alarm. A new
  // alarm starts INSUFFICIENT_DATA; an updated one keeps its state.
  virtual CwResult<Done> Put(AlarmConfig config) = 0;
  // Alarms in name order.
  virtual std::vector<Alarm> Describe(const DescribeFilter& filter) const = 0;
  // Single-metric alarms on the metric (period, statistic and unit narrow when set).
  virtual std::vector<Alarm> ForMetric(const MetricId& id, std::optional<int32_t> period_s,
                                       std::optional<Statistic> stat, std::optional<Unit> unit) const = 0;
  // Newest first; `name` empty: every alarm's. `type` empty: every type.
  virtual std::vector<HistoryItem> History(const std::string& name, const std::string& type, int64_t start_ms,
                                           int64_t end_ms) const = 0;
  // Names that do not exist are ResourceNotFound and nothing is deleted.
  virtual CwResult<Done> Delete(const std::vector<std::string>& names) = 0;
  // SetAlarmState: `reason_data` must be JSON when given (else InvalidFormat). The
  // state holds until the next evaluation; actions run as for any transition.
  virtual CwResult<Done> SetState(const std::string& name, AlarmState state, const std::string& reason,
                                  const std::string& reason_data) = 0;
  // Enable/DisableAlarmActions: unknown names are ignored, as CloudWatch ignores them.
  virtual CwResult<Done> SetActionsEnabled(const std::vector<std::string>& names, bool enabled) = 0;
  // Evaluates every alarm whose next period has ended by the clock's now.
  virtual void Evaluate() = 0;
  // Stops the evaluation thread.
  virtual void Shutdown() = 0;
};

}  // namespace sluice::metrics
