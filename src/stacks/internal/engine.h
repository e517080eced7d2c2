// The stack engine's shared state and helpers (stack_manager.cc: the API; operations.cc:
// create, update, delete and their rollbacks; change_sets.cc).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/work_pool.h"
#include "internal/state.h"
#include "stacks/stacks.h"

namespace sluice::stacks {

struct StackManager::Impl {
  explicit Impl(StackOptions o);

  StackOptions opt;
  Clock* clock;
  mutable Mutex mu;
  CondVar cv;  // signalled when an operation or a resource job finishes
  int running GUARDED_BY(mu) = 0;
  // Set by Stop: a failure seen from then on (a wait cut short by the shutdown) is not
  // recorded, so the operation stays in progress and is resumed after the next start.
  bool stopping GUARDED_BY(mu) = false;
  // Every stack ever created, deleted ones included, in creation order.
  std::vector<std::unique_ptr<internal::StackState>> stacks GUARDED_BY(mu);
  std::map<std::string, std::vector<EventInfo>> events GUARDED_BY(mu);  // by stack id, oldest first
  std::vector<internal::ChangeSetState> change_sets GUARDED_BY(mu);
  std::unique_ptr<WorkPool> ops;        // one job per stack operation
  std::unique_ptr<WorkPool> resources;  // one job per resource action within a wave

  // Lookup: a live stack by name or any stack by id.
  internal::StackState* Find(std::string_view name_or_id) REQUIRES(mu);
  const internal::StackState* Find(std::string_view name_or_id) const REQUIRES(mu);
  StackError NotFound(std::string_view name_or_id) const;

  // Writes the stack's record to the catalog.
  void Persist(internal::StackState& s) REQUIRES(mu);
  // Records an event (and the record) durably.
  void AddEvent(internal::StackState& s, const std::string& logical_id, const std::string& physical_id,
                const std::string& type, const std::string& status, const std::string& reason,
                const std::string& properties = "") REQUIRES(mu);
  void SetStatus(internal::StackState& s, const std::string& status, const std::string& reason) REQUIRES(mu);
  void SetResourceStatus(internal::StackState& s, internal::ResourceState& r, const std::string& status,
                         const std::string& reason) REQUIRES(mu);
  PseudoParameters Pseudo(const internal::StackState& s) const;

  // Runs `job` on the operation pool, counted for WaitIdle.
  void StartOperation(std::function<void()> job) EXCLUDES(mu);
  void StartOperationLocked(std::function<void()> job) REQUIRES(mu);

  // Operations (operations.cc). Each runs on an operation thread without holding mu.
  void RunCreate(std::string stack_id) EXCLUDES(mu);
  void RunUpdate(std::string stack_id) EXCLUDES(mu);
  void RunDelete(std::string stack_id, std::vector<std::string> retain) EXCLUDES(mu);
  // Continues what a restart interrupted.
  void Resume(std::string stack_id) EXCLUDES(mu);

  // Records an update of `s` to `body` and starts it; "No updates are to be performed."
  // when nothing would change. Shared by UpdateStack and ExecuteChangeSet.
  StackStatus BeginUpdate(internal::StackState& s, const std::string& body, const Template& t,
                          std::map<std::string, std::string> params, const std::vector<std::string>& capabilities,
                          const Tags& tags) REQUIRES(mu);
  // Starts creating `s`, whose record holds its template and parameters.
  void BeginCreate(internal::StackState& s) REQUIRES(mu);

  // Validation shared by CreateStack, UpdateStack and change sets.
  StackStatus CheckCapabilities(const Template& t, const std::vector<std::string>& capabilities) const;
  // The changes an update to `t` with `params` would make to `s` (change sets).
  std::vector<ChangeInfo> PlanChanges(const internal::StackState& s, const Template& t,
                                      const std::map<std::string, std::string>& params) REQUIRES(mu);

  // An evaluation context over `s`'s resources and the other stacks' exports; only
  // valid while mu is held. Imports used are added to s.imports.
  EvalContext Context(internal::StackState& s, const Template* t,
                      const std::map<std::string, bool>* conditions) REQUIRES(mu);
  // The export named `name` of another live stack.
  std::optional<std::string> ExportValue(const std::string& name, const std::string& except_stack) const
      REQUIRES(mu);
};

std::string NewUuid();
// CloudFormation's stack-name rule.
bool ValidStackName(std::string_view name);
bool IsTerminal(std::string_view status);

}  // namespace sluice::stacks
