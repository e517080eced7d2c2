#include "cli/top_command.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "aws/sigv4.h"

namespace sluice::cli {
namespace {

constexpr JsonService kKinesis{"Kinesis", "kinesis", "Kinesis_20131202"};
constexpr JsonService kFirehose{"Firehose", "firehose", "Firehose_20150804"};
constexpr JsonService kCloudWatch{"CloudWatch", "monitoring", "GraniteServiceVersion20100801",
                                  "application/x-amz-json-1.0"};
constexpr JsonService kLambda{"Lambda", "lambda", ""};
constexpr std::string_view kMappingsPath = "/2015-03-31/event-source-mappings/";
constexpr auto kRefresh = std::chrono::seconds(1);
constexpr size_t kMaxQueriesPerCall = 500;  // GetMetricData's limit

struct TopOptions {
  JsonServiceOptions service;
  bool once = false;
};

// Follows NextToken (or Kinesis' HasMoreStreams) and hands each page to `each`.
template <typename Each>
Status Pages(const JsonService& s, const JsonServiceOptions& o, std::string_view action, nlohmann::json req,
             std::string_view token_field, Each each) {
  for (int page = 0; page < 1000; ++page) {
    ASSIGN_OR_RETURN(const nlohmann::json answer, CallJsonService(s, o, action, req));
    each(answer);
    const std::string token = answer.value(std::string(token_field), "");
    if (token.empty()) return Status::OK();
    req[std::string(token_field)] = token;
  }
  return Status::OK();
}

Status CollectStreams(const JsonServiceOptions& o, TopFrame& f) {
  nlohmann::json req = nlohmann::json::object();
  for (int page = 0; page < 1000; ++page) {
    ASSIGN_OR_RETURN(const nlohmann::json answer, CallJsonService(kKinesis, o, "ListStreams", req));
    const nlohmann::json names = answer.value("StreamNames", nlohmann::json::array());
    for (const auto& n : names) f.streams.push_back({.name = n.get<std::string>()});
    if (!answer.value("HasMoreStreams", false) || names.empty()) break;
    req["ExclusiveStartStreamName"] = names.back();
  }
  for (TopStream& s : f.streams) {
    Result<nlohmann::json> d = CallJsonService(kKinesis, o, "DescribeStreamSummary", {{"StreamName", s.name}});
    if (!d.ok()) continue;  // deleted between the two calls
    const nlohmann::json& sum = (*d)["StreamDescriptionSummary"];
    s.status = sum.value("StreamStatus", "");
    s.open_shards = sum.value("OpenShardCount", int64_t{0});
  }
  return Status::OK();
}

Status CollectFunctions(const JsonServiceOptions& o, TopFrame& f) {
  std::vector<std::string> names;
  RETURN_IF_ERROR(Pages(kCloudWatch, o, "ListMetrics", {{"Namespace", "AWS/Lambda"}, {"MetricName", "Invocations"}},
                        "NextToken", [&](const nlohmann::json& page) {
                          for (const auto& m : page.value("Metrics", nlohmann::json::array())) {
                            for (const auto& d : m.value("Dimensions", nlohmann::json::array())) {
                              if (d.value("Name", "") == "FunctionName") names.push_back(d.value("Value", ""));
                            }
                          }
                        }));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (std::string& n : names) f.functions.push_back({.name = std::move(n)});
  return Status::OK();
}

Status CollectMappings(const JsonServiceOptions& o, TopFrame& f) {
  std::string marker;
  for (int page = 0; page < 1000; ++page) {
    ASSIGN_OR_RETURN(const nlohmann::json answer,
                     GetRestJson(kLambda, o, std::string(kMappingsPath),
                                 marker.empty() ? "" : "Marker=" + aws::UriEncode(marker, true)));
    for (TopMapping& m : MappingsOfPage(answer)) f.mappings.push_back(std::move(m));
    marker = answer.value("NextMarker", "");
    if (marker.empty()) break;
  }
  return Status::OK();
}

// One query per (section row, metric); answers land through `target`.
struct Query {
  std::string ns, metric, dim_name, dim_value, stat;
  SeriesSummary* target;
};

Status FetchSeries(const JsonServiceOptions& o, int64_t now_s, std::vector<Query>& queries) {
  const int64_t end = (now_s / 60 + 1) * 60;
  const int64_t start = end - (kTopWindowMinutes + 1) * 60;
  for (size_t base = 0; base < queries.size(); base += kMaxQueriesPerCall) {
    const size_t n = std::min(kMaxQueriesPerCall, queries.size() - base);
    nlohmann::json mdq = nlohmann::json::array();
    for (size_t i = 0; i < n; ++i) {
      const Query& q = queries[base + i];
      mdq.push_back({{"Id", fmt::format("q{}", i)},
                     {"MetricStat",
                      {{"Metric",
                        {{"Namespace", q.ns},
                         {"MetricName", q.metric},
                         {"Dimensions", {{{"Name", q.dim_name}, {"Value", q.dim_value}}}}}},
                       {"Period", 60},
                       {"Stat", q.stat}}}});
    }
    nlohmann::json req = {{"MetricDataQueries", mdq}, {"StartTime", start}, {"EndTime", end}};
    RETURN_IF_ERROR(Pages(kCloudWatch, o, "GetMetricData", req, "NextToken", [&](const nlohmann::json& page) {
      for (const auto& r : page.value("MetricDataResults", nlohmann::json::array())) {
        const std::string id = r.value("Id", "");
        if (id.size() < 2) continue;
        const size_t i = std::strtoul(id.c_str() + 1, nullptr, 10);
        if (i >= n) continue;
        // Pages of one query continue where the last stopped: fold them.
        const SeriesSummary part = Summarise(r, now_s);
        SeriesSummary& t = *queries[base + i].target;
        t.total += part.total;
        if (part.newest && !t.newest) {
          t.newest = part.newest;
          t.rate = part.rate;
        }
      }
    }));
  }
  return Status::OK();
}

Status CollectDeliveries(const JsonServiceOptions& o, TopFrame& f) {
  ASSIGN_OR_RETURN(const nlohmann::json answer,
                   CallJsonService(kFirehose, o, "SluiceListDeliveryStreamStats", nlohmann::json::object()));
  for (const auto& s : answer.value("DeliveryStreams", nlohmann::json::array())) {
    f.deliveries.push_back({.name = s.value("DeliveryStreamName", ""),
                            .last_error = s.value("LastError", ""),
                            .buffered_bytes = s.value("BufferedBytes", int64_t{0}),
                            .buffered_records = s.value("BufferedRecords", int64_t{0}),
                            .oldest_record_age_ms = s.value("OldestRecordAgeMillis", int64_t{-1}),
                            .data_freshness_ms = s.value("DeliveryToS3.DataFreshness", int64_t{-1})});
  }
  return Status::OK();
}

Status CollectAlarms(const JsonServiceOptions& o, TopFrame& f) {
  return Pages(kCloudWatch, o, "DescribeAlarms", nlohmann::json::object(), "NextToken", [&](const nlohmann::json& page) {
    for (const char* kind : {"MetricAlarms", "CompositeAlarms"}) {
      for (const auto& a : page.value(kind, nlohmann::json::array())) {
        f.alarms.push_back({a.value("AlarmName", ""), a.value("StateValue", ""), a.value("StateReason", "")});
      }
    }
  });
}

std::string Num(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v))) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{:.1f}", v);
}
std::string Rate(const SeriesSummary& s) { return fmt::format("{:.1f}", s.rate); }
std::string Ms(const std::optional<double>& v) { return v ? fmt::format("{:.0f}ms", *v) : "-"; }
std::string AgeMs(int64_t ms) { return ms < 0 ? "-" : fmt::format("{:.1f}s", static_cast<double>(ms) / 1000.0); }

std::string Clip(std::string s, size_t n) {
  if (s.size() > n) s = s.substr(0, n - 1) + "~";
  return s;
}

int Run(const TopOptions& o) {
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  for (;;) {
    const int64_t now_s = static_cast<int64_t>(std::time(nullptr));
    Result<TopFrame> frame = CollectTop(o.service, now_s);
    std::string text = frame.ok() ? RenderTop(*frame) : "sluice top: " + frame.status().message() + "\n";
    if (tty && !o.once) text = "\x1b[H\x1b[2J" + text;
    std::fputs(text.c_str(), frame.ok() ? stdout : stderr);
    std::fflush(stdout);
    if (o.once) return frame.ok() ? 0 : 1;
    std::this_thread::sleep_for(kRefresh);
  }
}

}  // namespace

SeriesSummary Summarise(const nlohmann::json& result, int64_t now_s) {
  SeriesSummary s;
  const nlohmann::json ts = result.value("Timestamps", nlohmann::json::array());
  const nlohmann::json vs = result.value("Values", nlohmann::json::array());
  std::optional<int64_t> newest_at;
  for (size_t i = 0; i < ts.size() && i < vs.size(); ++i) {
    if (!ts[i].is_number() || !vs[i].is_number()) continue;
    const int64_t at = static_cast<int64_t>(ts[i].get<double>());
    const double v = vs[i].get<double>();
    s.total += v;
    if (!newest_at || at > *newest_at) {
      newest_at = at;
      s.newest = v;
    }
  }
  if (newest_at) {
    const int64_t ran = now_s - *newest_at;
    if (ran < 120) s.rate = *s.newest / static_cast<double>(std::clamp<int64_t>(ran, 1, 60));
  }
  return s;
}

std::vector<TopMapping> MappingsOfPage(const nlohmann::json& page) {
  // The name after the ARN's last ':' (function) or '/' (stream): arn:aws:lambda:...:function:f,
  // arn:aws:kinesis:...:stream/s. A qualified function ARN (f:alias) keeps its qualifier.
  const auto function_name = [](const std::string& arn) {
    const size_t at = arn.find(":function:");
    return at == std::string::npos ? arn : arn.substr(at + 10);
  };
  const auto source_name = [](const std::string& arn) {
    const size_t slash = arn.find('/');
    return slash == std::string::npos ? arn : arn.substr(slash + 1);
  };
  std::vector<TopMapping> out;
  for (const auto& m : page.value("EventSourceMappings", nlohmann::json::array())) {
    if (!m.is_object()) continue;
    out.push_back({.uuid = m.value("UUID", ""),
                   .function = function_name(m.value("FunctionArn", "")),
                   .source = source_name(m.value("EventSourceArn", "")),
                   .state = m.value("State", "")});
  }
  return out;
}

Result<TopFrame> CollectTop(const JsonServiceOptions& o, int64_t now_s) {
  TopFrame f;
  f.now_s = now_s;
  ASSIGN_OR_RETURN(f.endpoint, ServiceEndpoint(kKinesis, o));
  RETURN_IF_ERROR(CollectStreams(o, f));
  RETURN_IF_ERROR(CollectFunctions(o, f));
  RETURN_IF_ERROR(CollectMappings(o, f));
  RETURN_IF_ERROR(CollectDeliveries(o, f));
  RETURN_IF_ERROR(CollectAlarms(o, f));
  std::vector<Query> q;
  for (TopStream& s : f.streams) {
    q.push_back({"AWS/Kinesis", "IncomingRecords", "StreamName", s.name, "Sum", &s.in});
    q.push_back({"AWS/Kinesis", "GetRecords.Records", "StreamName", s.name, "Sum", &s.out});
    q.push_back({"AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "StreamName", s.name, "Maximum", &s.iterator_age});
  }
  for (TopFunction& fn : f.functions) {
    q.push_back({"AWS/Lambda", "Invocations", "FunctionName", fn.name, "Sum", &fn.invocations});
    q.push_back({"AWS/Lambda", "Errors", "FunctionName", fn.name, "Sum", &fn.errors});
    q.push_back({"AWS/Lambda", "Duration", "FunctionName", fn.name, "Average", &fn.duration});
  }
  for (TopMapping& m : f.mappings) {
    q.push_back({"AWS/Lambda", "IteratorAge", "EventSourceMappingUUID", m.uuid, "Maximum", &m.iterator_age});
  }
  RETURN_IF_ERROR(FetchSeries(o, now_s, q));
  return f;
}

std::string RenderTop(const TopFrame& f) {
  const std::time_t t = static_cast<std::time_t>(f.now_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string out = fmt::format("sluice top  {:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z  {}  (totals over {} min, rates over the newest minute)\n\n",
                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                                f.endpoint, kTopWindowMinutes);
  out += fmt::format("{:<28} {:<9} {:>6} {:>9} {:>9} {:>9} {:>9} {:>10}\n", "STREAM", "STATUS", "SHARDS", "IN/s",
                     "OUT/s", "IN", "OUT", "ITER_AGE");
  for (const TopStream& s : f.streams) {
    out += fmt::format("{:<28} {:<9} {:>6} {:>9} {:>9} {:>9} {:>9} {:>10}\n", Clip(s.name, 28), s.status,
                       s.open_shards, Rate(s.in), Rate(s.out), Num(s.in.total), Num(s.out.total), Ms(s.iterator_age.newest));
  }
  out += fmt::format("\n{:<28} {:>11} {:>9} {:>10}\n", "FUNCTION", "INVOCATIONS", "ERRORS", "DURATION");
  for (const TopFunction& fn : f.functions) {
    out += fmt::format("{:<28} {:>11} {:>9} {:>10}\n", Clip(fn.name, 28), Num(fn.invocations.total),
                       Num(fn.errors.total), Ms(fn.duration.newest));
  }
  out += fmt::format("\n{:<36} {:<28} {:<28} {:<10} {:>10}\n", "MAPPING", "FUNCTION", "SOURCE", "STATE", "ITER_AGE");
  for (const TopMapping& m : f.mappings) {
    out += fmt::format("{:<36} {:<28} {:<28} {:<10} {:>10}\n", m.uuid, Clip(m.function, 28), Clip(m.source, 28),
                       m.state, Ms(m.iterator_age.newest));
  }
  out += fmt::format("\n{:<28} {:>14} {:>9} {:>10} {:>10}  {}\n", "DELIVERY STREAM", "BUFFERED_BYTES", "RECORDS",
                     "OLDEST", "FRESHNESS", "LAST_ERROR");
  for (const TopDelivery& d : f.deliveries) {
    out += fmt::format("{:<28} {:>14} {:>9} {:>10} {:>10}  {}\n", Clip(d.name, 28), d.buffered_bytes,
                       d.buffered_records, AgeMs(d.oldest_record_age_ms), AgeMs(d.data_freshness_ms),
                       d.last_error.empty() ? "-" : Clip(d.last_error, 60));
  }
  out += fmt::format("\n{:<28} {:<17}  {}\n", "ALARM", "STATE", "REASON");
  for (const TopAlarm& a : f.alarms) {
    out += fmt::format("{:<28} {:<17}  {}\n", Clip(a.name, 28), a.state, Clip(a.reason, 80));
  }
  return out;
}

void AddTopCommand(CLI::App& app) {
  auto o = std::make_shared<TopOptions>();
  CLI::App* cmd = app.add_subcommand("top", "A live view of a running server: streams, functions, delivery streams, alarms");
  cmd->add_flag("--once", o->once, "Print one frame and exit (no screen clearing)");
  cmd->add_option("--endpoint", o->service.endpoint,
                  "Server URL (default: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile, else " +
                      std::string(kLocalEndpoint) + ")");
  cmd->add_option("--profile", o->service.profile, "Profile in ~/.aws/credentials and ~/.aws/config");
  cmd->add_option("--region", o->service.region, "Signing region (default: environment, profile, else us-east-1)");
  cmd->callback([o] { throw CLI::RuntimeError(Run(*o)); });
}

}  // namespace sluice::cli
