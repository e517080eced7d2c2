// The stack engine's records: what a stack, its resources and change sets are, and
// their JSON form in the catalog (docs/formats/catalog.md, "cfn_stacks").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "stacks/stacks.h"

namespace sluice::stacks::internal {

struct ResourceState {
  std::string logical_id, type, physical_id, status, reason;
  Json properties = Json::object();  // resolved
  Json attributes = Json::object();
  std::string deletion_policy = "Delete";
  // The name chosen before Create ran (ResourceRequest::physical_name), so a create a
  // crash interrupted can still be undone.
  std::string pending_name;
  int64_t updated_ms = 0;

  // Whether a physical resource may exist for this record.
  bool MayExist() const {
    return (!physical_id.empty() || !pending_name.empty()) && status != "DELETE_COMPLETE" &&
           status != "DELETE_SKIPPED";
  }
};

// What an update did to one resource, kept until the update completes so that a
// failure (or a crash) can undo it.
struct UpdateStep {
  std::string kind;  // "added" | "in_place" | "replaced"
  ResourceState before;  // the resource before the step (empty for "added")
};

struct StackState {
  std::string id, name, status, reason, description, template_body;
  std::map<std::string, std::string> parameters;
  std::set<std::string> no_echo;
  std::vector<std::string> capabilities;
  Tags tags;
  bool disable_rollback = false;
  bool deleted = false;
  std::vector<ResourceState> resources;
  std::vector<OutputInfo> outputs;
  std::set<std::string> imports;  // export names this stack's resources or outputs use
  int64_t created_ms = 0, updated_ms = 0, deleted_ms = 0;
  int64_t next_event_seq = 0;
  // While an update runs: the stack as it was, and the steps taken so far.
  std::optional<Json> previous;  // template_body, parameters, no_echo, outputs, imports, description
  std::vector<UpdateStep> steps;
  // Resources an update replaced or removed, deleted during cleanup.
  std::vector<ResourceState> retired;

  ResourceState* FindResource(const std::string& logical_id);
  const ResourceState* FindResource(const std::string& logical_id) const;
};

struct ChangeSetState {
  std::string id, name, stack_id, stack_name, type, description;
  std::string status, reason, execution_status;
  std::string template_body;
  std::vector<ParameterInput> parameters;
  std::vector<std::string> capabilities;
  Tags tags;
  std::vector<ChangeInfo> changes;
  int64_t created_ms = 0;
};

Json ToJson(const StackState& s);
StackState StackFromJson(const Json& j);
Json ToJson(const ChangeSetState& c);
ChangeSetState ChangeSetFromJson(const Json& j);
Json ToJson(const EventInfo& e);
EventInfo EventFromJson(const Json& j);

}  // namespace sluice::stacks::internal
