// The pure part of alarm evaluation (alarms.h): from one evaluation range's datapoints
// to the state CloudWatch would set, with its StateReason and StateReasonData wording,
// and the event CloudWatch sends a Lambda action. No I/O, no clock: unit tests drive it
// datapoint by datapoint.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metrics/alarms.h"

namespace sluice::metrics {

// One period of the evaluation range: its start and value (nullopt: missing).
struct RangePoint {
  int64_t timestamp_ms = 0;
  std::optional<double> value;
};

struct Evaluation {
  AlarmState state = AlarmState::kInsufficientData;
  bool retain = false;  // TreatMissingData=ignore with no datapoint: keep the current state
  std::string reason;
  std::string reason_data;  // JSON
};

// How many periods before the last one an evaluation reads: CloudWatch's evaluation range
// is longer than EvaluationPeriods, so missing/ignore alarms can look back for real
// datapoints before treating data as missing.
inline constexpr int32_t kExtraRangePeriods = 2;

// `points`: the evaluation range (EvaluationPeriods + kExtraRangePeriods periods, or
// fewer when the alarm's limit on Period * periods allows fewer), oldest first. `query_ms`: when the
// evaluation ran. `period_s` and `statistic` go into StateReasonData (statistic empty for
// metric math).
Evaluation EvaluateRange(const AlarmConfig& config, AlarmState current, const std::vector<RangePoint>& points,
                         int64_t query_ms, int32_t period_s, const std::string& statistic);

bool Breaches(const AlarmConfig& config, double value);

// A double as CloudWatch's reasons print one (Java's Double.toString: "5.0", "0.25").
std::string JavaDouble(double v);
// "2026-12-01T05:00:00.000+0000", as CloudWatch writes times inside JSON documents.
std::string CwJsonTime(int64_t ms);

// The event CloudWatch sends a Lambda function when the alarm moves from `previous`
// (state, reason, reason data, timestamp) to the alarm's current state.
std::string LambdaAlarmEvent(const Alarm& alarm, AlarmState previous, const std::string& previous_reason,
                             const std::string& previous_reason_data, int64_t previous_ms,
                             const std::string& region, const std::string& account_id);

// The alarm's ARN: arn:aws:cloudwatch:<region>:<account>:alarm:<name>.
std::string AlarmArn(const std::string& region, const std::string& account_id, const std::string& name);

}  // namespace sluice::metrics
