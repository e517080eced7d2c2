// AWS::CloudWatch::Alarm through the metrics module's AlarmManager. Ref: the alarm name.
// GetAtt: Arn. AlarmName replaces; every other property updates in place (the alarm is
// put again, as CloudFormation calls PutMetricAlarm).
#include <cmath>
#include <limits>

#include "metrics/alarms.h"
#include "providers/common.h"
#include "providers/providers_internal.h"

namespace sluice::stacks::providers {
namespace {

StackError Invalid(const std::string& logical_id, const std::string& message) {
  return ValidationError("Properties validation failed for resource " + logical_id + " with message: " + message);
}

std::vector<metrics::Dimension> DimensionsOf(const Json& p) {
  std::vector<metrics::Dimension> out;
  if (!p.contains("Dimensions") || !p["Dimensions"].is_array()) return out;
  for (const Json& d : p["Dimensions"]) out.push_back({Text(d, "Name"), Text(d, "Value")});
  return out;
}

std::vector<std::string> Strings(const Json& p, const char* name) {
  std::vector<std::string> out;
  if (!p.contains(name) || !p[name].is_array()) return out;
  for (const Json& s : p[name]) out.push_back(s.is_string() ? s.get<std::string>() : s.dump());
  return out;
}

std::optional<double> NumberOf(const Json& p, const char* name) {
  if (!p.contains(name)) return std::nullopt;
  const Json& v = p[name];
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      const double d = std::stod(v.get<std::string>(), &used);
      if (used == v.get<std::string>().size()) return d;
    } catch (const std::exception&) {
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

StackResult<metrics::AlarmConfig> ConfigOf(const ResourceRequest& request, const std::string& name) {
  const Json& p = request.properties;
  const std::string& id = request.logical_id;
  metrics::AlarmConfig c;
  c.name = name;
  c.description = Text(p, "AlarmDescription");
  c.actions_enabled = Text(p, "ActionsEnabled") != "false";
  c.alarm_actions = Strings(p, "AlarmActions");
  c.ok_actions = Strings(p, "OKActions");
  c.insufficient_data_actions = Strings(p, "InsufficientDataActions");
  auto cmp = metrics::ParseComparison(Text(p, "ComparisonOperator"));
  if (!cmp) return Invalid(id, "#/ComparisonOperator: " + Text(p, "ComparisonOperator") + " is not a valid enum value");
  c.comparison = *cmp;
  const auto periods = IntOf(p, "EvaluationPeriods");
  if (!periods) return Invalid(id, "#: required key [EvaluationPeriods] not found");
  c.evaluation_periods = static_cast<int32_t>(*periods);
  if (auto n = IntOf(p, "DatapointsToAlarm")) c.datapoints_to_alarm = static_cast<int32_t>(*n);
  if (p.contains("ThresholdMetricId")) return Invalid(id, "#/ThresholdMetricId: anomaly detection is not supported by sluice");
  const auto threshold = NumberOf(p, "Threshold");
  if (!threshold || std::isnan(*threshold)) return Invalid(id, "#: required key [Threshold] not found or not a number");
  c.threshold = *threshold;
  if (p.contains("TreatMissingData")) {
    auto m = metrics::ParseMissingData(Text(p, "TreatMissingData"));
    if (!m) return Invalid(id, "#/TreatMissingData: " + Text(p, "TreatMissingData") + " is not a valid value");
    c.treat_missing_data = *m;
  }
  if (p.contains("Metrics")) {
    for (const Json& q : p["Metrics"]) {
      metrics::MetricQuery mq;
      mq.id = Text(q, "Id");
      mq.expression = Text(q, "Expression");
      mq.label = Text(q, "Label");
      mq.return_data = Text(q, "ReturnData") != "false";
      if (auto period = IntOf(q, "Period")) mq.period_s = static_cast<int32_t>(*period);
      if (q.contains("MetricStat")) {
        const Json& ms = q["MetricStat"];
        const Json& m = ms.contains("Metric") ? ms["Metric"] : Json::object();
        auto stat = metrics::ParseStatistic(Text(ms, "Stat"));
        if (!stat) return Invalid(id, "#/Metrics: invalid Stat " + Text(ms, "Stat"));
        metrics::MetricStatSpec spec{metrics::MakeId(Text(m, "Namespace"), Text(m, "MetricName"), DimensionsOf(m)),
                                     static_cast<int32_t>(IntOf(ms, "Period").value_or(0)), *stat, std::nullopt};
        if (ms.contains("Unit")) spec.unit = metrics::ParseUnit(Text(ms, "Unit"));
        mq.metric_stat = std::move(spec);
      }
      c.metrics.push_back(std::move(mq));
    }
    return c;
  }
  metrics::MetricStatSpec spec;
  spec.id = metrics::MakeId(Text(p, "Namespace"), Text(p, "MetricName"), DimensionsOf(p));
  spec.period_s = static_cast<int32_t>(IntOf(p, "Period").value_or(0));
  const bool extended = p.contains("ExtendedStatistic");
  if (extended == p.contains("Statistic")) {
    return Invalid(id, "exactly one of Statistic and ExtendedStatistic must be specified");
  }
  auto stat = metrics::ParseStatistic(Text(p, extended ? "ExtendedStatistic" : "Statistic"));
  if (!stat || (stat->kind == metrics::Statistic::kPercentile) != extended) {
    return Invalid(id, "#/" + std::string(extended ? "ExtendedStatistic" : "Statistic") + ": invalid value");
  }
  spec.stat = *stat;
  c.extended_statistic = extended;
  if (p.contains("Unit")) {
    spec.unit = metrics::ParseUnit(Text(p, "Unit"));
    if (!spec.unit) return Invalid(id, "#/Unit: " + Text(p, "Unit") + " is not a valid enum value");
  }
  c.metric = std::move(spec);
  return c;
}

class CloudWatchAlarmProvider final : public ResourceProvider {
 public:
  explicit CloudWatchAlarmProvider(metrics::AlarmManager& alarms) : alarms_(alarms) {}

  std::string_view Type() const override { return "AWS::CloudWatch::Alarm"; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& request) override {
    const std::string name = NameOf(request, "AlarmName");
    if (!alarms_.Describe({.names = {name}}).empty()) {
      return HandlerError("CloudWatch", "Alarm " + name + " already exists");
    }
    return Put(request, name);
  }

  UpdateKind Classify(const Json& before, const Json& after) const override {
    return ClassifyBy(before, after, {"AlarmName"});
  }

  StackResult<ProvisionedResource> Update(const ResourceRequest& request, const ProvisionedResource& current,
                                          const Json&) override {
    return Put(request, current.physical_id);
  }

  StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) override {
    const std::string name = current.physical_id.empty() ? NameOf(request, "AlarmName") : current.physical_id;
    auto r = alarms_.Delete({name});
    if (!r.ok() && r.error().code != metrics::CwErrorCode::kResourceNotFound) {
      return HandlerError("CloudWatch", r.error().message);
    }
    return Done{};
  }

 private:
  StackResult<ProvisionedResource> Put(const ResourceRequest& request, const std::string& name) {
    auto config = ConfigOf(request, name);
    if (!config.ok()) return config.error();
    auto r = alarms_.Put(std::move(config).value());
    if (!r.ok()) return HandlerError("CloudWatch", r.error().message);
    auto described = alarms_.Describe({.names = {name}});
    const std::string arn = described.empty() ? "" : described[0].arn;
    return ProvisionedResource{name, Json{{"Arn", arn}}};
  }

  metrics::AlarmManager& alarms_;
};

}  // namespace

std::unique_ptr<ResourceProvider> NewCloudWatchAlarmProvider(metrics::AlarmManager& alarms) {
  return std::make_unique<CloudWatchAlarmProvider>(alarms);
}

}  // namespace sluice::stacks::providers
