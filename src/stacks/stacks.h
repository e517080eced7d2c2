// StackManager: CloudFormation stacks on one machine. Stacks are created, updated and
// deleted by resource providers (resources.h) in dependency order, independent
// resources in parallel; a failed create rolls back (ROLLBACK_COMPLETE), a failed update
// rolls back to the previous resources (UPDATE_ROLLBACK_COMPLETE); exports are
// registered when a stack completes and an export in use blocks deleting its stack.
//
// Calls return as CloudFormation's API does: CreateStack/UpdateStack/DeleteStack/
// ExecuteChangeSet validate, record the new status and return at once; the work runs on
// the manager's threads and clients poll DescribeStacks (the AWS CLI's waiters).
//
// Durability: every status change and event is written to the catalog before it is
// visible. After a restart, a stack found in an *_IN_PROGRESS state is finished the
// safe way: a create or an update rolls back, a delete or a rollback continues.
//
// Threading: every method is thread-safe. Lifetime: the catalog and the providers must
// outlive the manager; the destructor waits for running operations.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "catalog/catalog.h"
#include "stacks/errors.h"
#include "stacks/intrinsics.h"
#include "stacks/parameters.h"
#include "stacks/resources.h"
#include "stacks/template.h"

namespace sluice::stacks {

using Tags = std::vector<std::pair<std::string, std::string>>;

struct StackOptions {
  catalog::Catalog* catalog = nullptr;
  ResourceProviders* providers = nullptr;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  Clock* clock = nullptr;  // nullptr: Clock::Real()
  int workers = 4;         // resource operations run in parallel up to this many
};

struct StackInput {
  std::string stack_name;
  std::optional<std::string> template_body;  // the caller fetched TemplateURL already
  bool use_previous_template = false;         // UpdateStack only
  std::vector<ParameterInput> parameters;
  std::vector<std::string> capabilities;
  Tags tags;
  bool disable_rollback = false;
  std::optional<std::string> description;  // change sets
};

struct OutputInfo {
  std::string key, value, description, export_name;
};

struct ParameterInfo {
  std::string key, value;  // NoEcho values are "****"
};

struct StackInfo {
  std::string stack_id, name, status, status_reason, description;
  int64_t created_ms = 0, updated_ms = 0, deleted_ms = 0;
  std::vector<ParameterInfo> parameters;
  std::vector<OutputInfo> outputs;
  std::vector<std::string> capabilities;
  Tags tags;
  bool disable_rollback = false;
};

struct ResourceInfo {
  std::string stack_id, stack_name, logical_id, physical_id, type, status, status_reason;
  int64_t updated_ms = 0;
};

struct EventInfo {
  std::string event_id, stack_id, stack_name, logical_id, physical_id, type, status, reason, properties;
  int64_t timestamp_ms = 0;
};

struct ExportInfo {
  std::string exporting_stack_id, name, value;
};

struct TemplateParameterInfo {
  std::string key, default_value, description;
  bool no_echo = false;
  bool has_default = false;
  std::string type;
  std::vector<std::string> allowed_values;
};

struct ValidateResult {
  std::string description;
  std::vector<TemplateParameterInfo> parameters;
  std::vector<std::string> capabilities;  // what CreateStack will require
  std::string capabilities_reason;
  std::vector<std::string> resource_types;  // distinct, in template order
  std::string version;                      // AWSTemplateFormatVersion
};

struct ChangeInfo {
  std::string action;  // Add | Modify | Remove
  std::string logical_id, physical_id, type;
  std::string replacement;  // True | False | Conditional ("" for Add/Remove)
};

struct ChangeSetInfo {
  std::string change_set_id, name, stack_id, stack_name, description;
  std::string status, status_reason, execution_status, change_set_type;
  int64_t created_ms = 0;
  std::vector<ParameterInfo> parameters;
  std::vector<std::string> capabilities;
  Tags tags;
  std::vector<ChangeInfo> changes;
};

class StackManager {
 public:
  static StackResult<std::unique_ptr<StackManager>> Open(StackOptions options);
  ~StackManager();

  StackResult<ValidateResult> ValidateTemplate(std::string_view body) const;

  // Returns the new stack's id.
  StackResult<std::string> CreateStack(const StackInput& input);
  StackResult<std::string> UpdateStack(const StackInput& input);
  // A stack that does not exist is success, as in CloudFormation.
  StackStatus DeleteStack(std::string_view name_or_id, const std::vector<std::string>& retain = {});

  // Live stacks by name or any stack by id; all live stacks when `name_or_id` is empty.
  StackResult<std::vector<StackInfo>> DescribeStacks(std::string_view name_or_id) const;
  // Newest first, as CloudFormation lists them.
  StackResult<std::vector<EventInfo>> DescribeStackEvents(std::string_view name_or_id) const;
  StackResult<std::vector<ResourceInfo>> DescribeStackResources(std::string_view name_or_id,
                                                               std::string_view logical_id) const;
  // Stacks (deleted ones included, for 90 days in AWS; here all) whose status is in
  // `filter` (all when empty), newest first.
  std::vector<StackInfo> ListStacks(const std::vector<std::string>& filter) const;
  StackResult<std::string> GetTemplate(std::string_view name_or_id, std::string_view change_set) const;
  std::vector<ExportInfo> ListExports() const;
  // Names of the stacks importing `export_name`; ValidationError when nothing imports it.
  StackResult<std::vector<std::string>> ListImports(std::string_view export_name) const;

  // change_set_type: "CREATE" or "UPDATE". Returns {change set id, stack id}.
  StackResult<std::pair<std::string, std::string>> CreateChangeSet(const StackInput& input,
                                                                   std::string_view change_set_name,
                                                                   std::string_view change_set_type);
  StackResult<ChangeSetInfo> DescribeChangeSet(std::string_view change_set, std::string_view stack) const;
  StackStatus ExecuteChangeSet(std::string_view change_set, std::string_view stack);
  StackStatus DeleteChangeSet(std::string_view change_set, std::string_view stack);
  StackResult<std::vector<ChangeSetInfo>> ListChangeSets(std::string_view stack) const;

  // Blocks until no stack operation runs (tests and shutdown).
  void WaitIdle();
  // Before a shutdown that cuts waits short (custom resources' responses): failures
  // seen from now on are not recorded, and the operations they end stay in progress in
  // the catalog, to be resumed after the next start as after a crash. Successes still
  // are recorded.
  void Stop();

  struct Impl;
  explicit StackManager(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::stacks
