#include "internal/mapping_config.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "internal/event_filter.h"

namespace sluice::functions::internal {
namespace {

using nlohmann::json;

// The API model's limits (Lambda API reference, CreateEventSourceMapping).
struct IntRange {
  std::string_view wire;  // lowerCamel, as AWS names the member in its messages
  int64_t min, max;
};
constexpr IntRange kBatchSize{"batchSize", 1, 10'000};
constexpr IntRange kBatchingWindow{"maximumBatchingWindowInSeconds", 0, 300};
constexpr IntRange kParallelization{"parallelizationFactor", 1, 10};
constexpr IntRange kRecordAge{"maximumRecordAgeInSeconds", -1, 604'800};
constexpr IntRange kRetryAttempts{"maximumRetryAttempts", -1, 10'000};
constexpr IntRange kTumblingWindow{"tumblingWindowInSeconds", 0, 900};
constexpr int64_t kMinRecordAge = 60;  // below it only -1 is valid (a rule outside the model)
constexpr size_t kMaxFilters = 5;
constexpr size_t kMaxPatternChars = 4096;
constexpr size_t kMaxFunctionNameChars = 140;
constexpr size_t kMaxDestinationChars = 350;

constexpr std::string_view kDestinationPattern =
    "$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:"
    "((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)";

MappingError Err(MappingErrorType type, std::string message) { return {type, std::move(message)}; }

// Collects the model's violations in member order, then answers them as one
// ValidationException, as Lambda's front door does.
class Violations {
 public:
  void Range(const IntRange& r, const std::optional<int64_t>& v) {
    if (!v) return;
    if (*v < r.min) {
      Add(fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have value "
                      "greater than or equal to {}", *v, r.wire, r.min));
    } else if (*v > r.max) {
      Add(fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have value "
                      "less than or equal to {}", *v, r.wire, r.max));
    }
  }
  void Add(std::string m) { messages_.push_back(std::move(m)); }
  std::optional<MappingError> Error() const {
    if (messages_.empty()) return std::nullopt;
    std::string text = fmt::format("{} validation error{} detected: ", messages_.size(),
                                   messages_.size() == 1 ? "" : "s");
    for (size_t i = 0; i < messages_.size() && i < 10; ++i) {
      if (i > 0) text += "; ";
      text += messages_[i];
    }
    return MappingError{MappingErrorType::kValidation, std::move(text)};
  }

 private:
  std::vector<std::string> messages_;
};

std::string ListText(const std::vector<std::string>& items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  return s + "]";
}

bool IsArnLike(std::string_view s) {
  // arn:aws[...]:<service>:<region?>:<account?>:<resource>
  if (!s.starts_with("arn:aws")) return false;
  size_t colons = 0;
  for (const char c : s) colons += c == ':';
  return colons >= 5;
}

// Checks every member the API model constrains, in the model's member order.
void CheckModel(const MappingInput& in, bool create, Violations& v) {
  if (in.function_name && (in.function_name->empty() || in.function_name->size() > kMaxFunctionNameChars)) {
    v.Add(fmt::format("Value '{}' at 'functionName' failed to satisfy constraint: Member must have "
                      "length {} {}", *in.function_name,
                      in.function_name->empty() ? "greater than or equal to" : "less than or equal to",
                      in.function_name->empty() ? 1 : kMaxFunctionNameChars));
  }
  v.Range(kBatchSize, in.batch_size);
  if (in.filter_patterns) {
    for (size_t i = 0; i < in.filter_patterns->size(); ++i) {
      if ((*in.filter_patterns)[i].size() > kMaxPatternChars) {
        v.Add(fmt::format("Value '{}' at 'filterCriteria.filters.{}.member.pattern' failed to "
                          "satisfy constraint: Member must have length less than or equal to {}",
                          (*in.filter_patterns)[i], i + 1, kMaxPatternChars));
      }
    }
  }
  v.Range(kBatchingWindow, in.maximum_batching_window_in_seconds);
  v.Range(kParallelization, in.parallelization_factor);
  if (create && in.starting_position && *in.starting_position != "TRIM_HORIZON" &&
      *in.starting_position != "LATEST" && *in.starting_position != "AT_TIMESTAMP") {
    v.Add(fmt::format("Value '{}' at 'startingPosition' failed to satisfy constraint: Member must "
                      "satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
                      *in.starting_position));
  }
  if (in.on_failure_destination) {
    const std::string& d = *in.on_failure_destination;
    if (d.size() > kMaxDestinationChars) {
      v.Add(fmt::format("Value '{}' at 'destinationConfig.onFailure.destination' failed to satisfy "
                        "constraint: Member must have length less than or equal to {}",
                        d, kMaxDestinationChars));
    } else if (!d.empty() && !d.starts_with("kafka://") && !IsArnLike(d)) {
      v.Add(fmt::format("Value '{}' at 'destinationConfig.onFailure.destination' failed to satisfy "
                        "constraint: Member must satisfy regular expression pattern: {}",
                        d, kDestinationPattern));
    }
  }
  v.Range(kRecordAge, in.maximum_record_age_in_seconds);
  v.Range(kRetryAttempts, in.maximum_retry_attempts);
  v.Range(kTumblingWindow, in.tumbling_window_in_seconds);
  if (in.function_response_types) {
    const auto& types = *in.function_response_types;
    if (types.size() > 1) {
      v.Add(fmt::format("Value '{}' at 'functionResponseTypes' failed to satisfy constraint: Member "
                        "must have length less than or equal to 1", ListText(types)));
    } else if (!types.empty() && types[0] != "ReportBatchItemFailures") {
      v.Add(fmt::format("Value '{}' at 'functionResponseTypes' failed to satisfy constraint: Member "
                        "must satisfy constraint: [Member must satisfy enum value set: "
                        "[ReportBatchItemFailures]]", ListText(types)));
    }
  }
}

// The Kinesis rules Lambda checks after the model, common to create and update.
std::optional<MappingError> CheckKinesisRules(const MappingInput& in) {
  if (!in.unsupported_members.empty()) {
    return Err(MappingErrorType::kInvalidParameterValue,
               in.unsupported_members.front() + " is not valid for Kinesis event sources.");
  }
  if (in.has_on_success_destination) {
    return Err(MappingErrorType::kInvalidParameterValue,
               "Unsupported DestinationConfig parameter for given event source mapping type.");
  }
  if (in.maximum_record_age_in_seconds && *in.maximum_record_age_in_seconds != -1 &&
      *in.maximum_record_age_in_seconds < kMinRecordAge) {
    return Err(MappingErrorType::kInvalidParameterValue,
               "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 "
               "(inclusive)");
  }
  if (in.filter_patterns) {
    if (in.filter_patterns->size() > kMaxFilters) {
      return Err(MappingErrorType::kInvalidParameterValue,
                 "The maximum number of filters per event source mapping is 5.");
    }
    for (const std::string& p : *in.filter_patterns) {
      const Result<EventFilter> f = EventFilter::Parse(p);
      if (f.ok()) continue;
      if (f.status().code() == StatusCode::kNotSupported) {
        return Err(MappingErrorType::kInvalidParameterValue,
                   "Invalid filter pattern definition. " + f.status().message() + ".");
      }
      return Err(MappingErrorType::kInvalidParameterValue, "Invalid filter pattern definition.");
    }
  }
  if (in.on_failure_destination && !in.on_failure_destination->empty() &&
      BucketFromArn(*in.on_failure_destination).empty()) {
    return Err(MappingErrorType::kInvalidParameterValue,
               "sluice supports only S3 buckets (arn:aws:s3:::bucket) as on-failure destinations, "
               "not " + *in.on_failure_destination + ".");
  }
  return std::nullopt;
}

void ApplyCommon(const MappingInput& in, MappingConfig& c) {
  if (in.enabled) c.enabled = *in.enabled;
  if (in.batch_size) c.batch_size = *in.batch_size;
  if (in.maximum_batching_window_in_seconds) {
    c.maximum_batching_window_in_seconds = *in.maximum_batching_window_in_seconds;
  }
  if (in.parallelization_factor) c.parallelization_factor = *in.parallelization_factor;
  if (in.bisect_batch_on_function_error) c.bisect_batch_on_function_error = *in.bisect_batch_on_function_error;
  if (in.maximum_retry_attempts) c.maximum_retry_attempts = *in.maximum_retry_attempts;
  if (in.maximum_record_age_in_seconds) c.maximum_record_age_in_seconds = *in.maximum_record_age_in_seconds;
  if (in.tumbling_window_in_seconds) c.tumbling_window_in_seconds = *in.tumbling_window_in_seconds;
  if (in.has_destination_config) c.on_failure_destination = in.on_failure_destination.value_or("");
  if (in.function_response_types) c.report_batch_item_failures = !in.function_response_types->empty();
  if (in.filter_patterns) c.filter_patterns = *in.filter_patterns;
}

}  // namespace

std::string BucketFromArn(std::string_view arn) {
  // arn:<partition>:s3:::<bucket>, the bucket without a key path.
  if (!arn.starts_with("arn:aws")) return "";
  const size_t s3 = arn.find(":s3:::");
  if (s3 == std::string_view::npos) return "";
  if (arn.substr(4, s3 - 4).find(':') != std::string_view::npos) return "";
  const std::string_view bucket = arn.substr(s3 + 6);
  if (bucket.empty() || bucket.find('/') != std::string_view::npos) return "";
  return std::string(bucket);
}

MappingResult<MappingConfig> ValidateCreate(const MappingInput& in) {
  Violations v;
  CheckModel(in, /*create=*/true, v);
  if (auto e = v.Error()) return *e;
  if (!in.event_source_arn || in.event_source_arn->empty()) {
    return Err(MappingErrorType::kInvalidParameterValue, "Unrecognized event source.");
  }
  if (in.event_source_arn->find(":kinesis:") == std::string::npos) {
    return Err(MappingErrorType::kInvalidParameterValue,
               "Unrecognized event source. sluice maps Kinesis data streams only, not " +
                   *in.event_source_arn + ".");
  }
  if (!in.starting_position) {
    return Err(MappingErrorType::kInvalidParameterValue,
               "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
               "constraint: Member must not be null.");
  }
  if (auto e = CheckKinesisRules(in)) return *e;
  MappingConfig c;
  c.event_source_arn = *in.event_source_arn;
  if (*in.starting_position == "TRIM_HORIZON") c.starting_position = StartingPosition::kTrimHorizon;
  if (*in.starting_position == "LATEST") c.starting_position = StartingPosition::kLatest;
  if (*in.starting_position == "AT_TIMESTAMP") {
    if (!in.starting_position_timestamp) {
      return Err(MappingErrorType::kInvalidParameterValue, "Need to specify a timestamp");
    }
    c.starting_position = StartingPosition::kAtTimestamp;
    c.starting_position_timestamp_ms =
        static_cast<int64_t>(std::llround(*in.starting_position_timestamp * 1000.0));
  }
  ApplyCommon(in, c);
  return c;
}

MappingResult<MappingConfig> ValidateUpdate(const MappingConfig& current, const MappingInput& in) {
  Violations v;
  CheckModel(in, /*create=*/false, v);
  if (auto e = v.Error()) return *e;
  if (auto e = CheckKinesisRules(in)) return *e;
  MappingConfig c = current;
  ApplyCommon(in, c);
  return c;
}

std::string ConfigToJson(const MappingConfig& c) {
  json j = {{"Version", 1},
            {"FunctionArn", c.function_arn},
            {"EventSourceArn", c.event_source_arn},
            {"StreamName", c.stream_name},
            {"Enabled", c.enabled},
            {"BatchSize", c.batch_size},
            {"MaximumBatchingWindowInSeconds", c.maximum_batching_window_in_seconds},
            {"ParallelizationFactor", c.parallelization_factor},
            {"StartingPosition", StartingPositionName(c.starting_position)},
            {"BisectBatchOnFunctionError", c.bisect_batch_on_function_error},
            {"MaximumRetryAttempts", c.maximum_retry_attempts},
            {"MaximumRecordAgeInSeconds", c.maximum_record_age_in_seconds},
            {"TumblingWindowInSeconds", c.tumbling_window_in_seconds},
            {"OnFailureDestination", c.on_failure_destination},
            {"ReportBatchItemFailures", c.report_batch_item_failures},
            {"FilterPatterns", c.filter_patterns}};
  if (c.starting_position_timestamp_ms) j["StartingPositionTimestampMs"] = *c.starting_position_timestamp_ms;
  return j.dump();
}

Result<MappingConfig> ConfigFromJson(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("Version", 0) != 1) {
    return Status::Corruption("event-source mapping settings: not a version 1 document");
  }
  try {
    MappingConfig c;
    c.function_arn = j.at("FunctionArn").get<std::string>();
    c.event_source_arn = j.at("EventSourceArn").get<std::string>();
    c.stream_name = j.at("StreamName").get<std::string>();
    c.enabled = j.at("Enabled").get<bool>();
    c.batch_size = j.at("BatchSize").get<int64_t>();
    c.maximum_batching_window_in_seconds = j.at("MaximumBatchingWindowInSeconds").get<int64_t>();
    c.parallelization_factor = j.at("ParallelizationFactor").get<int64_t>();
    const std::string pos = j.at("StartingPosition").get<std::string>();
    c.starting_position = pos == "TRIM_HORIZON" ? StartingPosition::kTrimHorizon
                          : pos == "AT_TIMESTAMP" ? StartingPosition::kAtTimestamp
                                                  : StartingPosition::kLatest;
    if (j.contains("StartingPositionTimestampMs")) {
      c.starting_position_timestamp_ms = j.at("StartingPositionTimestampMs").get<int64_t>();
    }
    c.bisect_batch_on_function_error = j.at("BisectBatchOnFunctionError").get<bool>();
    c.maximum_retry_attempts = j.at("MaximumRetryAttempts").get<int64_t>();
    c.maximum_record_age_in_seconds = j.at("MaximumRecordAgeInSeconds").get<int64_t>();
    c.tumbling_window_in_seconds = j.at("TumblingWindowInSeconds").get<int64_t>();
    c.on_failure_destination = j.at("OnFailureDestination").get<std::string>();
    c.report_batch_item_failures = j.at("ReportBatchItemFailures").get<bool>();
    c.filter_patterns = j.at("FilterPatterns").get<std::vector<std::string>>();
    return c;
  } catch (const json::exception& e) {
    // Stored bytes, not request input: a damaged document is corruption.
    return Status::Corruption(std::string("event-source mapping settings: ") + e.what());
  }
}

}  // namespace sluice::functions::internal
