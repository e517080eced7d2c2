#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "base/random.h"
#include "catalog/stacks.h"
#include "internal/engine.h"
#include "stacks/custom_resources.h"
#include "stacks/graph.h"
#include "stacks/references.h"

namespace sluice::stacks {

using internal::ResourceState;
using internal::StackState;

std::string NewUuid() {
  std::string h = RandomHex(16);
  h[12] = '4';
  h[16] = "89ab"[RandomU64() % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20);
}

bool ValidStackName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool IsTerminal(std::string_view status) {
  return status.find("_IN_PROGRESS") == std::string_view::npos;
}

StackManager::Impl::Impl(StackOptions o)
    : opt(std::move(o)),
      clock(opt.clock != nullptr ? opt.clock : &Clock::Real()),
      ops(std::make_unique<WorkPool>(2, "stack-ops")),
      resources(std::make_unique<WorkPool>(std::max(1, opt.workers), "stack-res")) {}

StackState* StackManager::Impl::Find(std::string_view name_or_id) {
  if (name_or_id.rfind("arn:", 0) == 0) {
    for (auto& s : stacks) {
      if (s->id == name_or_id) return s.get();
    }
    return nullptr;
  }
  for (auto& s : stacks) {
    if (!s->deleted && s->name == name_or_id) return s.get();
  }
  return nullptr;
}

const StackState* StackManager::Impl::Find(std::string_view name_or_id) const {
  return const_cast<Impl*>(this)->Find(name_or_id);
}

StackError StackManager::Impl::NotFound(std::string_view name_or_id) const {
  return ValidationError("Stack with id " + std::string(name_or_id) + " does not exist");
}

void StackManager::Impl::Persist(StackState& s) {
  s.updated_ms = std::max(s.updated_ms, s.created_ms);
  catalog::StackRow row{s.id, s.name, s.deleted, internal::ToJson(s).dump(), clock->NowMillis()};
  Status st = catalog::PutStack(*opt.catalog, row);
  if (!st.ok()) spdlog::error("stacks: cannot record stack {}: {}", s.name, st.ToString());
}

void StackManager::Impl::AddEvent(StackState& s, const std::string& logical_id, const std::string& physical_id,
                                  const std::string& type, const std::string& status,
                                  const std::string& reason, const std::string& properties) {
  EventInfo e;
  e.event_id = logical_id == s.name ? NewUuid() : logical_id + "-" + status + "-" + NewUuid().substr(0, 8);
  e.stack_id = s.id;
  e.stack_name = s.name;
  e.logical_id = logical_id;
  e.physical_id = physical_id;
  e.type = type;
  e.status = status;
  e.reason = reason;
  e.properties = properties;
  e.timestamp_ms = clock->NowMillis();
  Status st = catalog::AppendStackEvents(*opt.catalog, s.id, s.next_event_seq, {internal::ToJson(e).dump()});
  if (!st.ok()) spdlog::error("stacks: cannot record an event of {}: {}", s.name, st.ToString());
  ++s.next_event_seq;
  events[s.id].push_back(std::move(e));
}

void StackManager::Impl::SetStatus(StackState& s, const std::string& status, const std::string& reason) {
  s.status = status;
  s.reason = reason;
  s.updated_ms = clock->NowMillis();
  Persist(s);
  AddEvent(s, s.name, s.id, "AWS::CloudFormation::Stack", status, reason);
  cv.SignalAll();
}

void StackManager::Impl::SetResourceStatus(StackState& s, ResourceState& r, const std::string& status,
                                           const std::string& reason) {
  r.status = status;
  r.reason = reason;
  r.updated_ms = clock->NowMillis();
  Persist(s);
  AddEvent(s, r.logical_id, r.physical_id, r.type, status, reason, r.properties.empty() ? "" : r.properties.dump());
}

PseudoParameters StackManager::Impl::Pseudo(const StackState& s) const {
  PseudoParameters p;
  p.region = opt.region;
  p.account_id = opt.account_id;
  p.stack_name = s.name;
  p.stack_id = s.id;
  return p;
}

void StackManager::Impl::StartOperation(std::function<void()> job) {
  const MutexLock lock(mu);
  StartOperationLocked(std::move(job));
}

void StackManager::Impl::StartOperationLocked(std::function<void()> job) {
  ++running;
  ops->Post([this, job = std::move(job)] {
    job();
    const MutexLock lock(mu);
    --running;
    cv.SignalAll();
  });
}

std::optional<std::string> StackManager::Impl::ExportValue(const std::string& name,
                                                           const std::string& except_stack) const {
  for (const auto& s : stacks) {
    if (s->deleted || s->id == except_stack) continue;
    for (const OutputInfo& o : s->outputs) {
      if (o.export_name == name) return o.value;
    }
  }
  return std::nullopt;
}

EvalContext StackManager::Impl::Context(StackState& s, const Template* t,
                                        const std::map<std::string, bool>* conditions) {
  EvalContext ctx;
  ctx.tmpl = t;
  ctx.parameters = &s.parameters;
  ctx.pseudo = Pseudo(s);
  ctx.conditions = conditions;
  StackState* sp = &s;
  ctx.resource_ref = [sp](const std::string& id) -> StackResult<Json> {
    const ResourceState* r = sp->FindResource(id);
    if (r == nullptr || r->physical_id.empty()) {
      return ValidationError("Template error: resource " + id + " has no physical id yet");
    }
    return Json(r->physical_id);
  };
  ctx.get_att = [sp](const std::string& id, const std::string& attr) -> StackResult<Json> {
    const ResourceState* r = sp->FindResource(id);
    if (r == nullptr) return ValidationError("Template error: instance of Fn::GetAtt references undefined resource " + id);
    if (IsCustomResourceType(r->type)) return CustomResourceAttribute(r->attributes, attr);
    if (!r->attributes.contains(attr)) {
      return ValidationError("Template error: resource " + id + " does not support attribute type " + attr +
                             " in Fn::GetAtt");
    }
    return r->attributes[attr];
  };
  ctx.import_value = [this, sp](const std::string& name) -> StackResult<std::string> {
    mu.AssertHeld();
    auto v = ExportValue(name, sp->id);
    if (!v) return ValidationError("No export named " + name + " found.");
    sp->imports.insert(name);
    return *v;
  };
  return ctx;
}

StackStatus StackManager::Impl::CheckCapabilities(const Template& t,
                                                  const std::vector<std::string>& capabilities) const {
  const bool iam = std::count(capabilities.begin(), capabilities.end(), "CAPABILITY_IAM") > 0;
  const bool named = std::count(capabilities.begin(), capabilities.end(), "CAPABILITY_NAMED_IAM") > 0;
  for (const std::string& c : capabilities) {
    if (c != "CAPABILITY_IAM" && c != "CAPABILITY_NAMED_IAM" && c != "CAPABILITY_AUTO_EXPAND") {
      return ValidationError("1 validation error detected: Value '[" + c +
                             "]' at 'capabilities' failed to satisfy constraint: Member must satisfy constraint: "
                             "[Member must satisfy enum value set: [CAPABILITY_AUTO_EXPAND, CAPABILITY_NAMED_IAM, "
                             "CAPABILITY_IAM]]");
    }
  }
  bool need_iam = false, need_named = false;
  for (const ResourceDecl& r : t.resources) {
    if (r.type.rfind("AWS::IAM::", 0) != 0) continue;
    need_iam = true;
    for (const char* key : {"RoleName", "ManagedPolicyName", "UserName", "GroupName", "InstanceProfileName"}) {
      if (r.properties.contains(key)) need_named = true;
    }
  }
  if (need_named && !named) {
    return StackError{StackErrorType::kInsufficientCapabilitiesException,
                      "Requires capabilities : [CAPABILITY_NAMED_IAM]"};
  }
  if (need_iam && !iam && !named) {
    return StackError{StackErrorType::kInsufficientCapabilitiesException, "Requires capabilities : [CAPABILITY_IAM]"};
  }
  return Done{};
}

StackStatus StackManager::Impl::BeginUpdate(StackState& st, const std::string& body, const Template& t,
                                            std::map<std::string, std::string> params,
                                            const std::vector<std::string>& capabilities, const Tags& tags) {
  StackState* s = &st;
  auto old_doc = ParseTemplateDocument(s->template_body);
  auto new_doc = ParseTemplateDocument(body);
  if (old_doc.ok() && new_doc.ok() && *old_doc == *new_doc && params == s->parameters && tags == s->tags) {
    return ValidationError("No updates are to be performed.");
  }
  Json previous{{"template_body", s->template_body}, {"parameters", s->parameters},
                {"no_echo", s->no_echo}, {"description", s->description}, {"imports", s->imports},
                {"capabilities", s->capabilities}, {"tags", Json::array()}};
  for (const auto& [k, v] : s->tags) previous["tags"].push_back(Json::array({k, v}));
  Json outputs = Json::array();
  for (const OutputInfo& o : s->outputs) {
    outputs.push_back({{"key", o.key}, {"value", o.value}, {"description", o.description}, {"export", o.export_name}});
  }
  previous["outputs"] = outputs;
  s->previous = previous;
  s->steps.clear();
  s->template_body = body;
  s->description = t.description;
  s->parameters = std::move(params);
  s->no_echo.clear();
  for (const ParameterDecl& p : t.parameters) {
    if (p.no_echo) s->no_echo.insert(p.name);
  }
  s->capabilities = capabilities;
  s->tags = tags;
  SetStatus(*s, "UPDATE_IN_PROGRESS", "User Initiated");
  const std::string id = s->id;
  StartOperationLocked([this, id] { RunUpdate(id); });
  return Done{};
}

void StackManager::Impl::BeginCreate(StackState& s) {
  SetStatus(s, "CREATE_IN_PROGRESS", "User Initiated");
  const std::string id = s.id;
  StartOperationLocked([this, id] { RunCreate(id); });
}

StackManager::StackManager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StackManager::~StackManager() {
  WaitIdle();
  impl_->ops.reset();
  impl_->resources.reset();
}

StackResult<std::unique_ptr<StackManager>> StackManager::Open(StackOptions options) {
  if (options.catalog == nullptr || options.providers == nullptr) {
    return StackError{StackErrorType::kInternalFailure, "StackManager needs a catalog and providers"};
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  auto rows = catalog::LoadStacks(*impl->opt.catalog);
  if (!rows.ok()) return StackError{StackErrorType::kInternalFailure, rows.status().ToString()};
  auto change_sets = catalog::LoadChangeSets(*impl->opt.catalog);
  if (!change_sets.ok()) return StackError{StackErrorType::kInternalFailure, change_sets.status().ToString()};
  std::vector<std::string> to_resume;
  {
    const MutexLock lock(impl->mu);
    for (const catalog::StackRow& row : *rows) {
      Json j = Json::parse(row.record, nullptr, false);
      if (j.is_discarded()) {
        return StackError{StackErrorType::kInternalFailure, "the record of stack " + row.name + " is not JSON"};
      }
      auto s = std::make_unique<StackState>(internal::StackFromJson(j));
      auto events = catalog::LoadStackEvents(*impl->opt.catalog, s->id);
      if (!events.ok()) return StackError{StackErrorType::kInternalFailure, events.status().ToString()};
      auto& list = impl->events[s->id];
      for (const std::string& e : *events) {
        EventInfo info = internal::EventFromJson(Json::parse(e, nullptr, false));
        info.stack_id = s->id;
        info.stack_name = s->name;
        list.push_back(std::move(info));
      }
      s->next_event_seq = static_cast<int64_t>(list.size());
      if (!IsTerminal(s->status) && s->status != "REVIEW_IN_PROGRESS") to_resume.push_back(s->id);
      impl->stacks.push_back(std::move(s));
    }
    for (const catalog::ChangeSetRow& row : *change_sets) {
      impl->change_sets.push_back(internal::ChangeSetFromJson(Json::parse(row.record, nullptr, false)));
    }
  }
  auto manager = std::make_unique<StackManager>(std::move(impl));
  for (const std::string& id : to_resume) {
    Impl* im = manager->impl_.get();
    im->StartOperation([im, id] { im->Resume(id); });
  }
  return manager;
}

StackResult<ValidateResult> StackManager::ValidateTemplate(std::string_view body) const {
  auto t = ParseTemplate(body);
  if (!t.ok()) return t.error();
  ValidateResult r;
  r.description = t->description;
  for (const ParameterDecl& p : t->parameters) {
    r.parameters.push_back({p.name, p.default_value.value_or(""), p.description, p.no_echo,
                            p.default_value.has_value(), p.type, p.allowed_values});
  }
  r.version = t->format_version;
  for (const ResourceDecl& res : t->resources) {
    if (std::find(r.resource_types.begin(), r.resource_types.end(), res.type) == r.resource_types.end()) {
      r.resource_types.push_back(res.type);
    }
  }
  auto iam = impl_->CheckCapabilities(*t, {});
  if (!iam.ok()) {
    const bool named = iam.error().message.find("NAMED") != std::string::npos;
    r.capabilities.push_back(named ? "CAPABILITY_NAMED_IAM" : "CAPABILITY_IAM");
    std::string names;
    for (const ResourceDecl& res : t->resources) {
      if (res.type.rfind("AWS::IAM::", 0) == 0) names += (names.empty() ? "" : ", ") + res.logical_id;
    }
    r.capabilities_reason = "The following resource(s) require capabilities: [" + names + "]";
  }
  return r;
}

StackResult<std::string> StackManager::CreateStack(const StackInput& input) {
  if (!ValidStackName(input.stack_name)) {
    return ValidationError("1 validation error detected: Value '" + input.stack_name +
                           "' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression "
                           "pattern: [a-zA-Z][-a-zA-Z0-9]*");
  }
  if (!input.template_body) return ValidationError("Either Template URL or Template Body must be specified.");
  auto t = ParseTemplate(*input.template_body);
  if (!t.ok()) return t.error();
  auto params = ResolveParameters(*t, input.parameters, nullptr);
  if (!params.ok()) return params.error();
  auto caps = impl_->CheckCapabilities(*t, input.capabilities);
  if (!caps.ok()) return caps.error();
  const MutexLock lock(impl_->mu);
  if (impl_->Find(input.stack_name) != nullptr) {
    return StackError{StackErrorType::kAlreadyExistsException, "Stack [" + input.stack_name + "] already exists"};
  }
  auto s = std::make_unique<StackState>();
  s->id = "arn:aws:cloudformation:" + impl_->opt.region + ":" + impl_->opt.account_id + ":stack/" +
          input.stack_name + "/" + NewUuid();
  s->name = input.stack_name;
  s->template_body = *input.template_body;
  s->description = t->description;
  s->parameters = std::move(*params);
  for (const ParameterDecl& p : t->parameters) {
    if (p.no_echo) s->no_echo.insert(p.name);
  }
  s->capabilities = input.capabilities;
  s->tags = input.tags;
  s->disable_rollback = input.disable_rollback;
  s->created_ms = impl_->clock->NowMillis();
  StackState* raw = s.get();
  impl_->stacks.push_back(std::move(s));
  impl_->BeginCreate(*raw);
  return raw->id;
}

StackResult<std::string> StackManager::UpdateStack(const StackInput& input) {
  const MutexLock lock(impl_->mu);
  StackState* s = impl_->Find(input.stack_name);
  if (s == nullptr) return impl_->NotFound(input.stack_name);
  static const std::set<std::string> kUpdatable = {"CREATE_COMPLETE", "UPDATE_COMPLETE",
                                                   "UPDATE_ROLLBACK_COMPLETE"};
  if (!kUpdatable.count(s->status)) {
    return ValidationError("Stack:" + s->id + " is in " + s->status + " state and can not be updated.");
  }
  if (!input.template_body && !input.use_previous_template) {
    return ValidationError("Either Template URL or Template Body must be specified.");
  }
  const std::string body = input.use_previous_template ? s->template_body : *input.template_body;
  auto t = ParseTemplate(body);
  if (!t.ok()) return t.error();
  auto params = ResolveParameters(*t, input.parameters, &s->parameters);
  if (!params.ok()) return params.error();
  auto caps = impl_->CheckCapabilities(*t, input.capabilities);
  if (!caps.ok()) return caps.error();
  auto begun = impl_->BeginUpdate(*s, body, *t, std::move(*params), input.capabilities,
                                  input.tags.empty() ? s->tags : input.tags);
  if (!begun.ok()) return begun.error();
  return s->id;
}

StackStatus StackManager::DeleteStack(std::string_view name_or_id, const std::vector<std::string>& retain) {
  const MutexLock lock(impl_->mu);
  StackState* s = impl_->Find(name_or_id);
  if (s == nullptr || s->deleted) return Done{};
  if (s->status == "DELETE_IN_PROGRESS") return Done{};
  if (!IsTerminal(s->status)) {
    return ValidationError("Stack [" + s->name + "] cannot be deleted while in status " + s->status);
  }
  if (!retain.empty() && s->status != "DELETE_FAILED") {
    return ValidationError("Invalid operation on stack [" + s->id +
                           "]. RetainResources can only be specified when the stack is in the DELETE_FAILED state");
  }
  impl_->SetStatus(*s, "DELETE_IN_PROGRESS", "User Initiated");
  const std::string id = s->id;
  Impl* im = impl_.get();
  impl_->StartOperationLocked([im, id, retain] { im->RunDelete(id, retain); });
  return Done{};
}

namespace {

StackInfo Describe(const StackState& s) {
  StackInfo info;
  info.stack_id = s.id;
  info.name = s.name;
  info.status = s.status;
  info.status_reason = s.reason;
  info.description = s.description;
  info.created_ms = s.created_ms;
  info.updated_ms = s.updated_ms;
  info.deleted_ms = s.deleted_ms;
  for (const auto& [k, v] : s.parameters) info.parameters.push_back({k, s.no_echo.count(k) ? "****" : v});
  info.outputs = s.outputs;
  info.capabilities = s.capabilities;
  info.tags = s.tags;
  info.disable_rollback = s.disable_rollback;
  return info;
}

}  // namespace

StackResult<std::vector<StackInfo>> StackManager::DescribeStacks(std::string_view name_or_id) const {
  const MutexLock lock(impl_->mu);
  std::vector<StackInfo> out;
  if (!name_or_id.empty()) {
    const StackState* s = impl_->Find(name_or_id);
    if (s == nullptr) return impl_->NotFound(name_or_id);
    out.push_back(Describe(*s));
    return out;
  }
  for (auto it = impl_->stacks.rbegin(); it != impl_->stacks.rend(); ++it) {
    if (!(*it)->deleted) out.push_back(Describe(**it));
  }
  return out;
}

StackResult<std::vector<EventInfo>> StackManager::DescribeStackEvents(std::string_view name_or_id) const {
  const MutexLock lock(impl_->mu);
  const StackState* s = impl_->Find(name_or_id);
  if (s == nullptr) return impl_->NotFound(name_or_id);
  auto it = impl_->events.find(s->id);
  std::vector<EventInfo> out;
  if (it != impl_->events.end()) out.assign(it->second.rbegin(), it->second.rend());
  return out;
}

StackResult<std::vector<ResourceInfo>> StackManager::DescribeStackResources(std::string_view name_or_id,
                                                                           std::string_view logical_id) const {
  const MutexLock lock(impl_->mu);
  const StackState* s = impl_->Find(name_or_id);
  if (s == nullptr) return impl_->NotFound(name_or_id);
  std::vector<ResourceInfo> out;
  for (const ResourceState& r : s->resources) {
    if (!logical_id.empty() && r.logical_id != logical_id) continue;
    out.push_back({s->id, s->name, r.logical_id, r.physical_id, r.type, r.status, r.reason, r.updated_ms});
  }
  if (!logical_id.empty() && out.empty()) {
    return ValidationError("Resource " + std::string(logical_id) + " does not exist for stack " + s->name);
  }
  return out;
}

std::vector<StackInfo> StackManager::ListStacks(const std::vector<std::string>& filter) const {
  const MutexLock lock(impl_->mu);
  std::vector<StackInfo> out;
  for (auto it = impl_->stacks.rbegin(); it != impl_->stacks.rend(); ++it) {
    if (!filter.empty() && std::find(filter.begin(), filter.end(), (*it)->status) == filter.end()) continue;
    out.push_back(Describe(**it));
  }
  return out;
}

StackResult<std::string> StackManager::GetTemplate(std::string_view name_or_id, std::string_view change_set) const {
  const MutexLock lock(impl_->mu);
  if (!change_set.empty()) {
    for (const auto& c : impl_->change_sets) {
      if (c.id == change_set || (c.name == change_set && (c.stack_name == name_or_id || c.stack_id == name_or_id))) {
        return c.template_body;
      }
    }
    return StackError{StackErrorType::kChangeSetNotFoundException,
                      "ChangeSet [" + std::string(change_set) + "] does not exist"};
  }
  const StackState* s = impl_->Find(name_or_id);
  if (s == nullptr) return impl_->NotFound(name_or_id);
  return s->template_body;
}

std::vector<ExportInfo> StackManager::ListExports() const {
  const MutexLock lock(impl_->mu);
  std::vector<ExportInfo> out;
  for (const auto& s : impl_->stacks) {
    if (s->deleted) continue;
    for (const OutputInfo& o : s->outputs) {
      if (!o.export_name.empty()) out.push_back({s->id, o.export_name, o.value});
    }
  }
  return out;
}

StackResult<std::vector<std::string>> StackManager::ListImports(std::string_view export_name) const {
  const MutexLock lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& s : impl_->stacks) {
    if (!s->deleted && s->imports.count(std::string(export_name))) out.push_back(s->name);
  }
  if (out.empty()) {
    return ValidationError("Export '" + std::string(export_name) + "' is not imported by any stack.");
  }
  return out;
}

void StackManager::Stop() {
  const MutexLock lock(impl_->mu);
  impl_->stopping = true;
}

void StackManager::WaitIdle() {
  const MutexLock lock(impl_->mu);
  while (impl_->running > 0) impl_->cv.Wait(impl_->mu);
}

}  // namespace sluice::stacks
