// CloudWatch's actions: metrics (PutMetricData, GetMetricStatistics, GetMetricData,
// ListMetrics) and alarms (PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric,
// DescribeAlarmHistory, DeleteAlarms, SetAlarmState, Enable/DisableAlarmActions).
#include "internal/actions.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "base/base64.h"

namespace sluice::frontends::cloudwatch {
namespace {

using metrics::CwError;
using metrics::CwErrorCode;
using metrics::CwResult;
using metrics::MakeCwError;

CwError Missing(std::string_view field) {
  return MakeCwError(CwErrorCode::kMissingParameter, "The parameter " + std::string(field) + " is required.");
}
CwError Invalid(std::string m) { return MakeCwError(CwErrorCode::kInvalidParameterValue, std::move(m)); }
CwError Combination(std::string m) { return MakeCwError(CwErrorCode::kInvalidParameterCombination, std::move(m)); }

std::string Member(std::string_view list, size_t i) { return std::string(list) + ".member." + std::to_string(i + 1); }

ActionOutput NoResult() { return {Out{}, false}; }

// Opaque paging tokens: the offset into the answer's ordered list.
std::string Token(size_t offset) { return Base64Encode("sluice:" + std::to_string(offset)); }
CwResult<size_t> FromToken(const In& n) {
  if (!n.present()) return size_t{0};
  auto raw = Base64Decode(Text(n));
  size_t v = 0;
  if (!raw || raw->rfind("sluice:", 0) != 0 ||
      std::from_chars(raw->data() + 7, raw->data() + raw->size(), v).ec != std::errc()) {
    return MakeCwError(CwErrorCode::kInvalidNextToken, "The service cannot find the next token.");
  }
  return v;
}

// ---- metrics and dimensions -----------------------------------------------------------

CwResult<std::vector<metrics::Dimension>> Dimensions(const In& list, std::string_view field, bool value_required) {
  std::vector<metrics::Dimension> out;
  if (list.items.size() > metrics::kMaxDimensions) {
    return Invalid("The collection " + std::string(field) + " must not have a size greater than 30.");
  }
  for (size_t i = 0; i < list.items.size(); ++i) {
    const In& d = list.items[i];
    const std::string name = Text(d["Name"]), value = Text(d["Value"]);
    if (!d["Name"].present()) return Missing(Member(field, i) + ".Name");
    if (value_required && !d["Value"].present()) return Missing(Member(field, i) + ".Value");
    if (name.empty() || name.size() > 255) {
      return Invalid("The value for parameter " + Member(field, i) + ".Name must have length between 1 and 255.");
    }
    if (value_required && (value.empty() || value.size() > 1024)) {
      return Invalid("The value for parameter " + Member(field, i) + ".Value must have length between 1 and 1024.");
    }
    for (const metrics::Dimension& seen : out) {
      if (seen.name == name) return Invalid("No Metric Dimension Name may be duplicated: " + name);
    }
    out.push_back({name, value});
  }
  return out;
}

CwResult<Done> CheckNamespace(const std::string& ns, std::string_view field, bool put) {
  if (ns.empty() || ns.size() > 255) {
    return Invalid("The value for parameter " + std::string(field) + " must have length between 1 and 255.");
  }
  if (put && ns.rfind("AWS/", 0) == 0) {
    return Invalid("The value " + ns + " for parameter " + std::string(field) + " is invalid.");
  }
  return Done{};
}

CwResult<metrics::Unit> UnitOf(const In& n, std::string_view field) {
  const std::string text = Text(n);
  auto u = metrics::ParseUnit(text);
  if (!u) return Invalid("The value " + text + " for parameter " + std::string(field) + " is not a valid unit.");
  return *u;
}

bool PeriodAllowed(int64_t p) { return p == 1 || p == 5 || p == 10 || p == 30 || (p >= 60 && p % 60 == 0); }

CwResult<int32_t> Period(const In& n, std::string_view field) {
  Problems p;
  auto v = Integer(n, field, p);
  if (p.first) return *p.first;
  if (!v) return Missing(field);
  if (!PeriodAllowed(*v) || *v > 86400 * 455) {
    return Invalid("The parameter " + std::string(field) +
                   " must be 1, 5, 10, 30, or a multiple of 60 seconds.");
  }
  return static_cast<int32_t>(*v);
}

Out MetricOut(const metrics::MetricId& id) {
  Out dims = Out::List();
  for (const metrics::Dimension& d : id.dimensions) {
    Out o;
    o.Set("Name", Out::Text(d.name)).Set("Value", Out::Text(d.value));
    dims.items.push_back(std::move(o));
  }
  Out m;
  m.Set("Namespace", Out::Text(id.ns)).Set("MetricName", Out::Text(id.name)).Set("Dimensions", std::move(dims));
  return m;
}

// ---- PutMetricData --------------------------------------------------------------------

CwResult<double> FiniteValue(const In& n, const std::string& field) {
  Problems p;
  auto v = Number(n, field, p);
  if (p.first) return *p.first;
  // CloudWatch refuses NaN, infinities and magnitudes beyond 2^360 (or below 2^-260).
  if (!v || !std::isfinite(*v) || std::abs(*v) > std::pow(2.0, 360) ||
      (*v != 0 && std::abs(*v) < std::pow(2.0, -260))) {
    return Invalid("The value " + Text(n) + " for parameter " + field + " is invalid.");
  }
  return *v;
}

CwResult<ActionOutput> PutMetricData(const Deps& d, const In& req) {
  if (!req["Namespace"].present()) return Missing("Namespace");
  const std::string ns = Text(req["Namespace"]);
  if (auto ok = CheckNamespace(ns, "Namespace", true); !ok.ok()) return ok.error();
  const In& data = req["MetricData"];
  if (data.items.empty()) return Missing("MetricData");
  if (data.items.size() > kMaxDatums) {
    return Invalid("The collection MetricData must not have a size greater than 1000.");
  }
  const int64_t now = d.clock.NowMillis();
  std::vector<metrics::Datum> datums;
  for (size_t i = 0; i < data.items.size(); ++i) {
    const In& m = data.items[i];
    const std::string f = Member("MetricData", i);
    if (!m["MetricName"].present()) return Missing(f + ".MetricName");
    const std::string name = Text(m["MetricName"]);
    if (name.empty() || name.size() > 255) {
      return Invalid("The value for parameter " + f + ".MetricName must have length between 1 and 255.");
    }
    auto dims = Dimensions(m["Dimensions"], f + ".Dimensions", true);
    if (!dims.ok()) return dims.error();
    metrics::Datum datum;
    datum.id = metrics::MakeId(ns, name, std::move(dims).value());
    if (m["Unit"].present()) {
      auto u = UnitOf(m["Unit"], f + ".Unit");
      if (!u.ok()) return u.error();
      datum.unit = *u;
    }
    datum.timestamp_ms = now;
    if (m["Timestamp"].present()) {
      Problems p;
      auto t = Time(m["Timestamp"], f + ".Timestamp", p);
      if (p.first) return *p.first;
      if (*t < now - kPastLimitMs || *t > now + kFutureLimitMs) {
        return Invalid("The parameter " + f + ".Timestamp must specify a time no more than two weeks in the past "
                       "and no more than two hours in the future.");
      }
      datum.timestamp_ms = *t;
    }
    if (m["StorageResolution"].present()) {
      Problems p;
      auto r = Integer(m["StorageResolution"], f + ".StorageResolution", p);
      if (p.first) return *p.first;
      if (*r != 1 && *r != 60) {
        return Invalid("The value " + std::to_string(*r) + " for parameter " + f +
                       ".StorageResolution is invalid. Valid values are 1 and 60.");
      }
      datum.storage_resolution = static_cast<int32_t>(*r);
    }
    const bool has_value = m["Value"].present(), has_stats = m["StatisticValues"].present(),
               has_values = m["Values"].present();
    if (has_value + has_stats + has_values > 1) {
      const std::string a = has_value ? f + ".Value" : f + ".Values";
      const std::string b = has_stats ? f + ".StatisticValues" : f + ".Values";
      return Combination("The parameters " + a + " and " + b +
                         " are mutually exclusive and you have specified both.");
    }
    if (!has_value && !has_stats && !has_values) {
      return Missing(f + ".Value");
    }
    if (has_value) {
      auto v = FiniteValue(m["Value"], f + ".Value");
      if (!v.ok()) return v.error();
      datum.value = *v;
    }
    if (has_values) {
      const In& values = m["Values"];
      const In& counts = m["Counts"];
      if (values.items.size() > kMaxValuesPerDatum) {
        return Invalid("The collection " + f + ".Values must not have a size greater than 150.");
      }
      if (counts.present() && counts.items.size() != values.items.size()) {
        return Invalid("The parameters " + f + ".Values and " + f + ".Counts must be of the same size.");
      }
      for (size_t k = 0; k < values.items.size(); ++k) {
        auto v = FiniteValue(values.items[k], Member(f + ".Values", k));
        if (!v.ok()) return v.error();
        datum.values.push_back(*v);
        if (counts.present()) {
          auto c = FiniteValue(counts.items[k], Member(f + ".Counts", k));
          if (!c.ok()) return c.error();
          if (*c < 0) return Invalid("The value for parameter " + Member(f + ".Counts", k) + " must not be negative.");
          datum.counts.push_back(*c);
        }
      }
    }
    if (has_stats) {
      const In& s = m["StatisticValues"];
      metrics::StatisticSet set;
      for (auto [key, slot] : {std::pair{"SampleCount", &set.sample_count}, std::pair{"Sum", &set.sum},
                               std::pair{"Minimum", &set.minimum}, std::pair{"Maximum", &set.maximum}}) {
        const std::string field = f + ".StatisticValues." + key;
        if (!s[key].present()) return Missing(field);
        auto v = FiniteValue(s[key], field);
        if (!v.ok()) return v.error();
        *slot = *v;
      }
      if (set.sample_count <= 0) {
        return Invalid("The value for parameter " + f + ".StatisticValues.SampleCount must be greater than 0.");
      }
      if (set.minimum > set.maximum) {
        return Invalid("The parameter " + f + ".StatisticValues.Minimum must be less than or equal to " + f +
                       ".StatisticValues.Maximum.");
      }
      datum.statistic_values = set;
    }
    datums.push_back(std::move(datum));
  }
  Status st = d.registry.Put(datums);
  if (!st.ok()) return MakeCwError(CwErrorCode::kInternal, st.message());
  return NoResult();
}

// ---- GetMetricStatistics --------------------------------------------------------------

CwResult<metrics::MetricId> MetricIdOf(const In& req, bool required) {
  if (required && !req["Namespace"].present()) return Missing("Namespace");
  if (required && !req["MetricName"].present()) return Missing("MetricName");
  auto dims = Dimensions(req["Dimensions"], "Dimensions", true);
  if (!dims.ok()) return dims.error();
  return metrics::MakeId(Text(req["Namespace"]), Text(req["MetricName"]), std::move(dims).value());
}

struct Range {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

CwResult<Range> TimeRange(const In& req, std::string_view start_name, std::string_view end_name) {
  if (!req[start_name].present()) return Missing(start_name);
  if (!req[end_name].present()) return Missing(end_name);
  Problems p;
  auto s = Time(req[start_name], start_name, p);
  auto e = Time(req[end_name], end_name, p);
  if (p.first) return *p.first;
  if (*s >= *e) {
    return Invalid("The parameter " + std::string(start_name) + " must be less than the parameter " +
                   std::string(end_name) + ".");
  }
  return Range{*s, *e};
}

CwResult<ActionOutput> GetMetricStatistics(const Deps& d, const In& req) {
  auto id = MetricIdOf(req, true);
  if (!id.ok()) return id.error();
  auto range = TimeRange(req, "StartTime", "EndTime");
  if (!range.ok()) return range.error();
  auto period = Period(req["Period"], "Period");
  if (!period.ok()) return period.error();
  const In& stats = req["Statistics"];
  const In& ext = req["ExtendedStatistics"];
  if (stats.items.empty() && ext.items.empty()) {
    return Combination("Must specify either Statistics or ExtendedStatistics.");
  }
  if (stats.items.size() > kMaxStatistics) {
    return Invalid("The collection Statistics must not have a size greater than 5.");
  }
  if (ext.items.size() > kMaxExtendedStatistics) {
    return Invalid("The collection ExtendedStatistics must not have a size greater than 10.");
  }
  metrics::StatisticsQuery q{*id, range->start_ms, range->end_ms, *period, std::nullopt, {}};
  std::vector<std::string> names;
  for (size_t i = 0; i < stats.items.size(); ++i) {
    auto s = metrics::ParseStatistic(Text(stats.items[i]));
    if (!s || s->kind == metrics::Statistic::kPercentile) {
      return Invalid("The value " + Text(stats.items[i]) + " for parameter " + Member("Statistics", i) +
                     " is not a valid statistic (SampleCount, Average, Sum, Minimum, Maximum).");
    }
    q.statistics.push_back(*s);
    names.push_back(Text(stats.items[i]));
  }
  for (size_t i = 0; i < ext.items.size(); ++i) {
    auto s = metrics::ParseStatistic(Text(ext.items[i]));
    if (!s || s->kind != metrics::Statistic::kPercentile) {
      return Invalid("The value " + Text(ext.items[i]) + " for parameter " + Member("ExtendedStatistics", i) +
                     " is not a valid percentile (p0.0 to p100).");
    }
    q.statistics.push_back(*s);
    names.push_back(Text(ext.items[i]));
  }
  if (req["Unit"].present()) {
    auto u = UnitOf(req["Unit"], "Unit");
    if (!u.ok()) return u.error();
    q.unit = *u;
  }
  const int64_t step = int64_t{*period} * 1000;
  const int64_t requested = (range->end_ms - range->start_ms + step - 1) / step;
  if (requested > kMaxStatisticsDatapoints) {
    return Combination("You have requested up to " + std::to_string(requested) +
                       " datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by "
                       "increasing Period, or decreasing the time range.");
  }
  auto points = d.reader.Statistics(q);
  if (!points.ok()) return MakeCwError(CwErrorCode::kInternal, points.status().message());
  Out datapoints = Out::List();
  for (const metrics::StatisticsPoint& p : *points) {
    Out dp;
    dp.Set("Timestamp", Out::TimeMs(p.timestamp_ms));
    Out extended = Out::Map();
    for (size_t k = 0; k < q.statistics.size() && k < p.values.size(); ++k) {
      if (std::isnan(p.values[k])) continue;
      if (q.statistics[k].kind == metrics::Statistic::kPercentile) {
        extended.Set(names[k], Out::Double(p.values[k]));
      } else {
        dp.Set(metrics::StatisticName(q.statistics[k]), Out::Double(p.values[k]));
      }
    }
    dp.Set("Unit", Out::Text(std::string(metrics::UnitName(p.unit))));
    if (!extended.fields.empty()) dp.Set("ExtendedStatistics", std::move(extended));
    datapoints.items.push_back(std::move(dp));
  }
  Out result;
  result.Set("Label", Out::Text(id->name)).Set("Datapoints", std::move(datapoints));
  return ActionOutput{std::move(result)};
}

// ---- ListMetrics ----------------------------------------------------------------------

CwResult<ActionOutput> ListMetrics(const Deps& d, const In& req) {
  metrics::ListFilter f;
  if (req["Namespace"].present()) f.ns = Text(req["Namespace"]);
  if (req["MetricName"].present()) f.name = Text(req["MetricName"]);
  auto dims = Dimensions(req["Dimensions"], "Dimensions", false);
  if (!dims.ok()) return dims.error();
  f.dimensions = std::move(dims).value();
  if (req["RecentlyActive"].present()) {
    if (Text(req["RecentlyActive"]) != "PT3H") {
      return Invalid("The value " + Text(req["RecentlyActive"]) + " for parameter RecentlyActive is invalid. "
                     "Valid value is PT3H.");
    }
    f.recently_active = true;
  }
  if (req["IncludeLinkedAccounts"].present() || req["OwningAccount"].present()) {
    return Invalid("Cross-account observability (IncludeLinkedAccounts, OwningAccount) is not supported by sluice.");
  }
  auto offset = FromToken(req["NextToken"]);
  if (!offset.ok()) return offset.error();
  const std::vector<metrics::MetricId> all = d.reader.List(f);
  if (*offset > all.size()) return MakeCwError(CwErrorCode::kInvalidNextToken, "The service cannot find the next token.");
  Out list = Out::List();
  const size_t end = std::min(all.size(), *offset + kListMetricsPage);
  for (size_t i = *offset; i < end; ++i) list.items.push_back(MetricOut(all[i]));
  Out result;
  result.Set("Metrics", std::move(list));
  if (end < all.size()) result.Set("NextToken", Out::Text(Token(end)));
  return ActionOutput{std::move(result)};
}

// ---- MetricDataQueries ----------------------------------------------------------------

CwResult<metrics::Statistic> StatOf(const In& n, const std::string& field) {
  if (!n.present()) return Missing(field);
  auto s = metrics::ParseStatistic(Text(n));
  if (!s) return Invalid("The value " + Text(n) + " for parameter " + field + " is not a valid statistic.");
  return *s;
}

CwResult<std::vector<metrics::MetricQuery>> Queries(const In& list, std::string_view field, bool alarm) {
  std::vector<metrics::MetricQuery> out;
  if (list.items.size() > metrics::kMaxMetricDataQueries) {
    return Invalid("The collection " + std::string(field) + " must not have a size greater than 500.");
  }
  for (size_t i = 0; i < list.items.size(); ++i) {
    const In& q = list.items[i];
    const std::string f = Member(field, i);
    if (!q["Id"].present()) return Missing(f + ".Id");
    metrics::MetricQuery mq;
    mq.id = Text(q["Id"]);
    mq.expression = Text(q["Expression"]);
    mq.label = Text(q["Label"]);
    Problems p;
    mq.return_data = Boolean(q["ReturnData"], f + ".ReturnData", p).value_or(true);
    if (q["Period"].present()) {
      auto period = Period(q["Period"], f + ".Period");
      if (!period.ok()) return period.error();
      mq.period_s = *period;
    }
    if (p.first) return *p.first;
    if (q["AccountId"].present()) return Invalid("Cross-account queries (AccountId) are not supported by sluice.");
    if (q["MetricStat"].present()) {
      const In& ms = q["MetricStat"];
      const In& m = ms["Metric"];
      if (!m.present()) return Missing(f + ".MetricStat.Metric");
      if (!m["Namespace"].present()) return Missing(f + ".MetricStat.Metric.Namespace");
      if (!m["MetricName"].present()) return Missing(f + ".MetricStat.Metric.MetricName");
      auto dims = Dimensions(m["Dimensions"], f + ".MetricStat.Metric.Dimensions", true);
      if (!dims.ok()) return dims.error();
      auto period = Period(ms["Period"], f + ".MetricStat.Period");
      if (!period.ok()) return period.error();
      auto stat = StatOf(ms["Stat"], f + ".MetricStat.Stat");
      if (!stat.ok()) return stat.error();
      metrics::MetricStatSpec spec{metrics::MakeId(Text(m["Namespace"]), Text(m["MetricName"]), std::move(dims).value()),
                                   *period, *stat, std::nullopt};
      if (ms["Unit"].present()) {
        auto u = UnitOf(ms["Unit"], f + ".MetricStat.Unit");
        if (!u.ok()) return u.error();
        spec.unit = *u;
      }
      mq.metric_stat = std::move(spec);
    }
    (void)alarm;
    out.push_back(std::move(mq));
  }
  auto valid = metrics::ValidateQueries(out);
  if (!valid.ok()) return valid.error();
  return out;
}

Out QueriesOut(const std::vector<metrics::MetricQuery>& queries) {
  Out list = Out::List();
  for (const metrics::MetricQuery& q : queries) {
    Out o;
    o.Set("Id", Out::Text(q.id));
    if (q.metric_stat) {
      Out ms;
      ms.Set("Metric", MetricOut(q.metric_stat->id))
          .Set("Period", Out::Int(q.metric_stat->period_s))
          .Set("Stat", Out::Text(metrics::StatisticName(q.metric_stat->stat)));
      if (q.metric_stat->unit) ms.Set("Unit", Out::Text(std::string(metrics::UnitName(*q.metric_stat->unit))));
      o.Set("MetricStat", std::move(ms));
    }
    if (!q.expression.empty()) o.Set("Expression", Out::Text(q.expression));
    if (!q.label.empty()) o.Set("Label", Out::Text(q.label));
    o.Set("ReturnData", Out::Bool(q.return_data));
    if (q.period_s) o.Set("Period", Out::Int(*q.period_s));
    list.items.push_back(std::move(o));
  }
  return list;
}

CwResult<ActionOutput> GetMetricData(const Deps& d, const In& req) {
  if (!req["MetricDataQueries"].present()) return Missing("MetricDataQueries");
  auto range = TimeRange(req, "StartTime", "EndTime");
  if (!range.ok()) return range.error();
  auto queries = Queries(req["MetricDataQueries"], "MetricDataQueries", false);
  if (!queries.ok()) return queries.error();
  bool ascending = false;
  if (req["ScanBy"].present()) {
    const std::string scan = Text(req["ScanBy"]);
    if (scan != "TimestampAscending" && scan != "TimestampDescending") {
      return Invalid("The value " + scan + " for parameter ScanBy is invalid. Valid values are TimestampAscending "
                     "and TimestampDescending.");
    }
    ascending = scan == "TimestampAscending";
  }
  Problems p;
  const int64_t max_points = Integer(req["MaxDatapoints"], "MaxDatapoints", p).value_or(kMaxGetMetricDataDatapoints);
  if (p.first) return *p.first;
  if (max_points < 1) return Invalid("The parameter MaxDatapoints must be greater than 0.");
  if (req["LabelOptions"].present()) return Invalid("LabelOptions is not supported by sluice.");
  auto offset = FromToken(req["NextToken"]);
  if (!offset.ok()) return offset.error();
  auto results = metrics::RunQueries(d.reader, *queries, range->start_ms, range->end_ms);
  if (!results.ok()) return results.error();
  Out list = Out::List();
  size_t index = 0, taken = 0;
  bool more = false;
  std::set<std::string> hidden;
  for (const metrics::MetricQuery& q : *queries) {
    if (!q.return_data) hidden.insert(q.id);
  }
  for (const metrics::SeriesResult& s : *results) {
    if (hidden.contains(s.id)) continue;
    Out ts = Out::List(), vs = Out::List();
    bool partial = false;
    const size_t n = s.values.size();
    for (size_t k = 0; k < n; ++k) {
      const size_t at = ascending ? k : n - 1 - k;
      if (index++ < *offset) continue;
      if (static_cast<int64_t>(taken) >= max_points) {
        partial = more = true;
        continue;
      }
      ts.items.push_back(Out::TimeMs(s.timestamps_ms[at]));
      vs.items.push_back(Out::Double(s.values[at]));
      ++taken;
    }
    Out o;
    o.Set("Id", Out::Text(s.id)).Set("Label", Out::Text(s.label)).Set("Timestamps", std::move(ts))
        .Set("Values", std::move(vs)).Set("StatusCode", Out::Text(partial ? "PartialData" : "Complete"))
        .Set("Messages", Out::List());
    list.items.push_back(std::move(o));
  }
  Out result;
  result.Set("MetricDataResults", std::move(list));
  if (more) result.Set("NextToken", Out::Text(Token(*offset + taken)));
  result.Set("Messages", Out::List());
  return ActionOutput{std::move(result)};
}

// ---- alarms ---------------------------------------------------------------------------

CwResult<std::vector<std::string>> Names(const In& list, std::string_view field, size_t max) {
  std::vector<std::string> out;
  if (list.items.size() > max) {
    return Invalid("The collection " + std::string(field) + " must not have a size greater than " +
                   std::to_string(max) + ".");
  }
  for (const In& n : list.items) out.push_back(Text(n));
  return out;
}

CwResult<ActionOutput> PutMetricAlarm(const Deps& d, const In& req) {
  if (!req["AlarmName"].present()) return Missing("AlarmName");
  if (!req["EvaluationPeriods"].present()) return Missing("EvaluationPeriods");
  if (!req["ComparisonOperator"].present()) return Missing("ComparisonOperator");
  metrics::AlarmConfig c;
  c.name = Text(req["AlarmName"]);
  c.description = Text(req["AlarmDescription"]);
  Problems p;
  c.actions_enabled = Boolean(req["ActionsEnabled"], "ActionsEnabled", p).value_or(true);
  c.evaluation_periods = static_cast<int32_t>(Integer(req["EvaluationPeriods"], "EvaluationPeriods", p).value_or(0));
  if (req["DatapointsToAlarm"].present()) {
    c.datapoints_to_alarm = static_cast<int32_t>(Integer(req["DatapointsToAlarm"], "DatapointsToAlarm", p).value_or(0));
  }
  if (p.first) return *p.first;
  for (auto [field, list] : {std::pair{"OKActions", &c.ok_actions}, std::pair{"AlarmActions", &c.alarm_actions},
                             std::pair{"InsufficientDataActions", &c.insufficient_data_actions}}) {
    auto names = Names(req[field], field, metrics::kMaxActionsPerState);
    if (!names.ok()) return names.error();
    *list = std::move(names).value();
  }
  const std::string cmp = Text(req["ComparisonOperator"]);
  auto comparison = metrics::ParseComparison(cmp);
  if (!comparison) {
    if (cmp == "LessThanLowerOrGreaterThanUpperThreshold" || cmp == "LessThanLowerThreshold" ||
        cmp == "GreaterThanUpperThreshold") {
      return Invalid("Anomaly detection comparison operators (" + cmp + ") are not supported by sluice.");
    }
    return Invalid("The value " + cmp + " for parameter ComparisonOperator is invalid.");
  }
  c.comparison = *comparison;
  if (req["ThresholdMetricId"].present()) {
    return Invalid("ThresholdMetricId (anomaly detection bands) is not supported by sluice.");
  }
  if (!req["Threshold"].present()) return Missing("Threshold");
  auto threshold = FiniteValue(req["Threshold"], "Threshold");
  if (!threshold.ok()) return threshold.error();
  c.threshold = *threshold;
  if (req["TreatMissingData"].present()) {
    auto m = metrics::ParseMissingData(Text(req["TreatMissingData"]));
    if (!m) {
      return Invalid("The value " + Text(req["TreatMissingData"]) + " for parameter TreatMissingData is invalid. "
                     "Valid values are breaching, notBreaching, ignore and missing.");
    }
    c.treat_missing_data = *m;
  }
  if (req["EvaluateLowSampleCountPercentile"].present()) {
    return Invalid("EvaluateLowSampleCountPercentile is not supported by sluice.");
  }
  const bool single = req["MetricName"].present() || req["Namespace"].present() || req["Statistic"].present() ||
                      req["ExtendedStatistic"].present() || req["Period"].present();
  if (single && req["Metrics"].present()) {
    return Combination("The parameters MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions, Period and "
                       "Unit cannot be combined with Metrics.");
  }
  if (req["Metrics"].present()) {
    auto queries = Queries(req["Metrics"], "Metrics", true);
    if (!queries.ok()) return queries.error();
    c.metrics = std::move(queries).value();
  } else {
    auto id = MetricIdOf(req, true);
    if (!id.ok()) return id.error();
    if (req["Statistic"].present() == req["ExtendedStatistic"].present()) {
      return Combination("Exactly one of the parameters Statistic and ExtendedStatistic must be specified.");
    }
    metrics::MetricStatSpec spec;
    spec.id = *id;
    auto period = Period(req["Period"], "Period");
    if (!period.ok()) return period.error();
    spec.period_s = *period;
    if (req["Statistic"].present()) {
      auto s = metrics::ParseStatistic(Text(req["Statistic"]));
      if (!s || s->kind == metrics::Statistic::kPercentile) {
        return Invalid("The value " + Text(req["Statistic"]) + " for parameter Statistic is invalid.");
      }
      spec.stat = *s;
    } else {
      auto s = metrics::ParseStatistic(Text(req["ExtendedStatistic"]));
      if (!s || s->kind != metrics::Statistic::kPercentile) {
        return Invalid("The value " + Text(req["ExtendedStatistic"]) + " for parameter ExtendedStatistic is invalid.");
      }
      spec.stat = *s;
      c.extended_statistic = true;
    }
    if (req["Unit"].present()) {
      auto u = UnitOf(req["Unit"], "Unit");
      if (!u.ok()) return u.error();
      spec.unit = *u;
    }
    c.metric = std::move(spec);
  }
  for (const In& t : req["Tags"].items) c.tags.emplace_back(Text(t["Key"]), Text(t["Value"]));
  auto put = d.alarms.Put(std::move(c));
  if (!put.ok()) return put.error();
  return NoResult();
}

Out AlarmOut(const metrics::Alarm& a) {
  const metrics::AlarmConfig& c = a.config;
  auto list = [](const std::vector<std::string>& v) {
    Out o = Out::List();
    for (const std::string& s : v) o.items.push_back(Out::Text(s));
    return o;
  };
  Out o;
  o.Set("AlarmName", Out::Text(c.name)).Set("AlarmArn", Out::Text(a.arn));
  if (!c.description.empty()) o.Set("AlarmDescription", Out::Text(c.description));
  o.Set("AlarmConfigurationUpdatedTimestamp", Out::TimeMs(a.config_updated_ms))
      .Set("ActionsEnabled", Out::Bool(c.actions_enabled))
      .Set("OKActions", list(c.ok_actions))
      .Set("AlarmActions", list(c.alarm_actions))
      .Set("InsufficientDataActions", list(c.insufficient_data_actions))
      .Set("StateValue", Out::Text(std::string(metrics::AlarmStateName(a.state))))
      .Set("StateReason", Out::Text(a.state_reason));
  if (!a.state_reason_data.empty()) o.Set("StateReasonData", Out::Text(a.state_reason_data));
  o.Set("StateUpdatedTimestamp", Out::TimeMs(a.state_updated_ms));
  if (c.metric) {
    o.Set("MetricName", Out::Text(c.metric->id.name)).Set("Namespace", Out::Text(c.metric->id.ns));
    o.Set(c.extended_statistic ? "ExtendedStatistic" : "Statistic", Out::Text(metrics::StatisticName(c.metric->stat)));
    o.Set("Dimensions", MetricOut(c.metric->id).fields[2].second);
    o.Set("Period", Out::Int(c.metric->period_s));
    if (c.metric->unit) o.Set("Unit", Out::Text(std::string(metrics::UnitName(*c.metric->unit))));
  } else {
    o.Set("Dimensions", Out::List());
  }
  o.Set("EvaluationPeriods", Out::Int(c.evaluation_periods));
  if (c.datapoints_to_alarm) o.Set("DatapointsToAlarm", Out::Int(*c.datapoints_to_alarm));
  o.Set("Threshold", Out::Double(c.threshold))
      .Set("ComparisonOperator", Out::Text(std::string(metrics::ComparisonName(c.comparison))))
      .Set("TreatMissingData", Out::Text(std::string(metrics::MissingDataName(c.treat_missing_data))));
  if (!c.metrics.empty()) o.Set("Metrics", QueriesOut(c.metrics));
  o.Set("StateTransitionedTimestamp", Out::TimeMs(a.state_transitioned_ms));
  return o;
}

CwResult<int64_t> MaxRecords(const In& n) {
  Problems p;
  const int64_t v = Integer(n, "MaxRecords", p).value_or(50);
  if (p.first) return *p.first;
  if (v < 1 || v > 100) return Invalid("The value " + std::to_string(v) + " for parameter MaxRecords must be between 1 and 100.");
  return v;
}

template <typename T, typename F>
Out Page(const std::vector<T>& all, size_t offset, int64_t max, std::string_view name, Out& result, F render) {
  Out list = Out::List();
  const size_t end = std::min(all.size(), offset + static_cast<size_t>(max));
  for (size_t i = offset; i < end; ++i) list.items.push_back(render(all[i]));
  result.Set(std::string(name), std::move(list));
  if (end < all.size()) result.Set("NextToken", Out::Text(Token(end)));
  return result;
}

CwResult<ActionOutput> DescribeAlarms(const Deps& d, const In& req) {
  metrics::DescribeFilter f;
  auto names = Names(req["AlarmNames"], "AlarmNames", 100);
  if (!names.ok()) return names.error();
  f.names = std::move(names).value();
  f.name_prefix = Text(req["AlarmNamePrefix"]);
  if (!f.names.empty() && req["AlarmNamePrefix"].present()) {
    return Combination("AlarmNames and AlarmNamePrefix cannot both be specified.");
  }
  if (req["StateValue"].present()) {
    f.state = metrics::ParseAlarmState(Text(req["StateValue"]));
    if (!f.state) return Invalid("The value " + Text(req["StateValue"]) + " for parameter StateValue is invalid.");
  }
  f.action_prefix = Text(req["ActionPrefix"]);
  auto max = MaxRecords(req["MaxRecords"]);
  if (!max.ok()) return max.error();
  auto offset = FromToken(req["NextToken"]);
  if (!offset.ok()) return offset.error();
  bool metric_alarms = true;
  if (req["AlarmTypes"].present()) {
    metric_alarms = false;
    for (const In& t : req["AlarmTypes"].items) {
      const std::string type = Text(t);
      if (type != "MetricAlarm" && type != "CompositeAlarm") {
        return Invalid("The value " + type + " for parameter AlarmTypes is invalid.");
      }
      metric_alarms = metric_alarms || type == "MetricAlarm";
    }
  }
  // Composite alarms are not served: none exist, so their relations are empty.
  const bool relations = req["ChildrenOfAlarmName"].present() || req["ParentsOfAlarmName"].present();
  std::vector<metrics::Alarm> all = metric_alarms && !relations ? d.alarms.Describe(f) : std::vector<metrics::Alarm>{};
  Out result;
  Page(all, *offset, *max, "MetricAlarms", result, AlarmOut);
  result.Set("CompositeAlarms", Out::List());
  return ActionOutput{std::move(result)};
}

CwResult<ActionOutput> DescribeAlarmsForMetric(const Deps& d, const In& req) {
  auto id = MetricIdOf(req, true);
  if (!id.ok()) return id.error();
  std::optional<int32_t> period;
  if (req["Period"].present()) {
    auto p = Period(req["Period"], "Period");
    if (!p.ok()) return p.error();
    period = *p;
  }
  std::optional<metrics::Statistic> stat;
  if (req["Statistic"].present() || req["ExtendedStatistic"].present()) {
    const In& s = req["Statistic"].present() ? req["Statistic"] : req["ExtendedStatistic"];
    stat = metrics::ParseStatistic(Text(s));
    if (!stat) return Invalid("The value " + Text(s) + " for parameter Statistic is invalid.");
  }
  std::optional<metrics::Unit> unit;
  if (req["Unit"].present()) {
    auto u = UnitOf(req["Unit"], "Unit");
    if (!u.ok()) return u.error();
    unit = *u;
  }
  Out list = Out::List();
  for (const metrics::Alarm& a : d.alarms.ForMetric(*id, period, stat, unit)) list.items.push_back(AlarmOut(a));
  Out result;
  result.Set("MetricAlarms", std::move(list));
  return ActionOutput{std::move(result)};
}

CwResult<ActionOutput> DescribeAlarmHistory(const Deps& d, const In& req) {
  std::string type;
  if (req["HistoryItemType"].present()) {
    type = Text(req["HistoryItemType"]);
    if (type != "ConfigurationUpdate" && type != "StateUpdate" && type != "Action" && type != "AlarmContributorStateUpdate" &&
        type != "AlarmContributorAction") {
      return Invalid("The value " + type + " for parameter HistoryItemType is invalid.");
    }
  }
  Problems p;
  const int64_t start = Time(req["StartDate"], "StartDate", p).value_or(0);
  const int64_t end = Time(req["EndDate"], "EndDate", p).value_or(INT64_MAX);
  if (p.first) return *p.first;
  auto max = MaxRecords(req["MaxRecords"]);
  if (!max.ok()) return max.error();
  auto offset = FromToken(req["NextToken"]);
  if (!offset.ok()) return offset.error();
  std::vector<metrics::HistoryItem> items = d.alarms.History(Text(req["AlarmName"]), type, start, end);
  if (req["ScanBy"].present()) {
    const std::string scan = Text(req["ScanBy"]);
    if (scan != "TimestampAscending" && scan != "TimestampDescending") {
      return Invalid("The value " + scan + " for parameter ScanBy is invalid.");
    }
    if (scan == "TimestampAscending") std::reverse(items.begin(), items.end());
  }
  if (req["AlarmTypes"].present()) {
    bool metric = false;
    for (const In& t : req["AlarmTypes"].items) metric = metric || Text(t) == "MetricAlarm";
    if (!metric) items.clear();
  }
  Out result;
  Page(items, *offset, *max, "AlarmHistoryItems", result, [](const metrics::HistoryItem& h) {
    Out o;
    o.Set("AlarmName", Out::Text(h.alarm_name))
        .Set("AlarmType", Out::Text(h.alarm_type))
        .Set("Timestamp", Out::TimeMs(h.timestamp_ms))
        .Set("HistoryItemType", Out::Text(h.type))
        .Set("HistorySummary", Out::Text(h.summary))
        .Set("HistoryData", Out::Text(h.data));
    return o;
  });
  return ActionOutput{std::move(result)};
}

CwResult<ActionOutput> DeleteAlarms(const Deps& d, const In& req) {
  if (!req["AlarmNames"].present()) return Missing("AlarmNames");
  auto names = Names(req["AlarmNames"], "AlarmNames", 100);
  if (!names.ok()) return names.error();
  auto r = d.alarms.Delete(*names);
  if (!r.ok()) return r.error();
  return NoResult();
}

CwResult<ActionOutput> SetAlarmState(const Deps& d, const In& req) {
  if (!req["AlarmName"].present()) return Missing("AlarmName");
  if (!req["StateValue"].present()) return Missing("StateValue");
  if (!req["StateReason"].present()) return Missing("StateReason");
  auto state = metrics::ParseAlarmState(Text(req["StateValue"]));
  if (!state) return Invalid("The value " + Text(req["StateValue"]) + " for parameter StateValue is invalid.");
  const std::string reason = Text(req["StateReason"]);
  if (reason.size() > 1023) return Invalid("The value for parameter StateReason must have length less than or equal to 1023.");
  auto r = d.alarms.SetState(Text(req["AlarmName"]), *state, reason, Text(req["StateReasonData"]));
  if (!r.ok()) return r.error();
  return NoResult();
}

CwResult<ActionOutput> SetActions(const Deps& d, const In& req, bool enabled) {
  if (!req["AlarmNames"].present()) return Missing("AlarmNames");
  auto names = Names(req["AlarmNames"], "AlarmNames", 100);
  if (!names.ok()) return names.error();
  auto r = d.alarms.SetActionsEnabled(*names, enabled);
  if (!r.ok()) return r.error();
  return NoResult();
}

}  // namespace

std::optional<CwResult<ActionOutput>> RunAction(const Deps& d, std::string_view action, const In& req) {
  if (action == "PutMetricData") return PutMetricData(d, req);
  if (action == "GetMetricStatistics") return GetMetricStatistics(d, req);
  if (action == "GetMetricData") return GetMetricData(d, req);
  if (action == "ListMetrics") return ListMetrics(d, req);
  if (action == "PutMetricAlarm") return PutMetricAlarm(d, req);
  if (action == "DescribeAlarms") return DescribeAlarms(d, req);
  if (action == "DescribeAlarmsForMetric") return DescribeAlarmsForMetric(d, req);
  if (action == "DescribeAlarmHistory") return DescribeAlarmHistory(d, req);
  if (action == "DeleteAlarms") return DeleteAlarms(d, req);
  if (action == "SetAlarmState") return SetAlarmState(d, req);
  if (action == "EnableAlarmActions") return SetActions(d, req, true);
  if (action == "DisableAlarmActions") return SetActions(d, req, false);
  return std::nullopt;
}

}  // namespace sluice::frontends::cloudwatch
