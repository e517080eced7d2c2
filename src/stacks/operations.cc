// Stack operations: create, update, delete, and the rollbacks of the first two. Each
// runs on an operation thread; mu is held only to read or change the stack's record,
// never while a provider works, and every pointer into the record is looked up again
// after re-locking (parallel resource jobs may add resources to the same stack).
#include <algorithm>
#include <set>

#include "catalog/stacks.h"
#include "internal/engine.h"
#include "stacks/custom_resources.h"
#include "stacks/graph.h"

namespace sluice::stacks {

using internal::ResourceState;
using internal::StackState;

namespace {

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

}  // namespace

// Runs the jobs on the resource pool and waits for all; each returns whether it worked.
static std::vector<bool> RunParallel(StackManager::Impl& im, std::vector<std::function<bool()>> jobs) {
  std::vector<bool> results(jobs.size(), false);
  size_t left = jobs.size();
  for (size_t i = 0; i < jobs.size(); ++i) {
    im.resources->Post([&im, &results, &left, i, job = std::move(jobs[i])] {
      const bool ok = job();
      const MutexLock lock(im.mu);
      results[i] = ok;
      --left;
      im.cv.SignalAll();
    });
  }
  const MutexLock lock(im.mu);
  while (left > 0) im.cv.Wait(im.mu);
  return results;
}

namespace {

struct Plan {
  Template tmpl;
  std::map<std::string, bool> conditions;
  std::vector<std::vector<std::string>> waves;
};

// The template of the stack's current body, its conditions and waves. Requires mu.
StackResult<Plan> MakePlan(StackManager::Impl& im, StackState& s) REQUIRES(im.mu) {
  auto t = ParseTemplate(s.template_body);
  if (!t.ok()) return t.error();
  Plan p;
  p.tmpl = std::move(*t);
  EvalContext ctx = im.Context(s, &p.tmpl, nullptr);
  auto conds = EvaluateConditions(ctx);
  if (!conds.ok()) return conds.error();
  p.conditions = std::move(*conds);
  auto waves = CreationWaves(p.tmpl);
  if (!waves.ok()) return waves.error();
  p.waves = std::move(*waves);
  return p;
}

bool Wanted(const Plan& p, const ResourceDecl& d) {
  return !d.condition || p.conditions.at(*d.condition);
}

ResourceRequest RequestFor(StackManager::Impl& im, const StackState& s, const ResourceState& r) {
  ResourceRequest req;
  req.stack_name = s.name;
  req.logical_id = r.logical_id;
  req.type = r.type;
  req.properties = r.properties;
  req.pseudo = im.Pseudo(s);
  req.physical_name = r.pending_name;
  return req;
}

size_t MaxNameLength(std::string_view type) {
  if (type == "AWS::S3::Bucket") return 63;
  if (type == "AWS::IAM::Role" || type == "AWS::IAM::ManagedPolicy") return 64;
  if (type == "AWS::Lambda::Function" || type == "AWS::KinesisFirehose::DeliveryStream") return 64;
  if (type == "AWS::Lambda::Permission") return 100;
  return 128;
}

}  // namespace

// Runs `one` for each wanted resource, wave by wave, the resources of a wave in
// parallel; stops after the first wave with a failure. Returns the failed logical ids.
static std::vector<std::string> RunWaves(StackManager::Impl& im, const Plan& plan,
                                         const std::function<bool(const ResourceDecl&)>& one) {
  std::vector<std::string> failed;
  for (const auto& wave : plan.waves) {
    std::vector<std::function<bool()>> jobs;
    std::vector<std::string> ids;
    for (const std::string& id : wave) {
      const ResourceDecl* d = plan.tmpl.FindResource(id);
      if (!Wanted(plan, *d)) continue;
      ids.push_back(id);
      jobs.push_back([&one, d] { return one(*d); });
    }
    auto results = RunParallel(im, std::move(jobs));
    for (size_t i = 0; i < results.size(); ++i) {
      if (!results[i]) failed.push_back(ids[i]);
    }
    if (!failed.empty()) break;
  }
  return failed;
}

// Creates one resource of `plan` (mu not held). `replacing`: the resource exists and an
// update replaces it.
static bool CreateOne(StackManager::Impl& im, const std::string& stack_id, const Plan& plan,
                      const ResourceDecl& decl, bool replacing) {
  ResourceRequest req;
  ResourceProvider* provider = nullptr;
  const char* prefix = replacing ? "UPDATE" : "CREATE";
  {
    const MutexLock lock(im.mu);
    StackState* s = im.Find(stack_id);
    if (s == nullptr) return false;
    ResourceState* r = s->FindResource(decl.logical_id);
    if (r == nullptr) {
      ResourceState fresh;
      fresh.logical_id = decl.logical_id;
      fresh.type = decl.type;
      s->resources.push_back(std::move(fresh));
      r = &s->resources.back();
    }
    r->deletion_policy = decl.deletion_policy;
    EvalContext ctx = im.Context(*s, &plan.tmpl, &plan.conditions);
    auto props = Resolve(decl.properties, ctx);
    if (!props.ok()) {
      if (!replacing) r->type = decl.type;
      im.SetResourceStatus(*s, *r, std::string(prefix) + "_FAILED", props.error().message);
      return false;
    }
    provider = im.opt.providers->Find(decl.type);
    if (provider == nullptr) {
      r->type = decl.type;
      im.SetResourceStatus(*s, *r, std::string(prefix) + "_FAILED",
                           "Resource type " + decl.type + " is not supported by sluice (supported: see "
                           "docs/compatibility.md, CloudFormation)");
      return false;
    }
    if (!replacing) {
      r->type = decl.type;
      r->properties = props.value();
      r->pending_name = GeneratePhysicalName(s->name, decl.logical_id, MaxNameLength(decl.type),
                                             decl.type == "AWS::S3::Bucket");
      im.SetResourceStatus(*s, *r, "CREATE_IN_PROGRESS", "");
      req = RequestFor(im, *s, *r);
    } else {
      im.SetResourceStatus(*s, *r, "UPDATE_IN_PROGRESS",
                           "Requested update requires the creation of a new physical resource; hence creating one.");
      req = RequestFor(im, *s, *r);
      req.type = decl.type;
      req.properties = props.value();
      req.physical_name = GeneratePhysicalName(s->name, decl.logical_id, MaxNameLength(decl.type),
                                               decl.type == "AWS::S3::Bucket");
      // Remember the old resource for cleanup (or for the rollback) before creating.
      s->retired.push_back(*r);
      r->type = decl.type;
      r->properties = req.properties;
      r->pending_name = req.physical_name;
      r->physical_id.clear();
      im.Persist(*s);
    }
  }
  auto created = provider->Create(req);
  const MutexLock lock(im.mu);
  StackState* s = im.Find(stack_id);
  if (s == nullptr) return false;
  ResourceState* r = s->FindResource(decl.logical_id);
  if (!created.ok()) {
    if (!im.stopping) im.SetResourceStatus(*s, *r, std::string(prefix) + "_FAILED", created.error().message);
    return false;
  }
  r->physical_id = created->physical_id;
  r->attributes = created->attributes;
  im.AddEvent(*s, r->logical_id, r->physical_id, r->type, std::string(prefix) + "_IN_PROGRESS",
              "Resource creation Initiated");
  im.SetResourceStatus(*s, *r, std::string(prefix) + "_COMPLETE", "");
  return true;
}

// Deletes one resource (mu not held). `retired`: one of s.retired, found by physical id.
static bool DeleteOne(StackManager::Impl& im, const std::string& stack_id, const ResourceState& snapshot,
                      bool retired, bool retain) {
  ResourceRequest req;
  ResourceProvider* provider = nullptr;
  {
    const MutexLock lock(im.mu);
    StackState* s = im.Find(stack_id);
    if (s == nullptr) return false;
    if (!retired) {
      ResourceState* r = s->FindResource(snapshot.logical_id);
      if (r == nullptr) return true;
      if (retain || r->deletion_policy == "Retain") {
        im.SetResourceStatus(*s, *r, "DELETE_SKIPPED", "");
        return true;
      }
      im.SetResourceStatus(*s, *r, "DELETE_IN_PROGRESS", "");
    } else {
      if (snapshot.deletion_policy == "Retain") {
        im.AddEvent(*s, snapshot.logical_id, snapshot.physical_id, snapshot.type, "DELETE_SKIPPED", "");
        return true;
      }
      im.AddEvent(*s, snapshot.logical_id, snapshot.physical_id, snapshot.type, "DELETE_IN_PROGRESS", "");
    }
    req = RequestFor(im, *s, snapshot);
    provider = im.opt.providers->Find(snapshot.type);
  }
  StackStatus st = Done{};
  if (provider != nullptr) {  // a type no provider knows was never created
    ProvisionedResource current{snapshot.physical_id, snapshot.attributes};
    st = provider->Delete(req, current);
  }
  const MutexLock lock(im.mu);
  StackState* s = im.Find(stack_id);
  if (s == nullptr) return false;
  if (!st.ok() && im.stopping) return false;
  if (retired) {
    if (!st.ok()) {
      im.AddEvent(*s, snapshot.logical_id, snapshot.physical_id, snapshot.type, "DELETE_FAILED", st.error().message);
      return false;
    }
    auto& list = s->retired;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const ResourceState& x) {
                                return x.logical_id == snapshot.logical_id && x.physical_id == snapshot.physical_id &&
                                       x.pending_name == snapshot.pending_name;
                              }),
               list.end());
    im.Persist(*s);
    im.AddEvent(*s, snapshot.logical_id, snapshot.physical_id, snapshot.type, "DELETE_COMPLETE", "");
    return true;
  }
  ResourceState* r = s->FindResource(snapshot.logical_id);
  if (r == nullptr) return true;
  if (!st.ok()) {
    im.SetResourceStatus(*s, *r, "DELETE_FAILED", st.error().message);
    return false;
  }
  im.SetResourceStatus(*s, *r, "DELETE_COMPLETE", "");
  return true;
}

// Deletes what may exist of the stack's resources, in reverse creation order (by the
// stack's template where it parses, else reverse record order). Returns the logical ids
// that failed.
static std::vector<std::string> DeleteAll(StackManager::Impl& im, const std::string& stack_id,
                                          const std::set<std::string>& retain) {
  std::vector<std::vector<ResourceState>> order;
  {
    const MutexLock lock(im.mu);
    StackState* s = im.Find(stack_id);
    if (s == nullptr) return {};
    std::set<std::string> placed;
    auto t = ParseTemplate(s->template_body);
    if (t.ok()) {
      auto waves = CreationWaves(*t);
      if (waves.ok()) {
        for (auto it = waves->rbegin(); it != waves->rend(); ++it) {
          std::vector<ResourceState> wave;
          for (const std::string& id : *it) {
            const ResourceState* r = s->FindResource(id);
            if (r != nullptr && r->MayExist()) wave.push_back(*r);
            placed.insert(id);
          }
          if (!wave.empty()) order.push_back(std::move(wave));
        }
      }
    }
    for (auto it = s->resources.rbegin(); it != s->resources.rend(); ++it) {
      if (!placed.count(it->logical_id) && it->MayExist()) order.insert(order.begin(), {*it});
    }
  }
  std::vector<std::string> failed;
  for (const auto& wave : order) {
    std::vector<std::function<bool()>> jobs;
    for (const ResourceState& r : wave) {
      const bool keep = retain.count(r.logical_id) > 0;
      jobs.push_back([&im, stack_id, r, keep] { return DeleteOne(im, stack_id, r, false, keep); });
    }
    auto results = RunParallel(im, std::move(jobs));
    for (size_t i = 0; i < results.size(); ++i) {
      if (!results[i]) failed.push_back(wave[i].logical_id);
    }
  }
  return failed;
}

// Deletes the resources an update retired, newest first.
static bool DeleteRetired(StackManager::Impl& im, const std::string& stack_id) {
  std::vector<ResourceState> retired;
  {
    const MutexLock lock(im.mu);
    StackState* s = im.Find(stack_id);
    if (s == nullptr) return false;
    retired.assign(s->retired.rbegin(), s->retired.rend());
  }
  bool ok = true;
  for (const ResourceState& r : retired) ok = DeleteOne(im, stack_id, r, true, false) && ok;
  return ok;
}

namespace {

// The stack's outputs for `plan`, with export clashes refused. Requires mu.
StackResult<std::vector<OutputInfo>> ResolveOutputs(StackManager::Impl& im, StackState& s, const Plan& plan)
    REQUIRES(im.mu) {
  std::vector<OutputInfo> out;
  EvalContext ctx = im.Context(s, &plan.tmpl, &plan.conditions);
  // A custom resource whose response said NoEcho shows its Data masked in outputs.
  ctx.get_att = [get_att = ctx.get_att, &s](const std::string& id, const std::string& attr) -> StackResult<Json> {
    auto v = get_att(id, attr);
    const ResourceState* r = s.FindResource(id);
    if (v.ok() && r != nullptr && IsCustomResourceType(r->type) && CustomResourceNoEcho(r->attributes)) {
      return Json("*****");
    }
    return v;
  };
  for (const OutputDecl& o : plan.tmpl.outputs) {
    if (o.condition && !plan.conditions.at(*o.condition)) continue;
    auto v = Resolve(o.value, ctx);
    if (!v.ok()) return v.error();
    std::string text;
    if (v->is_array()) {
      for (const Json& item : *v) {
        auto t = ToText(item, "Outputs");
        if (!t.ok()) return t.error();
        text += (text.empty() ? "" : ",") + *t;
      }
    } else {
      auto t = ToText(*v, "Outputs");
      if (!t.ok()) return t.error();
      text = *t;
    }
    OutputInfo info{o.name, text, o.description, ""};
    if (o.export_name) {
      auto e = Resolve(*o.export_name, ctx);
      if (!e.ok()) return e.error();
      auto name = ToText(*e, "Export");
      if (!name.ok()) return name.error();
      for (const auto& other : im.stacks) {
        if (other->deleted || other->id == s.id) continue;
        for (const OutputInfo& x : other->outputs) {
          if (x.export_name == *name) {
            return ValidationError("Export with name " + *name + " is already exported by stack " + other->name);
          }
        }
      }
      info.export_name = *name;
    }
    out.push_back(std::move(info));
  }
  // An export another stack imports may not disappear or change.
  for (const OutputInfo& old : s.outputs) {
    if (old.export_name.empty()) continue;
    const auto it = std::find_if(out.begin(), out.end(),
                                 [&](const OutputInfo& o) { return o.export_name == old.export_name; });
    for (const auto& other : im.stacks) {
      if (other->deleted || other->id == s.id || !other->imports.count(old.export_name)) continue;
      if (it == out.end()) {
        return ValidationError("Cannot delete export " + old.export_name + " as it is in use by " + other->name);
      }
      if (it->value != old.value) {
        return ValidationError("Cannot update export " + old.export_name + " as it is in use by " + other->name);
      }
    }
  }
  return out;
}

}  // namespace

void StackManager::Impl::RunCreate(std::string stack_id) {
  Plan plan;
  {
    const MutexLock lock(mu);
    StackState* s = Find(stack_id);
    if (s == nullptr) return;
    auto p = MakePlan(*this, *s);
    if (!p.ok()) {
      SetStatus(*s, "ROLLBACK_COMPLETE", p.error().message);
      return;
    }
    plan = std::move(*p);
  }
  const std::vector<std::string> failed =
      RunWaves(*this, plan, [&](const ResourceDecl& d) { return CreateOne(*this, stack_id, plan, d, false); });
  std::string reason;
  bool rollback = false;
  {
    const MutexLock lock(mu);
    StackState* s = Find(stack_id);
    if (s == nullptr || (!failed.empty() && stopping)) return;
    if (failed.empty()) {
      auto outputs = ResolveOutputs(*this, *s, plan);
      if (outputs.ok()) {
        s->outputs = std::move(*outputs);
        SetStatus(*s, "CREATE_COMPLETE", "");
        return;
      }
      reason = outputs.error().message;
    } else {
      reason = "The following resource(s) failed to create: [" + JoinIds(failed) + "]. ";
    }
    if (s->disable_rollback) {
      SetStatus(*s, "CREATE_FAILED", reason);
      return;
    }
    SetStatus(*s, "ROLLBACK_IN_PROGRESS", reason + (failed.empty() ? "" : "Rollback requested by user."));
    rollback = true;
  }
  if (rollback) {
    auto left = DeleteAll(*this, stack_id, {});
    const MutexLock lock(mu);
    StackState* s = Find(stack_id);
    if (s == nullptr || (!left.empty() && stopping)) return;
    s->outputs.clear();
    if (left.empty()) {
      SetStatus(*s, "ROLLBACK_COMPLETE", "");
    } else {
      SetStatus(*s, "ROLLBACK_FAILED", "The following resource(s) failed to delete: [" + JoinIds(left) + "]. ");
    }
  }
}

void StackManager::Impl::RunDelete(std::string stack_id, std::vector<std::string> retain) {
  {
    const MutexLock lock(mu);
    StackState* s = Find(stack_id);
    if (s == nullptr) return;
    for (const OutputInfo& o : s->outputs) {
      if (o.export_name.empty()) continue;
      for (const auto& other : stacks) {
        if (!other->deleted && other->id != s->id && other->imports.count(o.export_name)) {
          SetStatus(*s, "DELETE_FAILED",
                    "Export " + o.export_name + " cannot be deleted as it is in use by " + other->name);
          return;
        }
      }
    }
  }
  const bool retired_ok = DeleteRetired(*this, stack_id);
  auto failed = DeleteAll(*this, stack_id, std::set<std::string>(retain.begin(), retain.end()));
  const MutexLock lock(mu);
  StackState* s = Find(stack_id);
  if (s == nullptr || ((!failed.empty() || !retired_ok) && stopping)) return;
  if (!failed.empty() || !retired_ok) {
    SetStatus(*s, "DELETE_FAILED", "The following resource(s) failed to delete: [" + JoinIds(failed) + "]. ");
    return;
  }
  s->deleted = true;
  s->deleted_ms = clock->NowMillis();
  s->imports.clear();
  SetStatus(*s, "DELETE_COMPLETE", "");
  for (auto it = change_sets.begin(); it != change_sets.end();) {
    if (it->stack_id == s->id) {
      (void)catalog::DeleteChangeSet(*opt.catalog, it->id);
      it = change_sets.erase(it);
    } else {
      ++it;
    }
  }
}

// Undoes the steps of a failed or interrupted update, newest first, and restores the
// stack's previous template, parameters and outputs.
static void RollbackUpdate(StackManager::Impl& im, const std::string& stack_id, const std::string& reason) {
  std::vector<internal::UpdateStep> steps;
  {
    const MutexLock lock(im.mu);
    StackState* s = im.Find(stack_id);
    if (s == nullptr) return;
    if (s->status != "UPDATE_ROLLBACK_IN_PROGRESS") im.SetStatus(*s, "UPDATE_ROLLBACK_IN_PROGRESS", reason);
    steps.assign(s->steps.rbegin(), s->steps.rend());
  }
  bool ok = true;
  for (const internal::UpdateStep& step : steps) {
    ResourceState current;
    ResourceRequest current_req, before_req;
    ResourceProvider* current_provider = nullptr;
    ResourceProvider* before_provider = nullptr;
    {
      const MutexLock lock(im.mu);
      StackState* s = im.Find(stack_id);
      const ResourceState* r = s->FindResource(step.before.logical_id);
      if (r != nullptr) current = *r;
      current_req = RequestFor(im, *s, current);
      before_req = RequestFor(im, *s, step.before);
      current_provider = im.opt.providers->Find(current.type);
      before_provider = im.opt.providers->Find(step.before.type);
    }
    // An in-place update that answered with a new physical id is undone as a replacement.
    const bool replaced = step.kind == "replaced" ||
                          (step.kind == "in_place" && !step.before.physical_id.empty() &&
                           current.physical_id != step.before.physical_id);
    if (step.kind == "added" || replaced) {
      // The resource the update created goes away.
      if (current.MayExist() && current_provider != nullptr) {
        auto st = current_provider->Delete(current_req, {current.physical_id, current.attributes});
        if (!st.ok()) ok = false;
      }
      const MutexLock lock(im.mu);
      StackState* s = im.Find(stack_id);
      if (!ok && im.stopping) return;
      if (current.MayExist()) {
        im.AddEvent(*s, current.logical_id, current.physical_id, current.type, "DELETE_COMPLETE", "");
      }
      if (step.kind == "added") {
        auto& res = s->resources;
        res.erase(std::remove_if(res.begin(), res.end(),
                                 [&](const ResourceState& x) { return x.logical_id == step.before.logical_id; }),
                  res.end());
        im.Persist(*s);
      } else {
        auto& list = s->retired;
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](const ResourceState& x) {
                                    return x.logical_id == step.before.logical_id &&
                                           x.physical_id == step.before.physical_id;
                                  }),
                   list.end());
        ResourceState* r = s->FindResource(step.before.logical_id);
        *r = step.before;
        im.SetResourceStatus(*s, *r, "UPDATE_COMPLETE", "");
      }
      continue;
    }
    // in_place: apply the old properties again.
    StackResult<ProvisionedResource> back = ProvisionedResource{current.physical_id, current.attributes};
    if (before_provider != nullptr) {
      back = before_provider->Update(before_req, {current.physical_id, current.attributes}, current.properties);
    }
    const MutexLock lock(im.mu);
    StackState* s = im.Find(stack_id);
    ResourceState* r = s->FindResource(step.before.logical_id);
    if (!back.ok() && im.stopping) return;
    if (!back.ok()) {
      ok = false;
      im.SetResourceStatus(*s, *r, "UPDATE_FAILED", back.error().message);
      continue;
    }
    *r = step.before;
    r->attributes = back->attributes;
    im.SetResourceStatus(*s, *r, "UPDATE_COMPLETE", "");
  }
  const MutexLock lock(im.mu);
  StackState* s = im.Find(stack_id);
  if (s == nullptr || (!ok && im.stopping)) return;
  if (s->previous) {
    const Json& p = *s->previous;
    s->template_body = p.value("template_body", s->template_body);
    s->parameters = p.value("parameters", s->parameters);
    s->no_echo = p.value("no_echo", s->no_echo);
    s->description = p.value("description", s->description);
    s->imports = p.value("imports", s->imports);
    s->capabilities = p.value("capabilities", s->capabilities);
    s->tags.clear();
    for (const Json& t : p.value("tags", Json::array())) s->tags.emplace_back(t[0], t[1]);
    s->outputs.clear();
    for (const Json& o : p.value("outputs", Json::array())) {
      s->outputs.push_back({o.value("key", ""), o.value("value", ""), o.value("description", ""), o.value("export", "")});
    }
  }
  s->previous.reset();
  s->steps.clear();
  if (!ok) {
    im.SetStatus(*s, "UPDATE_ROLLBACK_FAILED", "The stack could not be rolled back completely");
    return;
  }
  im.SetStatus(*s, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "");
  im.SetStatus(*s, "UPDATE_ROLLBACK_COMPLETE", "");
}

// Updates one resource to `decl` (mu not held).
static bool UpdateOne(StackManager::Impl& im, const std::string& stack_id, const Plan& plan,
                      const ResourceDecl& decl) {
  ResourceRequest req;
  ResourceProvider* provider = nullptr;
  ProvisionedResource current;
  Json old_properties;
  enum class Action { kCreate, kReplace, kInPlace } action = Action::kInPlace;
  {
    const MutexLock lock(im.mu);
    StackState* s = im.Find(stack_id);
    if (s == nullptr) return false;
    ResourceState* r = s->FindResource(decl.logical_id);
    if (r == nullptr || !r->MayExist()) {
      internal::UpdateStep step{"added", ResourceState{}};
      step.before.logical_id = decl.logical_id;
      s->steps.push_back(step);
      im.Persist(*s);
      action = Action::kCreate;
    } else {
      EvalContext ctx = im.Context(*s, &plan.tmpl, &plan.conditions);
      auto props = Resolve(decl.properties, ctx);
      if (!props.ok()) {
        im.SetResourceStatus(*s, *r, "UPDATE_FAILED", props.error().message);
        return false;
      }
      provider = im.opt.providers->Find(decl.type);
      UpdateKind kind = UpdateKind::kReplacement;
      if (provider != nullptr && r->type == decl.type) kind = provider->Classify(r->properties, *props);
      r->deletion_policy = decl.deletion_policy;
      if (kind == UpdateKind::kNone) return true;
      if (kind == UpdateKind::kReplacement) {
        s->steps.push_back({"replaced", *r});
        im.Persist(*s);
        action = Action::kReplace;
      } else {
        s->steps.push_back({"in_place", *r});
        old_properties = r->properties;
        current = {r->physical_id, r->attributes};
        r->properties = *props;
        im.SetResourceStatus(*s, *r, "UPDATE_IN_PROGRESS", "");
        req = RequestFor(im, *s, *r);
      }
    }
  }
  if (action != Action::kInPlace) return CreateOne(im, stack_id, plan, decl, action == Action::kReplace);
  auto updated = provider->Update(req, current, old_properties);
  const MutexLock lock(im.mu);
  StackState* s = im.Find(stack_id);
  ResourceState* r = s->FindResource(decl.logical_id);
  if (!updated.ok()) {
    if (!im.stopping) im.SetResourceStatus(*s, *r, "UPDATE_FAILED", updated.error().message);
    return false;
  }
  if (!current.physical_id.empty() && updated->physical_id != current.physical_id) {
    // The update answered with a new physical resource (a custom resource's new
    // PhysicalResourceId): the old one is deleted at cleanup, with its old properties.
    ResourceState old = *r;
    old.physical_id = current.physical_id;
    old.attributes = current.attributes;
    old.properties = old_properties;
    s->retired.push_back(std::move(old));
  }
  r->physical_id = updated->physical_id;
  r->attributes = updated->attributes;
  im.SetResourceStatus(*s, *r, "UPDATE_COMPLETE", "");
  return true;
}

void StackManager::Impl::RunUpdate(std::string stack_id) {
  Plan plan;
  {
    const MutexLock lock(mu);
    StackState* s = Find(stack_id);
    if (s == nullptr) return;
    auto p = MakePlan(*this, *s);
    if (!p.ok()) {
      // Validated when the call was accepted; only a bug gets here.
      s->steps.clear();
      SetStatus(*s, "UPDATE_ROLLBACK_IN_PROGRESS", p.error().message);
    } else {
      plan = std::move(*p);
    }
  }
  const std::vector<std::string> failed =
      RunWaves(*this, plan, [&](const ResourceDecl& d) { return UpdateOne(*this, stack_id, plan, d); });
  std::string reason;
  {
    const MutexLock lock(mu);
    StackState* s = Find(stack_id);
    if (s == nullptr || (!failed.empty() && stopping)) return;
    if (failed.empty() && s->status == "UPDATE_IN_PROGRESS") {
      auto outputs = ResolveOutputs(*this, *s, plan);
      if (outputs.ok()) {
        s->outputs = std::move(*outputs);
        // Resources no longer in the template (or whose condition is now false) retire.
        for (auto it = s->resources.begin(); it != s->resources.end();) {
          const ResourceDecl* d = plan.tmpl.FindResource(it->logical_id);
          if (d == nullptr || !Wanted(plan, *d)) {
            if (it->MayExist()) s->retired.push_back(*it);
            it = s->resources.erase(it);
          } else {
            ++it;
          }
        }
        s->previous.reset();
        s->steps.clear();
        SetStatus(*s, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "");
      } else {
        reason = outputs.error().message;
      }
    } else if (!failed.empty()) {
      reason = "The following resource(s) failed to update: [" + JoinIds(failed) + "]. ";
    }
  }
  if (!reason.empty()) {
    RollbackUpdate(*this, stack_id, reason);
    return;
  }
  const bool cleaned = DeleteRetired(*this, stack_id);
  const MutexLock lock(mu);
  StackState* s = Find(stack_id);
  if (s == nullptr) return;
  // A resource that cannot be cleaned up does not fail the update (as in AWS: the
  // event says DELETE_FAILED and the stack is UPDATE_COMPLETE).
  (void)cleaned;
  SetStatus(*s, "UPDATE_COMPLETE", "");
}

void StackManager::Impl::Resume(std::string stack_id) {
  std::string status;
  {
    const MutexLock lock(mu);
    StackState* s = Find(stack_id);
    if (s == nullptr) return;
    status = s->status;
    if (status == "CREATE_IN_PROGRESS") {
      SetStatus(*s, "ROLLBACK_IN_PROGRESS", "sluice restarted while the stack was being created");
      status = "ROLLBACK_IN_PROGRESS";
    }
  }
  if (status == "ROLLBACK_IN_PROGRESS") {
    auto left = DeleteAll(*this, stack_id, {});
    const MutexLock lock(mu);
    StackState* s = Find(stack_id);
    s->outputs.clear();
    SetStatus(*s, left.empty() ? "ROLLBACK_COMPLETE" : "ROLLBACK_FAILED", "");
  } else if (status == "DELETE_IN_PROGRESS") {
    RunDelete(stack_id, {});
  } else if (status == "UPDATE_IN_PROGRESS" || status == "UPDATE_ROLLBACK_IN_PROGRESS") {
    RollbackUpdate(*this, stack_id, "sluice restarted while the stack was being updated");
  } else if (status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS" ||
             status == "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS") {
    DeleteRetired(*this, stack_id);
    const MutexLock lock(mu);
    StackState* s = Find(stack_id);
    SetStatus(*s, status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS" ? "UPDATE_COMPLETE" : "UPDATE_ROLLBACK_COMPLETE", "");
  }
}

}  // namespace sluice::stacks
