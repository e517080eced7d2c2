// AlarmManager: alarms kept in memory and in the catalog, validated as PutMetricAlarm
// validates them, evaluated once per period, transitions recorded and acted on.
#include "metrics/alarms.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "base/mutex.h"
#include "catalog/alarms.h"
#include "metrics/alarm_eval.h"
#include "base/thread_name.h"

namespace sluice::metrics {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::string_view, 3> kStates = {"OK", "ALARM", "INSUFFICIENT_DATA"};
constexpr std::array<std::string_view, 4> kComparisons = {
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"};
constexpr std::array<std::string_view, 4> kMissing = {"missing", "ignore", "breaching", "notBreaching"};

template <typename E, size_t N>
std::optional<E> ParseName(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

CwError Invalid(std::string m) { return MakeCwError(CwErrorCode::kInvalidParameterValue, std::move(m)); }

// Periods alarms allow: 10, 20 and 30 seconds (high-resolution metrics) or a multiple of 60.
bool AlarmPeriodAllowed(int32_t p) { return p == 10 || p == 20 || p == 30 || (p >= 60 && p % 60 == 0); }

// ---- the catalog record -------------------------------------------------------------

Json StatToJson(const MetricStatSpec& ms) {
  Json dims = Json::array();
  for (const Dimension& d : ms.id.dimensions) dims.push_back({d.name, d.value});
  Json j = {{"ns", ms.id.ns}, {"name", ms.id.name}, {"dims", dims}, {"period", ms.period_s},
            {"stat", StatisticName(ms.stat)}};
  if (ms.unit) j["unit"] = std::string(UnitName(*ms.unit));
  return j;
}

MetricStatSpec StatFromJson(const Json& j) {
  std::vector<Dimension> dims;
  for (const Json& d : j.at("dims")) dims.push_back({d.at(0).get<std::string>(), d.at(1).get<std::string>()});
  MetricStatSpec ms;
  ms.id = MakeId(j.at("ns").get<std::string>(), j.at("name").get<std::string>(), std::move(dims));
  ms.period_s = j.at("period").get<int32_t>();
  ms.stat = ParseStatistic(j.at("stat").get<std::string>()).value_or(Statistic{});
  if (j.contains("unit")) ms.unit = ParseUnit(j.at("unit").get<std::string>());
  return ms;
}

Json ToJson(const Alarm& a) {
  const AlarmConfig& c = a.config;
  Json queries = Json::array();
  for (const MetricQuery& q : c.metrics) {
    Json j = {{"id", q.id}, {"expression", q.expression}, {"label", q.label}, {"return", q.return_data}};
    if (q.metric_stat) j["stat"] = StatToJson(*q.metric_stat);
    if (q.period_s) j["period"] = *q.period_s;
    queries.push_back(std::move(j));
  }
  Json j = {{"name", c.name},
            {"description", c.description},
            {"actions_enabled", c.actions_enabled},
            {"ok_actions", c.ok_actions},
            {"alarm_actions", c.alarm_actions},
            {"insufficient_data_actions", c.insufficient_data_actions},
            {"extended", c.extended_statistic},
            {"metrics", queries},
            {"evaluation_periods", c.evaluation_periods},
            {"threshold", c.threshold},
            {"comparison", ComparisonName(c.comparison)},
            {"treat_missing_data", MissingDataName(c.treat_missing_data)},
            {"tags", c.tags},
            {"arn", a.arn},
            {"state", AlarmStateName(a.state)},
            {"state_reason", a.state_reason},
            {"state_reason_data", a.state_reason_data},
            {"state_updated_ms", a.state_updated_ms},
            {"state_transitioned_ms", a.state_transitioned_ms},
            {"config_updated_ms", a.config_updated_ms},
            {"evaluated_until_ms", a.evaluated_until_ms}};
  if (c.metric) j["metric"] = StatToJson(*c.metric);
  if (c.datapoints_to_alarm) j["datapoints_to_alarm"] = *c.datapoints_to_alarm;
  return j;
}

Alarm FromJson(const Json& j) {
  Alarm a;
  AlarmConfig& c = a.config;
  c.name = j.at("name").get<std::string>();
  c.description = j.at("description").get<std::string>();
  c.actions_enabled = j.at("actions_enabled").get<bool>();
  c.ok_actions = j.at("ok_actions").get<std::vector<std::string>>();
  c.alarm_actions = j.at("alarm_actions").get<std::vector<std::string>>();
  c.insufficient_data_actions = j.at("insufficient_data_actions").get<std::vector<std::string>>();
  c.extended_statistic = j.at("extended").get<bool>();
  if (j.contains("metric")) c.metric = StatFromJson(j.at("metric"));
  for (const Json& q : j.at("metrics")) {
    MetricQuery mq;
    mq.id = q.at("id").get<std::string>();
    mq.expression = q.at("expression").get<std::string>();
    mq.label = q.at("label").get<std::string>();
    mq.return_data = q.at("return").get<bool>();
    if (q.contains("stat")) mq.metric_stat = StatFromJson(q.at("stat"));
    if (q.contains("period")) mq.period_s = q.at("period").get<int32_t>();
    c.metrics.push_back(std::move(mq));
  }
  c.evaluation_periods = j.at("evaluation_periods").get<int32_t>();
  if (j.contains("datapoints_to_alarm")) c.datapoints_to_alarm = j.at("datapoints_to_alarm").get<int32_t>();
  c.threshold = j.at("threshold").get<double>();
  c.comparison = ParseComparison(j.at("comparison").get<std::string>()).value_or(Comparison::kGreaterThanThreshold);
  c.treat_missing_data = ParseMissingData(j.at("treat_missing_data").get<std::string>()).value_or(MissingData::kMissing);
  c.tags = j.at("tags").get<std::vector<std::pair<std::string, std::string>>>();
  a.arn = j.at("arn").get<std::string>();
  a.state = ParseAlarmState(j.at("state").get<std::string>()).value_or(AlarmState::kInsufficientData);
  a.state_reason = j.at("state_reason").get<std::string>();
  a.state_reason_data = j.at("state_reason_data").get<std::string>();
  a.state_updated_ms = j.at("state_updated_ms").get<int64_t>();
  a.state_transitioned_ms = j.at("state_transitioned_ms").get<int64_t>();
  a.config_updated_ms = j.at("config_updated_ms").get<int64_t>();
  a.evaluated_until_ms = j.at("evaluated_until_ms").get<int64_t>();
  return a;
}

Json HistoryToJson(const HistoryItem& h) {
  return {{"alarm_name", h.alarm_name}, {"alarm_type", h.alarm_type}, {"timestamp_ms", h.timestamp_ms},
          {"type", h.type}, {"summary", h.summary}, {"data", h.data}};
}

HistoryItem HistoryFromJson(const Json& j) {
  return {j.at("alarm_name").get<std::string>(), j.at("alarm_type").get<std::string>(),
          j.at("timestamp_ms").get<int64_t>(), j.at("type").get<std::string>(), j.at("summary").get<std::string>(),
          j.at("data").get<std::string>()};
}

// ---- validation ---------------------------------------------------------------------

CwResult<Done> CheckActions(const std::vector<std::string>& actions, std::string_view field) {
  if (actions.size() > kMaxActionsPerState) {
    return Invalid("The collection " + std::string(field) + " must not have a size greater than 5.");
  }
  for (const std::string& a : actions) {
    if (a.rfind("arn:aws:lambda:", 0) == 0 && a.find(":function:") != std::string::npos) continue;
    if (a.rfind("arn:aws:sns:", 0) == 0) continue;
    return Invalid("Invalid or unsupported action " + a + " in " + std::string(field) +
                   ": sluice runs Lambda function actions and records SNS topic actions");
  }
  return Done{};
}

CwResult<int32_t> Validate(const AlarmConfig& c) {
  if (c.name.empty() || c.name.size() > 255) {
    return Invalid("The value for parameter AlarmName must have length between 1 and 255.");
  }
  if (c.description.size() > 1024) {
    return Invalid("The value for parameter AlarmDescription must have length less than or equal to 1024.");
  }
  if (c.metric.has_value() == !c.metrics.empty()) {
    return MakeCwError(CwErrorCode::kInvalidParameterCombination,
                       c.metric ? "MetricName, Namespace, Statistic and Period cannot be combined with Metrics."
                                : "Either MetricName or Metrics must be specified.");
  }
  if (c.evaluation_periods < 1) return Invalid("The value for parameter EvaluationPeriods must be greater than 0.");
  if (c.datapoints_to_alarm && (*c.datapoints_to_alarm < 1 || *c.datapoints_to_alarm > c.evaluation_periods)) {
    return Invalid("DatapointsToAlarm must be between 1 and the value of EvaluationPeriods.");
  }
  int32_t period = 0;
  if (c.metric) {
    period = c.metric->period_s;
  } else {
    auto valid = ValidateQueries(c.metrics);
    if (!valid.ok()) return valid.error();
    size_t returned = 0;
    for (const MetricQuery& q : c.metrics) {
      if (q.return_data) ++returned;
      const int32_t p = q.metric_stat ? q.metric_stat->period_s : q.period_s.value_or(0);
      if (p > 0) period = period == 0 ? p : std::min(period, p);
    }
    if (returned != 1) {
      return Invalid("Exactly one element of the metrics list should return data (ReturnData is true).");
    }
  }
  if (!AlarmPeriodAllowed(period)) {
    return Invalid("The value " + std::to_string(period) +
                   " for parameter Period is not a valid period. Valid periods are 10, 20, 30, or any "
                   "multiple of 60.");
  }
  const int64_t range = int64_t{period} * c.evaluation_periods;
  const int64_t limit = period >= 3600 ? kMaxEvaluationSeconds : 86400;
  if (range > limit) {
    return Invalid("The evaluation period (Period * EvaluationPeriods) must not exceed " + std::to_string(limit) +
                   " seconds for a period of " + std::to_string(period) + " seconds.");
  }
  for (auto [list, field] : {std::pair{&c.ok_actions, "OKActions"}, std::pair{&c.alarm_actions, "AlarmActions"},
                             std::pair{&c.insufficient_data_actions, "InsufficientDataActions"}}) {
    auto ok = CheckActions(*list, field);
    if (!ok.ok()) return ok.error();
  }
  return period;
}

int32_t AlarmPeriod(const AlarmConfig& c) {
  if (c.metric) return c.metric->period_s;
  int32_t period = 0;
  for (const MetricQuery& q : c.metrics) {
    const int32_t p = q.metric_stat ? q.metric_stat->period_s : q.period_s.value_or(0);
    if (p > 0) period = period == 0 ? p : std::min(period, p);
  }
  return period > 0 ? period : 60;
}

struct PendingAction {
  std::string arn;
  std::string payload;
  std::string alarm_name;
};

class AlarmManagerImpl final : public AlarmManager {
 public:
  explicit AlarmManagerImpl(AlarmManagerOptions o) : o_(std::move(o)) {}
  ~AlarmManagerImpl() override { Shutdown(); }

  Status Load() {
    ASSIGN_OR_RETURN(auto rows, catalog::LoadAlarms(*o_.catalog));
    ASSIGN_OR_RETURN(auto history, catalog::LoadAlarmHistory(*o_.catalog));
    MutexLock lock(mu_);
    try {
      for (const auto& row : rows) alarms_[row.name] = FromJson(Json::parse(row.record));
      for (const auto& row : history) history_.push_back(HistoryFromJson(Json::parse(row.item)));
    } catch (const std::exception& e) {
      return Status::Corruption(std::string("alarm record in the catalog: ") + e.what());
    }
    return Status::OK();
  }

  void Start() {
    if (!o_.background) return;
    thread_ = std::thread([this] {
      NameThisThread("alarms");
      while (true) {
        {
          MutexLock lock(stop_mu_);
          if (!stopping_) stop_cv_.WaitFor(stop_mu_, std::chrono::seconds(1));
          if (stopping_) break;
        }
        if (o_.before_evaluation) o_.before_evaluation();
        Evaluate();
      }
    });
  }

  CwResult<Done> Put(AlarmConfig config) override {
    auto period = Validate(config);
    if (!period.ok()) return period.error();
    std::vector<PendingAction> actions;
    {
      MutexLock lock(mu_);
      const int64_t now = o_.clock->NowMillis();
      auto it = alarms_.find(config.name);
      const bool created = it == alarms_.end();
      Alarm a = created ? Alarm{} : it->second;
      if (created) {
        a.arn = AlarmArn(o_.region, o_.account_id, config.name);
        a.state_updated_ms = a.state_transitioned_ms = now;
      }
      // PutMetricAlarm's Tags only apply when the alarm is created.
      if (!created) config.tags = a.config.tags;
      a.config = std::move(config);
      a.config_updated_ms = now;
      a.evaluated_until_ms = 0;  // evaluate at once with the new configuration
      if (Status st = Persist(a); !st.ok()) return MakeCwError(CwErrorCode::kInternal, st.message());
      Json data = {{"version", "1.0"}, {"type", created ? "Create" : "Update"},
                   {"createdAlarm", {{"alarmName", a.config.name}, {"alarmArn", a.arn}}}};
      Record({a.config.name, "MetricAlarm", now, "ConfigurationUpdate",
              "Alarm \"" + a.config.name + "\" " + (created ? "created" : "updated"), data.dump()});
      const std::string name = a.config.name;
      Alarm& stored = alarms_[name] = std::move(a);
      EvaluateLocked(stored, now, actions);
    }
    Dispatch(actions);
    return Done{};
  }

  std::vector<Alarm> Describe(const DescribeFilter& f) const override {
    MutexLock lock(mu_);
    std::vector<Alarm> out;
    for (const auto& [name, a] : alarms_) {
      if (!f.names.empty() && std::find(f.names.begin(), f.names.end(), name) == f.names.end()) continue;
      if (!f.name_prefix.empty() && name.rfind(f.name_prefix, 0) != 0) continue;
      if (f.state && a.state != *f.state) continue;
      if (!f.action_prefix.empty()) {
        bool any = false;
        for (const auto* list : {&a.config.ok_actions, &a.config.alarm_actions, &a.config.insufficient_data_actions}) {
          for (const std::string& x : *list) any = any || x.rfind(f.action_prefix, 0) == 0;
        }
        if (!any) continue;
      }
      out.push_back(a);
    }
    return out;
  }

  std::vector<Alarm> ForMetric(const MetricId& id, std::optional<int32_t> period_s, std::optional<Statistic> stat,
                               std::optional<Unit> unit) const override {
    MutexLock lock(mu_);
    std::vector<Alarm> out;
    for (const auto& [name, a] : alarms_) {
      if (!a.config.metric) continue;
      const MetricStatSpec& ms = *a.config.metric;
      if (ms.id != id) continue;
      if (period_s && ms.period_s != *period_s) continue;
      if (stat && StatisticName(ms.stat) != StatisticName(*stat)) continue;
      if (unit && ms.unit != unit) continue;
      out.push_back(a);
    }
    return out;
  }

  std::vector<HistoryItem> History(const std::string& name, const std::string& type, int64_t start_ms,
                                   int64_t end_ms) const override {
    MutexLock lock(mu_);
    std::vector<HistoryItem> out;
    for (auto it = history_.rbegin(); it != history_.rend(); ++it) {
      if (!name.empty() && it->alarm_name != name) continue;
      if (!type.empty() && it->type != type) continue;
      if (it->timestamp_ms < start_ms || it->timestamp_ms >= end_ms) continue;
      out.push_back(*it);
    }
    return out;
  }

  CwResult<Done> Delete(const std::vector<std::string>& names) override {
    MutexLock lock(mu_);
    for (const std::string& n : names) {
      if (!alarms_.contains(n)) {
        return MakeCwError(CwErrorCode::kResourceNotFound, "The following alarms were not found: [" + n + "]");
      }
    }
    if (Status st = catalog::DeleteAlarms(*o_.catalog, names); !st.ok()) {
      return MakeCwError(CwErrorCode::kInternal, st.message());
    }
    for (const std::string& n : names) {
      alarms_.erase(n);
      std::erase_if(history_, [&](const HistoryItem& h) { return h.alarm_name == n; });
    }
    return Done{};
  }

  CwResult<Done> SetState(const std::string& name, AlarmState state, const std::string& reason,
                          const std::string& reason_data) override {
    if (!reason_data.empty() && !Json::accept(reason_data)) {
      return MakeCwError(CwErrorCode::kInvalidFormat, "StateReasonData must be valid JSON");
    }
    std::vector<PendingAction> actions;
    {
      MutexLock lock(mu_);
      auto it = alarms_.find(name);
      if (it == alarms_.end()) {
        return MakeCwError(CwErrorCode::kResourceNotFound, "Alarm " + name + " does not exist");
      }
      Transition(it->second, state, reason, reason_data, o_.clock->NowMillis(), actions);
    }
    Dispatch(actions);
    return Done{};
  }

  CwResult<Done> SetActionsEnabled(const std::vector<std::string>& names, bool enabled) override {
    MutexLock lock(mu_);
    const int64_t now = o_.clock->NowMillis();
    for (const std::string& n : names) {
      auto it = alarms_.find(n);
      if (it == alarms_.end() || it->second.config.actions_enabled == enabled) continue;
      it->second.config.actions_enabled = enabled;
      it->second.config_updated_ms = now;
      if (Status st = Persist(it->second); !st.ok()) return MakeCwError(CwErrorCode::kInternal, st.message());
      Record({n, "MetricAlarm", now, "ConfigurationUpdate",
              "Alarm \"" + n + "\" updated", Json{{"version", "1.0"}, {"type", "Update"},
                                                 {"actionsEnabled", enabled}}.dump()});
    }
    return Done{};
  }

  void Evaluate() override {
    std::vector<PendingAction> actions;
    {
      MutexLock lock(mu_);
      const int64_t now = o_.clock->NowMillis();
      for (auto& [name, a] : alarms_) EvaluateLocked(a, now, actions);
    }
    Dispatch(actions);
  }

  void Shutdown() override {
    {
      MutexLock lock(stop_mu_);
      stopping_ = true;
      stop_cv_.SignalAll();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  Status Persist(const Alarm& a) REQUIRES(mu_) {
    return catalog::PutAlarm(*o_.catalog, {a.config.name, ToJson(a).dump()});
  }

  void Record(HistoryItem item) REQUIRES(mu_) {
    Status st = catalog::AppendAlarmHistory(*o_.catalog, {{item.alarm_name, item.timestamp_ms, HistoryToJson(item).dump()}},
                                            static_cast<int64_t>(kMaxHistoryPerAlarm));
    if (!st.ok()) spdlog::error("msg=\"alarm history write failed\" alarm=\"{}\" error=\"{}\"", item.alarm_name, st.ToString());
    history_.push_back(std::move(item));
    size_t count = 0;
    for (const HistoryItem& h : history_) count += h.alarm_name == history_.back().alarm_name;
    if (count > kMaxHistoryPerAlarm) {
      const std::string name = history_.back().alarm_name;
      auto first = std::find_if(history_.begin(), history_.end(), [&](const HistoryItem& h) { return h.alarm_name == name; });
      history_.erase(first);
    }
  }

  void EvaluateLocked(Alarm& a, int64_t now, std::vector<PendingAction>& actions) REQUIRES(mu_) {
    const int32_t period = AlarmPeriod(a.config);
    const int64_t step = int64_t{period} * 1000;
    const int64_t end = (now / step) * step;  // the end of the last period that has ended
    if (end <= a.evaluated_until_ms) return;
    const int64_t start = end - step * (a.config.evaluation_periods + kExtraRangePeriods);
    std::vector<RangePoint> points;
    for (int64_t t = start; t < end; t += step) points.push_back({t, std::nullopt});
    std::string statistic;
    if (a.config.metric) {
      const MetricStatSpec& ms = *a.config.metric;
      statistic = StatisticName(ms.stat);
      auto r = o_.reader->Statistics({ms.id, start, end, ms.period_s, ms.unit, {ms.stat}});
      if (!r.ok()) {
        spdlog::error("msg=\"alarm evaluation failed\" alarm=\"{}\" error=\"{}\"", a.config.name, r.status().ToString());
        return;
      }
      for (const StatisticsPoint& p : *r) {
        const size_t i = static_cast<size_t>((p.timestamp_ms - start) / step);
        if (p.timestamp_ms >= start && i < points.size() && !p.values.empty() && !std::isnan(p.values[0])) {
          points[i].value = p.values[0];
        }
      }
    } else {
      auto r = RunQueries(*o_.reader, a.config.metrics, start, end);
      if (!r.ok()) {
        spdlog::error("msg=\"alarm evaluation failed\" alarm=\"{}\" error=\"{}\"", a.config.name, r.error().message);
        return;
      }
      size_t returned = 0;
      for (const SeriesResult& s : *r) {
        const auto q = std::find_if(a.config.metrics.begin(), a.config.metrics.end(),
                                    [&](const MetricQuery& m) { return m.id == s.id; });
        if (q == a.config.metrics.end() || !q->return_data) continue;
        if (++returned > 1) {
          spdlog::error("msg=\"alarm evaluation failed\" alarm=\"{}\" error=\"the alarm's expression gives "
                        "more than one time series\"", a.config.name);
          return;
        }
        for (size_t k = 0; k < s.timestamps_ms.size(); ++k) {
          const int64_t t = s.timestamps_ms[k];
          const size_t i = static_cast<size_t>((t - start) / step);
          if (t >= start && i < points.size()) points[i].value = s.values[k];
        }
      }
    }
    a.evaluated_until_ms = end;
    Evaluation e = EvaluateRange(a.config, a.state, points, now, period, statistic);
    if (e.retain || e.state == a.state) {
      if (Status st = Persist(a); !st.ok()) spdlog::error("msg=\"alarm write failed\" error=\"{}\"", st.ToString());
      return;
    }
    Transition(a, e.state, e.reason, e.reason_data, now, actions);
  }

  void Transition(Alarm& a, AlarmState state, const std::string& reason, const std::string& reason_data,
                  int64_t now, std::vector<PendingAction>& actions) REQUIRES(mu_) {
    const AlarmState previous = a.state;
    const std::string previous_reason = a.state_reason, previous_data = a.state_reason_data;
    const int64_t previous_ms = a.state_updated_ms;
    a.state = state;
    a.state_reason = reason;
    a.state_reason_data = reason_data;
    a.state_updated_ms = now;
    if (previous != state) a.state_transitioned_ms = now;
    if (Status st = Persist(a); !st.ok()) spdlog::error("msg=\"alarm write failed\" error=\"{}\"", st.ToString());
    Json old_state = {{"stateValue", AlarmStateName(previous)}, {"stateReason", previous_reason}};
    Json new_state = {{"stateValue", AlarmStateName(state)}, {"stateReason", reason}};
    if (!reason_data.empty()) new_state["stateReasonData"] = Json::parse(reason_data, nullptr, false);
    Json data = {{"version", "1.0"}, {"oldState", old_state}, {"newState", new_state}};
    Record({a.config.name, "MetricAlarm", now, "StateUpdate",
            "Alarm updated from " + std::string(AlarmStateName(previous)) + " to " + std::string(AlarmStateName(state)),
            data.dump()});
    if (previous == state || !a.config.actions_enabled) return;
    const std::vector<std::string>& list = state == AlarmState::kAlarm ? a.config.alarm_actions
                                           : state == AlarmState::kOk  ? a.config.ok_actions
                                                                       : a.config.insufficient_data_actions;
    for (const std::string& arn : list) {
      if (arn.rfind("arn:aws:sns:", 0) == 0) {
        spdlog::info("msg=\"alarm action recorded\" alarm=\"{}\" action=\"{}\" state={}", a.config.name, arn,
                     AlarmStateName(state));
        Record({a.config.name, "MetricAlarm", now, "Action",
                "Recorded action " + arn + " (sluice serves no SNS: no message was published)",
                Json{{"actionState", "Recorded"}, {"notificationResource", arn},
                     {"stateUpdateTimestamp", now}}.dump()});
        continue;
      }
      actions.push_back({arn, LambdaAlarmEvent(a, previous, previous_reason, previous_data, previous_ms, o_.region,
                                               o_.account_id),
                         a.config.name});
    }
  }

  // Runs Lambda actions outside the lock and records their outcome.
  void Dispatch(const std::vector<PendingAction>& actions) {
    for (const PendingAction& p : actions) {
      Status st = o_.actions != nullptr ? o_.actions->InvokeAsync(p.arn, p.payload)
                                        : Status::Unavailable("no function runner is configured");
      const int64_t now = o_.clock->NowMillis();
      MutexLock lock(mu_);
      if (st.ok()) {
        Record({p.alarm_name, "MetricAlarm", now, "Action", "Successfully executed action " + p.arn,
                Json{{"actionState", "Succeeded"}, {"notificationResource", p.arn}, {"stateUpdateTimestamp", now}}.dump()});
      } else {
        spdlog::warn("msg=\"alarm action failed\" alarm=\"{}\" action=\"{}\" error=\"{}\"", p.alarm_name, p.arn,
                     st.ToString());
        Record({p.alarm_name, "MetricAlarm", now, "Action", "Failed to execute action " + p.arn,
                Json{{"actionState", "Failed"}, {"notificationResource", p.arn}, {"stateUpdateTimestamp", now},
                     {"error", st.message()}}.dump()});
      }
    }
  }

  const AlarmManagerOptions o_;
  mutable Mutex mu_;
  std::map<std::string, Alarm> alarms_ GUARDED_BY(mu_);
  std::vector<HistoryItem> history_ GUARDED_BY(mu_);  // oldest first
  Mutex stop_mu_;
  CondVar stop_cv_;
  bool stopping_ GUARDED_BY(stop_mu_) = false;
  std::thread thread_;
};

}  // namespace

std::string_view AlarmStateName(AlarmState s) { return kStates[static_cast<size_t>(s)]; }
std::optional<AlarmState> ParseAlarmState(std::string_view s) { return ParseName<AlarmState>(kStates, s); }
std::string_view ComparisonName(Comparison c) { return kComparisons[static_cast<size_t>(c)]; }
std::optional<Comparison> ParseComparison(std::string_view s) { return ParseName<Comparison>(kComparisons, s); }
std::string_view MissingDataName(MissingData m) { return kMissing[static_cast<size_t>(m)]; }
std::optional<MissingData> ParseMissingData(std::string_view s) { return ParseName<MissingData>(kMissing, s); }

Result<std::unique_ptr<AlarmManager>> AlarmManager::Open(AlarmManagerOptions options) {
  if (options.catalog == nullptr || options.reader == nullptr) {
    return Status::InvalidArgument("AlarmManager needs a catalog and a metric reader");
  }
  auto m = std::make_unique<AlarmManagerImpl>(std::move(options));
  RETURN_IF_ERROR(m->Load());
  m->Start();
  return std::unique_ptr<AlarmManager>(std::move(m));
}

}  // namespace sluice::metrics
