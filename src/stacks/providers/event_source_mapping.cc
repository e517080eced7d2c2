// AWS::Lambda::EventSourceMapping through the mapping manager. Ref: the mapping's UUID.
// GetAtt: Id. EventSourceArn, StartingPosition and StartingPositionTimestamp replace;
// everything else updates in place through UpdateEventSourceMapping (a property removed
// from the template goes back to Lambda's default).
#include <chrono>
#include <thread>

#include "functions/event_source_mappings.h"
#include "providers/common.h"
#include "providers/providers_internal.h"

namespace sluice::stacks::providers {
namespace {

// Properties of the CloudFormation type that a Kinesis mapping cannot have: passed on
// as members Lambda refuses for this source.
constexpr std::string_view kUnsupported[] = {"Queues",       "Topics", "SourceAccessConfigurations",
                                             "SelfManagedEventSource", "SelfManagedKafkaEventSourceConfig",
                                             "AmazonManagedKafkaEventSourceConfig", "ScalingConfig",
                                             "DocumentDBEventSourceConfig"};

StackError ServiceError(const functions::MappingError& e) {
  return HandlerError("Lambda", functions::MappingErrorHttpStatus(e.code), e.message);
}

std::optional<bool> BoolOf(const Json& p, const char* name) {
  const std::string t = Text(p, name);
  if (t.empty()) return std::nullopt;
  return t == "true";
}

// The request as UpdateEventSourceMapping/CreateEventSourceMapping would carry it.
// `defaults`: properties absent from the template are sent with Lambda's defaults (an
// update that removes a property resets it).
functions::MappingInput InputOf(const Json& p, bool defaults) {
  functions::MappingInput in;
  if (const std::string f = Text(p, "FunctionName"); !f.empty()) in.function_name = f;
  in.enabled = BoolOf(p, "Enabled");
  in.batch_size = IntOf(p, "BatchSize");
  in.maximum_batching_window_in_seconds = IntOf(p, "MaximumBatchingWindowInSeconds");
  in.parallelization_factor = IntOf(p, "ParallelizationFactor");
  in.bisect_batch_on_function_error = BoolOf(p, "BisectBatchOnFunctionError");
  in.maximum_retry_attempts = IntOf(p, "MaximumRetryAttempts");
  in.maximum_record_age_in_seconds = IntOf(p, "MaximumRecordAgeInSeconds");
  in.tumbling_window_in_seconds = IntOf(p, "TumblingWindowInSeconds");
  if (p.contains("DestinationConfig") && p["DestinationConfig"].is_object()) {
    const Json& d = p["DestinationConfig"];
    in.has_destination_config = true;
    if (d.contains("OnFailure") && d["OnFailure"].is_object()) in.on_failure_destination = Text(d["OnFailure"], "Destination");
    in.has_on_success_destination = d.contains("OnSuccess");
  }
  if (p.contains("FunctionResponseTypes") && p["FunctionResponseTypes"].is_array()) {
    std::vector<std::string> types;
    for (const Json& t : p["FunctionResponseTypes"]) types.push_back(t.is_string() ? t.get<std::string>() : t.dump());
    in.function_response_types = std::move(types);
  }
  if (p.contains("FilterCriteria") && p["FilterCriteria"].is_object()) {
    std::vector<std::string> patterns;
    const Json& f = p["FilterCriteria"];
    if (f.contains("Filters") && f["Filters"].is_array()) {
      for (const Json& filter : f["Filters"]) patterns.push_back(Text(filter, "Pattern"));
    }
    in.filter_patterns = std::move(patterns);
  }
  for (std::string_view u : kUnsupported) {
    if (p.contains(std::string(u))) in.unsupported_members.emplace_back(u);
  }
  if (defaults) {
    if (!in.enabled) in.enabled = true;
    if (!in.batch_size) in.batch_size = 100;
    if (!in.maximum_batching_window_in_seconds) in.maximum_batching_window_in_seconds = 0;
    if (!in.parallelization_factor) in.parallelization_factor = 1;
    if (!in.bisect_batch_on_function_error) in.bisect_batch_on_function_error = false;
    if (!in.maximum_retry_attempts) in.maximum_retry_attempts = -1;
    if (!in.maximum_record_age_in_seconds) in.maximum_record_age_in_seconds = -1;
    if (!in.tumbling_window_in_seconds) in.tumbling_window_in_seconds = 0;
    if (!in.has_destination_config) {
      in.has_destination_config = true;
      in.on_failure_destination = "";
    }
    if (!in.function_response_types) in.function_response_types = std::vector<std::string>{};
    if (!in.filter_patterns) in.filter_patterns = std::vector<std::string>{};
  }
  return in;
}

class EventSourceMappingProvider final : public ResourceProvider {
 public:
  EventSourceMappingProvider(functions::MappingManager& mappings, int64_t timeout_ms)
      : mappings_(mappings), timeout_ms_(timeout_ms) {}

  std::string_view Type() const override { return "AWS::Lambda::EventSourceMapping"; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& request) override {
    const Json& p = request.properties;
    functions::MappingInput in = InputOf(p, /*defaults=*/false);
    if (const std::string arn = Text(p, "EventSourceArn"); !arn.empty()) in.event_source_arn = arn;
    if (const std::string pos = Text(p, "StartingPosition"); !pos.empty()) in.starting_position = pos;
    if (const std::string ts = Text(p, "StartingPositionTimestamp"); !ts.empty()) {
      try {
        in.starting_position_timestamp = std::stod(ts);
      } catch (...) {
        return ValidationError("Properties validation failed for resource " + request.logical_id +
                               " with message: #/StartingPositionTimestamp: expected type: Number");
      }
    }
    auto created = mappings_.Create(in);
    if (!created.ok()) return ServiceError(created.error());
    return Provisioned(*created);
  }

  UpdateKind Classify(const Json& before, const Json& after) const override {
    return ClassifyBy(before, after, {"EventSourceArn", "StartingPosition", "StartingPositionTimestamp",
                                      "SelfManagedEventSource", "Queues", "Topics"});
  }

  StackResult<ProvisionedResource> Update(const ResourceRequest& request, const ProvisionedResource& current,
                                          const Json& old) override {
    (void)old;
    auto updated = mappings_.Update(current.physical_id, InputOf(request.properties, /*defaults=*/true));
    if (!updated.ok()) return ServiceError(updated.error());
    return Provisioned(*updated);
  }

  StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) override {
    (void)request;
    if (current.physical_id.empty()) return Done{};  // never created
    auto r = mappings_.Delete(current.physical_id);
    if (!r.ok()) {
      if (r.error().code == functions::MappingErrorType::kResourceNotFound) return Done{};
      return ServiceError(r.error());
    }
    // A Deleting mapping is removed by its poller; wait so the stack's DELETE_COMPLETE
    // means the mapping is gone, as CloudFormation's handler waits.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
    while (mappings_.Get(current.physical_id).ok()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return HandlerError("Lambda", "event source mapping " + current.physical_id + " is still being deleted");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Done{};
  }

 private:
  static ProvisionedResource Provisioned(const functions::MappingInfo& info) {
    return {info.config.uuid, Json{{"Id", info.config.uuid}, {"EventSourceMappingArn", info.mapping_arn}}};
  }

  functions::MappingManager& mappings_;
  int64_t timeout_ms_;
};

}  // namespace

std::unique_ptr<ResourceProvider> NewEventSourceMappingProvider(functions::MappingManager& mappings,
                                                                int64_t settle_timeout_ms) {
  return std::make_unique<EventSourceMappingProvider>(mappings, settle_timeout_ms);
}

}  // namespace sluice::stacks::providers
