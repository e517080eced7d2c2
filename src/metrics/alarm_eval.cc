// Alarm evaluation over one range, CloudWatch's wording, and the Lambda alarm event.
#include "metrics/alarm_eval.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

#include <nlohmann/json.hpp>

namespace sluice::metrics {
namespace {

using Json = nlohmann::ordered_json;

std::string_view Words(Comparison c) {
  switch (c) {
    case Comparison::kGreaterThanOrEqualToThreshold: return "greater than or equal to";
    case Comparison::kGreaterThanThreshold: return "greater than";
    case Comparison::kLessThanThreshold: return "less than";
    case Comparison::kLessThanOrEqualToThreshold: return "less than or equal to";
  }
  return "";
}

// "01/12/26 05:54:00": how CloudWatch's reasons print a datapoint's time.
std::string ReasonTime(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%d/%m/%y %H:%M:%S", &tm);
  return buf;
}

std::string Plural(size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

bool Breaches(const AlarmConfig& config, double v) {
  switch (config.comparison) {
    case Comparison::kGreaterThanOrEqualToThreshold: return v >= config.threshold;
    case Comparison::kGreaterThanThreshold: return v > config.threshold;
    case Comparison::kLessThanThreshold: return v < config.threshold;
    case Comparison::kLessThanOrEqualToThreshold: return v <= config.threshold;
  }
  return false;
}

std::string JavaDouble(double v) {
  if (std::isnan(v)) return "NaN";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, p);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string CwJsonTime(int64_t ms) {
  std::string iso = Iso8601Millis(ms);  // ...T05:00:00.000Z
  if (!iso.empty() && iso.back() == 'Z') iso.pop_back();
  return iso + "+0000";
}

std::string AlarmArn(const std::string& region, const std::string& account_id, const std::string& name) {
  return "arn:aws:cloudwatch:" + region + ":" + account_id + ":alarm:" + name;
}

Evaluation EvaluateRange(const AlarmConfig& config, AlarmState current, const std::vector<RangePoint>& points,
                         int64_t query_ms, int32_t period_s, const std::string& statistic) {
  const size_t m = std::min(points.size(), static_cast<size_t>(std::max(config.evaluation_periods, 1)));
  const size_t n = static_cast<size_t>(config.datapoints_to_alarm.value_or(config.evaluation_periods));
  const bool fills = config.treat_missing_data == MissingData::kBreaching ||
                     config.treat_missing_data == MissingData::kNotBreaching;
  // The datapoints the decision rests on, newest first. breaching/notBreaching: the last
  // EvaluationPeriods periods, missing ones filled. missing/ignore: the newest
  // EvaluationPeriods real datapoints of the whole evaluation range (CloudWatch looks
  // back further than EvaluationPeriods before it treats data as missing).
  std::vector<const RangePoint*> considered;
  size_t missing = 0;
  for (auto it = points.rbegin(); it != points.rend(); ++it) {
    if (fills) {
      if (considered.size() + missing >= m) break;
      if (it->value) considered.push_back(&*it);
      else ++missing;
    } else if (it->value) {
      considered.push_back(&*it);
      if (considered.size() >= m) break;
    }
  }
  const size_t present = considered.size();
  size_t breaching = 0;
  for (const RangePoint* p : considered) breaching += Breaches(config, *p->value) ? 1 : 0;

  Json data = Json::object();
  data["version"] = "1.0";
  data["queryDate"] = CwJsonTime(query_ms);
  if (!points.empty()) data["startDate"] = CwJsonTime(points[points.size() - m].timestamp_ms);
  if (!statistic.empty()) data["statistic"] = statistic;
  data["period"] = period_s;
  Json recent = Json::array(), evaluated = Json::array();
  std::string listed;
  for (const RangePoint* p : considered) {
    recent.push_back(*p->value);
    evaluated.push_back({{"timestamp", CwJsonTime(p->timestamp_ms)}, {"value", *p->value}});
    if (!listed.empty()) listed += ", ";
    listed += JavaDouble(*p->value) + " (" + ReasonTime(p->timestamp_ms) + ")";
  }
  data["recentDatapoints"] = recent;
  data["threshold"] = config.threshold;
  if (!evaluated.empty()) data["evaluatedDatapoints"] = evaluated;

  Evaluation e;
  const std::string threshold = "the threshold (" + JavaDouble(config.threshold) + ")";
  if (present == 0) {
    switch (config.treat_missing_data) {
      case MissingData::kMissing:
        e.state = AlarmState::kInsufficientData;
        e.reason = "Insufficient Data: " + Plural(m, "datapoint") + (m == 1 ? " was" : " were") + " unknown.";
        break;
      case MissingData::kIgnore:
        e.state = current;
        e.retain = true;
        e.reason = "Insufficient Data: " + Plural(m, "datapoint") + (m == 1 ? " was" : " were") +
                   " unknown; TreatMissingData is ignore, so the state is kept.";
        break;
      case MissingData::kBreaching:
      case MissingData::kNotBreaching: {
        const bool b = config.treat_missing_data == MissingData::kBreaching;
        e.state = b && m >= n ? AlarmState::kAlarm : AlarmState::kOk;
        e.reason = "Threshold Crossed: no datapoints were received for " + Plural(m, "period") + " and " +
                   Plural(m, "missing datapoint") + (m == 1 ? " was" : " were") + " treated as [" +
                   (b ? "Breaching" : "NonBreaching") + "].";
        break;
      }
    }
    e.reason_data = data.dump();
    return e;
  }
  if (config.treat_missing_data == MissingData::kBreaching) breaching += missing;
  bool alarm = breaching >= n;
  if (!fills && present < n) {
    // Fewer real datapoints than DatapointsToAlarm in the whole range: all of them
    // breaching is ALARM with missing (ignore keeps the state); any that does not is OK.
    alarm = breaching == present;
    if (alarm && config.treat_missing_data == MissingData::kIgnore) {
      e.state = current;
      e.retain = true;
      e.reason_data = data.dump();
      return e;
    }
  }
  e.state = alarm ? AlarmState::kAlarm : AlarmState::kOk;
  const std::string verb = std::string(present == 1 ? " was " : " were ") + (alarm ? "" : "not ");
  if (alarm && n < m) {
    e.reason = "Threshold Crossed: " + std::to_string(breaching) + " out of the last " + std::to_string(m) +
               " datapoints [" + listed + "] were " + std::string(Words(config.comparison)) + " " + threshold +
               " (minimum " + Plural(n, "datapoint") + " for " + std::string(AlarmStateName(current)) +
               " -> ALARM transition).";
  } else {
    e.reason = "Threshold Crossed: " + Plural(present, "datapoint") + " [" + listed + "]" + verb +
               std::string(Words(config.comparison)) + " " + threshold + ".";
  }
  e.reason_data = data.dump();
  return e;
}

std::string LambdaAlarmEvent(const Alarm& alarm, AlarmState previous, const std::string& previous_reason,
                             const std::string& previous_reason_data, int64_t previous_ms,
                             const std::string& region, const std::string& account_id) {
  Json metrics = Json::array();
  auto stat_json = [](const MetricStatSpec& ms, const std::string& stat_name) {
    Json dims = Json::object();
    for (const Dimension& d : ms.id.dimensions) dims[d.name] = d.value;
    Json j = {{"metric", {{"namespace", ms.id.ns}, {"name", ms.id.name}, {"dimensions", dims}}},
              {"period", ms.period_s},
              {"stat", stat_name}};
    if (ms.unit) j["unit"] = std::string(UnitName(*ms.unit));
    return j;
  };
  if (alarm.config.metric) {
    metrics.push_back({{"id", "m1"}, {"metricStat", stat_json(*alarm.config.metric, StatisticName(alarm.config.metric->stat))},
                       {"returnData", true}});
  }
  for (const MetricQuery& q : alarm.config.metrics) {
    Json j = {{"id", q.id}};
    if (q.metric_stat) j["metricStat"] = stat_json(*q.metric_stat, StatisticName(q.metric_stat->stat));
    if (!q.expression.empty()) j["expression"] = q.expression;
    if (!q.label.empty()) j["label"] = q.label;
    j["returnData"] = q.return_data;
    metrics.push_back(std::move(j));
  }
  Json configuration = Json::object();
  if (!alarm.config.description.empty()) configuration["description"] = alarm.config.description;
  configuration["metrics"] = metrics;
  Json state = {{"value", AlarmStateName(alarm.state)}, {"reason", alarm.state_reason}};
  if (!alarm.state_reason_data.empty()) state["reasonData"] = alarm.state_reason_data;
  state["timestamp"] = CwJsonTime(alarm.state_updated_ms);
  Json prev = {{"value", AlarmStateName(previous)}, {"reason", previous_reason}};
  if (!previous_reason_data.empty()) prev["reasonData"] = previous_reason_data;
  prev["timestamp"] = CwJsonTime(previous_ms);
  Json event = {{"source", "aws.cloudwatch"},
                {"alarmArn", alarm.arn},
                {"accountId", account_id},
                {"time", CwJsonTime(alarm.state_updated_ms)},
                {"region", region},
                {"alarmData",
                 {{"alarmName", alarm.config.name},
                  {"state", state},
                  {"previousState", prev},
                  {"configuration", configuration}}}};
  return event.dump();
}

}  // namespace sluice::metrics
