#include "frontends/lambda/mapping_routes.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "functions/event_source_mappings.h"

namespace sluice::frontends::lambda {
namespace {

using functions::MappingErrorType;
using nlohmann::json;

// A request body is at most this big: the largest valid one (five 4,096-character
// filter patterns and a few ARNs) is far below it.
constexpr size_t kMaxBodyBytes = 256u << 10;

MappingAnswer Error(int status, std::string_view type, std::string_view message, bool user = true) {
  json body = json::object();
  if (user) body["Type"] = "User";
  body["message"] = message;
  return {status, body.dump(), std::string(type)};
}

MappingAnswer FromError(const functions::MappingError& e) {
  return Error(functions::MappingErrorHttpStatus(e.code), functions::MappingErrorTypeName(e.code),
               e.message, functions::MappingErrorIsUserType(e.code));
}

MappingAnswer BadContent(std::string_view why) {
  return Error(400, "InvalidRequestContentException",
               "Could not parse request body into json: " + std::string(why));
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexDigitValue(s[i + 1]) >= 0 &&
               HexDigitValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigitValue(s[i + 1]) * 16 + HexDigitValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::optional<std::string> QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

// Reads the members of a Create/Update body. Members Lambda does not know are ignored,
// as Lambda ignores them; members of other source types are listed as unsupported.
std::optional<MappingAnswer> Decode(const json& j, functions::MappingInput& in) {
  const auto type_error = [](std::string_view member, std::string_view want) {
    return BadContent(std::string(member) + " must be " + std::string(want));
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (v.is_null()) continue;
    if (k == "FunctionName" || k == "EventSourceArn" || k == "StartingPosition") {
      if (!v.is_string()) return type_error(k, "a string");
      (k == "FunctionName" ? in.function_name : k == "EventSourceArn" ? in.event_source_arn
                                                                      : in.starting_position) = v.get<std::string>();
    } else if (k == "Enabled" || k == "BisectBatchOnFunctionError") {
      if (!v.is_boolean()) return type_error(k, "a boolean");
      (k == "Enabled" ? in.enabled : in.bisect_batch_on_function_error) = v.get<bool>();
    } else if (k == "BatchSize" || k == "MaximumBatchingWindowInSeconds" || k == "ParallelizationFactor" ||
               k == "MaximumRetryAttempts" || k == "MaximumRecordAgeInSeconds" ||
               k == "TumblingWindowInSeconds") {
      if (!v.is_number()) return type_error(k, "an integer");
      // Floored as AWS's JSON protocols do; clamped far outside any range so the
      // manager's range check names the member.
      const double d = std::floor(v.get<double>());
      const int64_t n = d > 1e12 ? int64_t{1'000'000'000'000} : d < -1e12 ? int64_t{-1'000'000'000'000} : static_cast<int64_t>(d);
      std::optional<int64_t>& field = k == "BatchSize" ? in.batch_size
                                      : k == "MaximumBatchingWindowInSeconds" ? in.maximum_batching_window_in_seconds
                                      : k == "ParallelizationFactor" ? in.parallelization_factor
                                      : k == "MaximumRetryAttempts" ? in.maximum_retry_attempts
                                      : k == "MaximumRecordAgeInSeconds" ? in.maximum_record_age_in_seconds
                                                                         : in.tumbling_window_in_seconds;
      field = n;
    } else if (k == "StartingPositionTimestamp") {
      if (!v.is_number()) return type_error(k, "a timestamp (epoch seconds)");
      in.starting_position_timestamp = v.get<double>();
    } else if (k == "DestinationConfig") {
      if (!v.is_object()) return type_error(k, "an object");
      in.has_destination_config = true;
      if (v.contains("OnSuccess") && !v["OnSuccess"].is_null()) in.has_on_success_destination = true;
      if (v.contains("OnFailure") && v["OnFailure"].is_object()) {
        const json& d = v["OnFailure"];
        if (d.contains("Destination") && !d["Destination"].is_null()) {
          if (!d["Destination"].is_string()) return type_error("DestinationConfig.OnFailure.Destination", "a string");
          in.on_failure_destination = d["Destination"].get<std::string>();
        }
      }
    } else if (k == "FunctionResponseTypes") {
      if (!v.is_array()) return type_error(k, "a list");
      std::vector<std::string> types;
      for (const json& t : v) {
        if (!t.is_string()) return type_error(k, "a list of strings");
        types.push_back(t.get<std::string>());
      }
      in.function_response_types = std::move(types);
    } else if (k == "FilterCriteria") {
      if (!v.is_object()) return type_error(k, "an object");
      std::vector<std::string> patterns;
      if (v.contains("Filters") && !v["Filters"].is_null()) {
        if (!v["Filters"].is_array()) return type_error("FilterCriteria.Filters", "a list");
        for (const json& f : v["Filters"]) {
          if (!f.is_object()) return type_error("FilterCriteria.Filters", "a list of objects");
          const auto p = f.find("Pattern");
          if (p != f.end() && !p->is_null() && !p->is_string()) return type_error("Pattern", "a string");
          patterns.push_back(p != f.end() && p->is_string() ? p->get<std::string>() : "");
        }
      }
      in.filter_patterns = std::move(patterns);
    } else if (k == "Topics" || k == "Queues" || k == "SourceAccessConfigurations" ||
               k == "SelfManagedEventSource" || k == "AmazonManagedKafkaEventSourceConfig" ||
               k == "SelfManagedKafkaEventSourceConfig" || k == "ScalingConfig" ||
               k == "DocumentDBEventSourceConfig" || k == "KMSKeyArn" || k == "MetricsConfig" ||
               k == "ProvisionedPollerConfig" || k == "Tags") {
      in.unsupported_members.push_back(k);
    }
  }
  return std::nullopt;
}

std::optional<MappingAnswer> ParseBody(std::string_view body, json& out) {
  if (body.size() > kMaxBodyBytes) return BadContent("the body is larger than 256 KiB");
  if (body.empty()) {
    out = json::object();
    return std::nullopt;
  }
  out = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded() || !out.is_object()) return BadContent("not a JSON object");
  return std::nullopt;
}

double EpochSeconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace

bool IsMappingPath(std::string_view path) {
  if (!path.starts_with(kMappingsPath)) return false;
  const std::string_view rest = path.substr(kMappingsPath.size());
  return rest.empty() || rest[0] == '/';
}

std::string MappingJson(const functions::MappingInfo& info) {
  const functions::MappingConfig& c = info.config;
  json j = json::object();
  j["UUID"] = c.uuid;
  j["StartingPosition"] = functions::StartingPositionName(c.starting_position);
  if (c.starting_position_timestamp_ms) j["StartingPositionTimestamp"] = EpochSeconds(*c.starting_position_timestamp_ms);
  j["BatchSize"] = c.batch_size;
  j["MaximumBatchingWindowInSeconds"] = c.maximum_batching_window_in_seconds;
  j["ParallelizationFactor"] = c.parallelization_factor;
  j["EventSourceArn"] = c.event_source_arn;
  if (!c.filter_patterns.empty()) {
    json filters = json::array();
    for (const std::string& p : c.filter_patterns) filters.push_back({{"Pattern", p}});
    j["FilterCriteria"] = {{"Filters", filters}};
  }
  j["FunctionArn"] = c.function_arn;
  j["LastModified"] = EpochSeconds(info.last_modified_ms);
  j["LastProcessingResult"] = info.last_processing_result;
  j["State"] = info.state;
  j["StateTransitionReason"] = info.state_transition_reason;
  json on_failure = json::object();
  if (!c.on_failure_destination.empty()) on_failure["Destination"] = c.on_failure_destination;
  j["DestinationConfig"] = {{"OnFailure", on_failure}};
  j["MaximumRecordAgeInSeconds"] = c.maximum_record_age_in_seconds;
  j["BisectBatchOnFunctionError"] = c.bisect_batch_on_function_error;
  j["MaximumRetryAttempts"] = c.maximum_retry_attempts;
  j["TumblingWindowInSeconds"] = c.tumbling_window_in_seconds;
  j["FunctionResponseTypes"] = c.report_batch_item_failures ? json::array({"ReportBatchItemFailures"}) : json::array();
  j["EventSourceMappingArn"] = info.mapping_arn;
  return j.dump();
}

MappingAnswer HandleMappingRequest(functions::MappingManager& manager, std::string_view method,
                                   std::string_view path, std::string_view query,
                                   std::string_view body) {
  std::string_view rest = path.substr(kMappingsPath.size());
  if (!rest.empty()) rest.remove_prefix(1);  // the '/'
  const std::string uuid = PercentDecode(rest);
  const auto answer = [](int status, const functions::MappingResult<functions::MappingInfo>& r) {
    return r.ok() ? MappingAnswer{status, MappingJson(*r), ""} : FromError(r.error());
  };

  if (uuid.empty()) {
    if (method == "POST") {
      json j;
      if (auto bad = ParseBody(body, j)) return *bad;
      functions::MappingInput in;
      if (auto bad = Decode(j, in)) return *bad;
      return answer(202, manager.Create(in));
    }
    if (method == "GET") {
      std::optional<int64_t> max_items;
      if (const auto m = QueryParam(query, "MaxItems")) {
        // Digits only (bounded), else the model's message for a non-number.
        if (m->empty() || m->size() > 9 || m->find_first_not_of("0123456789") != std::string::npos) {
          return Error(400, "ValidationException",
                       "1 validation error detected: Value '" + *m +
                           "' at 'maxItems' failed to satisfy constraint: Member must have value "
                           "greater than or equal to 1", /*user=*/false);
        }
        max_items = std::stoll(*m);
      }
      const auto list = manager.List(QueryParam(query, "FunctionName").value_or(""),
                                     QueryParam(query, "EventSourceArn").value_or(""),
                                     QueryParam(query, "Marker").value_or(""), max_items);
      if (!list.ok()) return FromError(list.error());
      std::string out = R"({"EventSourceMappings":[)";
      for (size_t i = 0; i < list->mappings.size(); ++i) {
        if (i > 0) out += ',';
        out += MappingJson(list->mappings[i]);
      }
      out += ']';
      if (!list->next_marker.empty()) out += R"(,"NextMarker":)" + json(list->next_marker).dump();
      out += '}';
      return {200, out, ""};
    }
  } else if (uuid.find('/') == std::string::npos) {
    if (method == "GET") return answer(200, manager.Get(uuid));
    if (method == "DELETE") return answer(202, manager.Delete(uuid));
    if (method == "PUT") {
      json j;
      if (auto bad = ParseBody(body, j)) return *bad;
      functions::MappingInput in;
      if (auto bad = Decode(j, in)) return *bad;
      // Members an update cannot carry (the API model has no such member) are ignored.
      in.event_source_arn.reset();
      in.starting_position.reset();
      in.starting_position_timestamp.reset();
      return answer(202, manager.Update(uuid, in));
    }
  }
  return Error(404, "UnknownOperationException", "Unknown operation " + std::string(method) + " " +
                                                     std::string(path));
}

}  // namespace sluice::frontends::lambda
