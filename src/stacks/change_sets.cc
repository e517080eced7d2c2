// Change sets: a planned create or update, described before it runs (what
// `aws cloudformation deploy` and the console use).
#include <algorithm>

#include "catalog/stacks.h"
#include "internal/engine.h"

namespace sluice::stacks {

using internal::ChangeSetState;
using internal::ResourceState;
using internal::StackState;

namespace {

constexpr const char* kNoChanges =
    "The submitted information didn't contain changes. Submit different information to create a change set.";

StackError ChangeSetNotFound(std::string_view name) {
  return {StackErrorType::kChangeSetNotFoundException, "ChangeSet [" + std::string(name) + "] does not exist"};
}

void PersistChangeSet(StackManager::Impl& im, const ChangeSetState& c) {
  (void)catalog::PutChangeSet(*im.opt.catalog, {c.id, c.stack_id, c.name, internal::ToJson(c).dump()});
}

ChangeSetInfo Describe(const ChangeSetState& c) {
  ChangeSetInfo info;
  info.change_set_id = c.id;
  info.name = c.name;
  info.stack_id = c.stack_id;
  info.stack_name = c.stack_name;
  info.description = c.description;
  info.status = c.status;
  info.status_reason = c.reason;
  info.execution_status = c.execution_status;
  info.change_set_type = c.type;
  info.created_ms = c.created_ms;
  for (const ParameterInput& p : c.parameters) info.parameters.push_back({p.key, p.value.value_or("")});
  info.capabilities = c.capabilities;
  info.tags = c.tags;
  info.changes = c.changes;
  return info;
}

}  // namespace

std::vector<ChangeInfo> StackManager::Impl::PlanChanges(const StackState& s, const Template& t,
                                                        const std::map<std::string, std::string>& params) {
  std::vector<ChangeInfo> changes;
  StackState planned = s;  // resolve against the new parameters without touching s
  planned.parameters = params;
  EvalContext ctx = Context(planned, &t, nullptr);
  auto conds = EvaluateConditions(ctx);
  std::map<std::string, bool> conditions = conds.ok() ? *conds : std::map<std::string, bool>{};
  ctx.conditions = &conditions;
  auto wanted = [&](const ResourceDecl& d) {
    return !d.condition || (conditions.count(*d.condition) && conditions.at(*d.condition));
  };
  for (const ResourceDecl& d : t.resources) {
    if (!wanted(d)) continue;
    const ResourceState* r = s.FindResource(d.logical_id);
    if (r == nullptr || !r->MayExist()) {
      changes.push_back({"Add", d.logical_id, "", d.type, ""});
      continue;
    }
    if (r->type != d.type) {
      changes.push_back({"Modify", d.logical_id, r->physical_id, d.type, "True"});
      continue;
    }
    auto props = Resolve(d.properties, ctx);
    const ResourceProvider* p = opt.providers->Find(d.type);
    if (!props.ok() || p == nullptr) {
      // A value that depends on a resource the change itself replaces is known only
      // when it runs, as CloudFormation reports it.
      changes.push_back({"Modify", d.logical_id, r->physical_id, d.type, "Conditional"});
      continue;
    }
    switch (p->Classify(r->properties, *props)) {
      case UpdateKind::kNone:
        break;
      case UpdateKind::kInPlace:
        changes.push_back({"Modify", d.logical_id, r->physical_id, d.type, "False"});
        break;
      case UpdateKind::kReplacement:
        changes.push_back({"Modify", d.logical_id, r->physical_id, d.type, "True"});
        break;
    }
  }
  for (const ResourceState& r : s.resources) {
    const ResourceDecl* d = t.FindResource(r.logical_id);
    if ((d == nullptr || !wanted(*d)) && r.MayExist()) {
      changes.push_back({"Remove", r.logical_id, r.physical_id, r.type, ""});
    }
  }
  return changes;
}

StackResult<std::pair<std::string, std::string>> StackManager::CreateChangeSet(const StackInput& input,
                                                                               std::string_view change_set_name,
                                                                               std::string_view change_set_type) {
  if (!ValidStackName(change_set_name)) {
    return ValidationError("1 validation error detected: Value '" + std::string(change_set_name) +
                           "' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular "
                           "expression pattern: [a-zA-Z][-a-zA-Z0-9]*");
  }
  if (!ValidStackName(input.stack_name)) {
    return ValidationError("1 validation error detected: Value '" + input.stack_name +
                           "' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression "
                           "pattern: [a-zA-Z][-a-zA-Z0-9]*");
  }
  const std::string type = change_set_type.empty() ? "UPDATE" : std::string(change_set_type);
  if (type != "CREATE" && type != "UPDATE") {
    return ValidationError("1 validation error detected: Value '" + type +
                           "' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: "
                           "[IMPORT, UPDATE, CREATE]");
  }
  const MutexLock lock(impl_->mu);
  StackState* s = impl_->Find(input.stack_name);
  if (type == "CREATE" && s != nullptr && s->status != "REVIEW_IN_PROGRESS") {
    return StackError{StackErrorType::kAlreadyExistsException, "Stack [" + input.stack_name + "] already exists"};
  }
  if (type == "UPDATE") {
    if (s == nullptr || s->status == "REVIEW_IN_PROGRESS") {
      return ValidationError("Stack [" + input.stack_name + "] does not exist");
    }
    if (!IsTerminal(s->status)) {
      return ValidationError("Stack:" + s->id + " is in " + s->status + " state and can not be updated.");
    }
  }
  std::string body;
  if (input.use_previous_template && s != nullptr) {
    body = s->template_body;
  } else if (input.template_body) {
    body = *input.template_body;
  } else {
    return ValidationError("Either Template URL or Template Body must be specified.");
  }
  auto t = ParseTemplate(body);
  if (!t.ok()) return t.error();
  auto params = ResolveParameters(*t, input.parameters, s != nullptr ? &s->parameters : nullptr);
  if (!params.ok()) return params.error();
  auto caps = impl_->CheckCapabilities(*t, input.capabilities);
  if (!caps.ok()) return caps.error();
  if (s != nullptr) {
    for (const auto& c : impl_->change_sets) {
      if (c.stack_id == s->id && c.name == change_set_name) {
        return StackError{StackErrorType::kAlreadyExistsException,
                          "ChangeSet " + std::string(change_set_name) + " already exists"};
      }
    }
  }
  if (s == nullptr) {
    auto fresh = std::make_unique<StackState>();
    fresh->id = "arn:aws:cloudformation:" + impl_->opt.region + ":" + impl_->opt.account_id + ":stack/" +
                input.stack_name + "/" + NewUuid();
    fresh->name = input.stack_name;
    fresh->created_ms = impl_->clock->NowMillis();
    s = fresh.get();
    impl_->stacks.push_back(std::move(fresh));
    impl_->SetStatus(*s, "REVIEW_IN_PROGRESS", "User Initiated");
  }
  ChangeSetState c;
  c.id = "arn:aws:cloudformation:" + impl_->opt.region + ":" + impl_->opt.account_id + ":changeSet/" +
         std::string(change_set_name) + "/" + NewUuid();
  c.name = std::string(change_set_name);
  c.stack_id = s->id;
  c.stack_name = s->name;
  c.type = type;
  c.description = input.description.value_or("");
  c.template_body = body;
  c.parameters = input.parameters;
  // What ExecuteChangeSet applies: the resolved values, so later stack changes cannot
  // alter what was reviewed.
  c.parameters.clear();
  for (const auto& [k, v] : *params) c.parameters.push_back({k, v, false});
  c.capabilities = input.capabilities;
  c.tags = input.tags.empty() ? s->tags : input.tags;
  c.created_ms = impl_->clock->NowMillis();
  c.changes = impl_->PlanChanges(*s, *t, *params);
  auto old_doc = ParseTemplateDocument(s->template_body);
  auto new_doc = ParseTemplateDocument(body);
  const bool same = type == "UPDATE" && old_doc.ok() && new_doc.ok() && *old_doc == *new_doc &&
                    *params == s->parameters && c.tags == s->tags;
  if (same || (type == "UPDATE" && c.changes.empty() && *params == s->parameters && c.tags == s->tags)) {
    c.status = "FAILED";
    c.reason = kNoChanges;
    c.execution_status = "UNAVAILABLE";
  } else {
    c.status = "CREATE_COMPLETE";
    c.execution_status = "AVAILABLE";
  }
  PersistChangeSet(*impl_, c);
  impl_->change_sets.push_back(c);
  return std::make_pair(c.id, c.stack_id);
}

namespace {

ChangeSetState* FindChangeSet(std::vector<ChangeSetState>& sets, std::string_view change_set, std::string_view stack) {
  for (auto& c : sets) {
    if (c.id == change_set) return &c;
    if (c.name == change_set && (c.stack_name == stack || c.stack_id == stack)) return &c;
  }
  return nullptr;
}

}  // namespace

StackResult<ChangeSetInfo> StackManager::DescribeChangeSet(std::string_view change_set, std::string_view stack) const {
  const MutexLock lock(impl_->mu);
  if (change_set.rfind("arn:", 0) != 0 && stack.empty()) {
    return ValidationError("StackName must be specified if ChangeSetName is not specified as an ARN.");
  }
  ChangeSetState* c = FindChangeSet(impl_->change_sets, change_set, stack);
  if (c == nullptr) return ChangeSetNotFound(change_set);
  return Describe(*c);
}

StackStatus StackManager::ExecuteChangeSet(std::string_view change_set, std::string_view stack) {
  const MutexLock lock(impl_->mu);
  if (change_set.rfind("arn:", 0) != 0 && stack.empty()) {
    return ValidationError("StackName must be specified if ChangeSetName is not specified as an ARN.");
  }
  ChangeSetState* c = FindChangeSet(impl_->change_sets, change_set, stack);
  if (c == nullptr) return ChangeSetNotFound(change_set);
  if (c->execution_status != "AVAILABLE") {
    return StackError{StackErrorType::kInvalidChangeSetStatusException,
                      "ChangeSet [" + c->id + "] cannot be executed in its current status of [" + c->status + "]"};
  }
  StackState* s = impl_->Find(c->stack_id);
  if (s == nullptr) return ChangeSetNotFound(change_set);
  auto t = ParseTemplate(c->template_body);
  if (!t.ok()) return t.error();
  std::map<std::string, std::string> params;
  for (const ParameterInput& p : c->parameters) params[p.key] = p.value.value_or("");
  if (c->type == "CREATE") {
    if (s->status != "REVIEW_IN_PROGRESS") {
      return ValidationError("Stack [" + s->name + "] already exists");
    }
    s->template_body = c->template_body;
    s->description = t->description;
    s->parameters = params;
    for (const ParameterDecl& p : t->parameters) {
      if (p.no_echo) s->no_echo.insert(p.name);
    }
    s->capabilities = c->capabilities;
    s->tags = c->tags;
    impl_->BeginCreate(*s);
  } else {
    auto begun = impl_->BeginUpdate(*s, c->template_body, *t, params, c->capabilities, c->tags);
    if (!begun.ok()) return begun;
  }
  c->execution_status = "EXECUTE_COMPLETE";
  PersistChangeSet(*impl_, *c);
  // Executing one change set makes the stack's other change sets stale: AWS deletes them.
  const std::string executed = c->id, stack_id = s->id;
  for (auto it = impl_->change_sets.begin(); it != impl_->change_sets.end();) {
    if (it->stack_id == stack_id && it->id != executed) {
      (void)catalog::DeleteChangeSet(*impl_->opt.catalog, it->id);
      it = impl_->change_sets.erase(it);
    } else {
      ++it;
    }
  }
  return Done{};
}

StackStatus StackManager::DeleteChangeSet(std::string_view change_set, std::string_view stack) {
  const MutexLock lock(impl_->mu);
  if (change_set.rfind("arn:", 0) != 0 && stack.empty()) {
    return ValidationError("StackName must be specified if ChangeSetName is not specified as an ARN.");
  }
  ChangeSetState* c = FindChangeSet(impl_->change_sets, change_set, stack);
  if (c == nullptr) return ChangeSetNotFound(change_set);
  const std::string id = c->id;
  (void)catalog::DeleteChangeSet(*impl_->opt.catalog, id);
  impl_->change_sets.erase(std::remove_if(impl_->change_sets.begin(), impl_->change_sets.end(),
                                          [&](const ChangeSetState& x) { return x.id == id; }),
                           impl_->change_sets.end());
  return Done{};
}

StackResult<std::vector<ChangeSetInfo>> StackManager::ListChangeSets(std::string_view stack) const {
  const MutexLock lock(impl_->mu);
  const StackState* s = impl_->Find(stack);
  if (s == nullptr) return impl_->NotFound(stack);
  std::vector<ChangeSetInfo> out;
  for (const auto& c : impl_->change_sets) {
    if (c.stack_id == s->id) out.push_back(Describe(c));
  }
  return out;
}

}  // namespace sluice::stacks
