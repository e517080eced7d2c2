// `sluice top [--once]`: a live view of a running server, refreshed every second from its
// public APIs: streams (Kinesis ListStreams, DescribeStreamSummary; AWS/Kinesis
// IncomingRecords, GetRecords.Records and GetRecords.IteratorAgeMilliseconds through
// CloudWatch GetMetricData), functions (AWS/Lambda Invocations, Errors, Duration),
// event-source mappings (Lambda ListEventSourceMappings; AWS/Lambda IteratorAge by
// EventSourceMappingUUID), delivery streams (Firehose SluiceListDeliveryStreamStats) and
// alarms (CloudWatch DescribeAlarms). On a terminal each frame clears the screen (ANSI);
// --once prints one frame and exits, for scripts and tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "cli/json_service_client.h"

namespace CLI {
class App;
}

namespace sluice::cli {

void AddTopCommand(CLI::App& app);

// One series over the frame's window (the last kTopWindowMinutes minutes, 1-minute periods).
inline constexpr int kTopWindowMinutes = 5;
struct SeriesSummary {
  double total = 0;                  // the sum of the window's datapoints
  double rate = 0;                   // the newest minute's value per second (0 when older than a minute)
  std::optional<double> newest;      // the newest datapoint's value
};

// Summarises one MetricDataResults entry (Timestamps in epoch seconds, newest first or
// not) at `now_s`: the newest minute's rate divides by the seconds it has run (1-60).
SeriesSummary Summarise(const nlohmann::json& result, int64_t now_s);

struct TopStream {
  std::string name, status;
  int64_t open_shards = 0;
  SeriesSummary in, out, iterator_age;  // records in, records read, GetRecords iterator age (Maximum)
};
struct TopFunction {
  std::string name;
  SeriesSummary invocations, errors, duration;  // duration: Average
};
struct TopMapping {
  std::string uuid, function, source, state;  // function and source: names from their ARNs
  SeriesSummary iterator_age;                 // Maximum
};
struct TopDelivery {
  std::string name, last_error;
  int64_t buffered_bytes = 0, buffered_records = 0, oldest_record_age_ms = -1, data_freshness_ms = -1;
};
struct TopAlarm {
  std::string name, state, reason;
};
struct TopFrame {
  std::string endpoint;
  int64_t now_s = 0;
  std::vector<TopStream> streams;
  std::vector<TopFunction> functions;
  std::vector<TopMapping> mappings;
  std::vector<TopDelivery> deliveries;
  std::vector<TopAlarm> alarms;
};

// The mappings of one ListEventSourceMappings page (Lambda's REST answer), in its order.
std::vector<TopMapping> MappingsOfPage(const nlohmann::json& page);

// Reads every section from the server at `now_s`.
Result<TopFrame> CollectTop(const JsonServiceOptions& o, int64_t now_s);

// The frame as text, one section after the other, each line ending in '\n'.
std::string RenderTop(const TopFrame& frame);

}  // namespace sluice::cli
