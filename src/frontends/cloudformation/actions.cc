#include "base/clock.h"
#include "internal/actions.h"
#include "internal/paging.h"

namespace sluice::frontends::cloudformation {

using awsproto::QueryParams;
using awsproto::XmlBuilder;
using stacks::StackError;
using stacks::StackResult;

namespace {

StackError Missing(std::string_view name) {
  return stacks::ValidationError("1 validation error detected: Value null at '" + std::string(name) +
                                 "' failed to satisfy constraint: Member must not be null");
}

StackResult<std::string> Required(const QueryParams& q, std::string_view key, std::string_view member) {
  auto v = q.Get(key);
  if (!v) return Missing(member);
  return *v;
}

stacks::Tags TagsOf(const QueryParams& q) {
  stacks::Tags tags;
  for (const auto& m : q.StructList("Tags")) {
    auto k = m.find("Key");
    auto v = m.find("Value");
    tags.emplace_back(k == m.end() ? "" : k->second, v == m.end() ? "" : v->second);
  }
  return tags;
}

StackResult<stacks::StackInput> InputOf(const ActionContext& ctx, const QueryParams& q) {
  stacks::StackInput in;
  auto name = Required(q, "StackName", "stackName");
  if (!name.ok()) return name.error();
  in.stack_name = *name;
  auto body = TemplateOf(ctx, q);
  if (!body.ok()) return body.error();
  in.template_body = *body;
  in.use_previous_template = q.Get("UsePreviousTemplate").value_or("") == "true";
  for (const auto& m : q.StructList("Parameters")) {
    stacks::ParameterInput p;
    auto k = m.find("ParameterKey");
    if (k != m.end()) p.key = k->second;
    auto v = m.find("ParameterValue");
    if (v != m.end()) p.value = v->second;
    auto prev = m.find("UsePreviousValue");
    p.use_previous_value = prev != m.end() && prev->second == "true";
    in.parameters.push_back(std::move(p));
  }
  in.capabilities = q.List("Capabilities");
  in.tags = TagsOf(q);
  in.disable_rollback = q.Get("DisableRollback").value_or("") == "true" ||
                        q.Get("OnFailure").value_or("") == "DO_NOTHING";
  in.description = q.Get("Description");
  return in;
}

void WriteParameters(XmlBuilder& x, const std::vector<stacks::ParameterInfo>& params) {
  x.Open("Parameters");
  for (const auto& p : params) {
    x.Open("member").Leaf("ParameterKey", p.key).Leaf("ParameterValue", p.value).Close("member");
  }
  x.Close("Parameters");
}

void WriteTags(XmlBuilder& x, const stacks::Tags& tags) {
  x.Open("Tags");
  for (const auto& [k, v] : tags) x.Open("member").Leaf("Key", k).Leaf("Value", v).Close("member");
  x.Close("Tags");
}

void WriteList(XmlBuilder& x, std::string_view name, const std::vector<std::string>& items) {
  x.Open(name);
  for (const auto& i : items) x.Leaf("member", i);
  x.Close(name);
}

void WriteStack(XmlBuilder& x, const stacks::StackInfo& s) {
  x.Open("member").Leaf("StackId", s.stack_id).Leaf("StackName", s.name);
  if (!s.description.empty()) x.Leaf("Description", s.description);
  WriteParameters(x, s.parameters);
  x.Leaf("CreationTime", Iso8601Millis(s.created_ms));
  if (s.updated_ms > s.created_ms) x.Leaf("LastUpdatedTime", Iso8601Millis(s.updated_ms));
  if (s.deleted_ms > 0) x.Leaf("DeletionTime", Iso8601Millis(s.deleted_ms));
  x.Leaf("StackStatus", s.status);
  if (!s.status_reason.empty()) x.Leaf("StackStatusReason", s.status_reason);
  x.Leaf("DisableRollback", s.disable_rollback ? "true" : "false");
  x.Open("Outputs");
  for (const auto& o : s.outputs) {
    x.Open("member").Leaf("OutputKey", o.key).Leaf("OutputValue", o.value);
    if (!o.description.empty()) x.Leaf("Description", o.description);
    if (!o.export_name.empty()) x.Leaf("ExportName", o.export_name);
    x.Close("member");
  }
  x.Close("Outputs");
  WriteList(x, "Capabilities", s.capabilities);
  WriteTags(x, s.tags);
  x.Open("DriftInformation").Leaf("StackDriftStatus", "NOT_CHECKED").Close("DriftInformation");
  x.Close("member");
}

ActionOutcome Fail(StackError e) { return ActionOutcome{std::move(e), "", true}; }
ActionOutcome Result(XmlBuilder& x) { return ActionOutcome{Done{}, x.Take(), true}; }

// The page of `items` the request's NextToken asks for (internal/paging.h).
template <typename T, typename KeyOf>
StackResult<PageBounds> PageFor(const QueryParams& q, const std::vector<T>& items, KeyOf key_of) {
  std::vector<std::string> keys;
  keys.reserve(items.size());
  for (const T& item : items) keys.push_back(key_of(item));
  return PageOf(keys, q.action(), q.Get("NextToken"));
}

void WriteNextToken(XmlBuilder& x, const PageBounds& page) {
  if (page.next_token) x.Leaf("NextToken", *page.next_token);
}

ActionOutcome ValidateTemplate(const ActionContext& ctx, const QueryParams& q) {
  auto body = TemplateOf(ctx, q);
  if (!body.ok()) return Fail(body.error());
  if (!*body) return Fail(stacks::ValidationError("Either Template URL or Template Body must be specified."));
  auto v = ctx.stacks.ValidateTemplate(**body);
  if (!v.ok()) return Fail(v.error());
  XmlBuilder x;
  x.Open("Parameters");
  for (const auto& p : v->parameters) {
    x.Open("member").Leaf("NoEcho", p.no_echo ? "true" : "false").Leaf("ParameterKey", p.key);
    if (p.has_default) x.Leaf("DefaultValue", p.default_value);
    if (!p.description.empty()) x.Leaf("Description", p.description);
    x.Close("member");
  }
  x.Close("Parameters");
  if (!v->description.empty()) x.Leaf("Description", v->description);
  WriteList(x, "Capabilities", v->capabilities);
  if (!v->capabilities_reason.empty()) x.Leaf("CapabilitiesReason", v->capabilities_reason);
  return Result(x);
}

// What `aws cloudformation deploy` asks before creating a change set.
ActionOutcome GetTemplateSummary(const ActionContext& ctx, const QueryParams& q) {
  auto body = TemplateOf(ctx, q);
  if (!body.ok()) return Fail(body.error());
  std::string text;
  if (*body) {
    text = **body;
  } else if (auto stack = q.Get("StackName")) {
    auto t = ctx.stacks.GetTemplate(*stack, "");
    if (!t.ok()) return Fail(t.error());
    text = *t;
  } else {
    return Fail(stacks::ValidationError("Either Template URL or Template Body must be specified."));
  }
  auto v = ctx.stacks.ValidateTemplate(text);
  if (!v.ok()) return Fail(v.error());
  XmlBuilder x;
  x.Open("Parameters");
  for (const auto& p : v->parameters) {
    x.Open("member").Leaf("ParameterKey", p.key).Leaf("ParameterType", p.type);
    x.Leaf("NoEcho", p.no_echo ? "true" : "false");
    if (p.has_default) x.Leaf("DefaultValue", p.default_value);
    if (!p.description.empty()) x.Leaf("Description", p.description);
    x.Open("ParameterConstraints");
    WriteList(x, "AllowedValues", p.allowed_values);
    x.Close("ParameterConstraints").Close("member");
  }
  x.Close("Parameters");
  if (!v->description.empty()) x.Leaf("Description", v->description);
  WriteList(x, "Capabilities", v->capabilities);
  if (!v->capabilities_reason.empty()) x.Leaf("CapabilitiesReason", v->capabilities_reason);
  WriteList(x, "ResourceTypes", v->resource_types);
  if (!v->version.empty()) x.Leaf("Version", v->version);
  WriteList(x, "DeclaredTransforms", {});
  return Result(x);
}

ActionOutcome CreateOrUpdate(const ActionContext& ctx, const QueryParams& q, bool create) {
  auto in = InputOf(ctx, q);
  if (!in.ok()) return Fail(in.error());
  auto id = create ? ctx.stacks.CreateStack(*in) : ctx.stacks.UpdateStack(*in);
  if (!id.ok()) return Fail(id.error());
  XmlBuilder x;
  x.Leaf("StackId", *id);
  return Result(x);
}

ActionOutcome DeleteStack(const ActionContext& ctx, const QueryParams& q) {
  auto name = Required(q, "StackName", "stackName");
  if (!name.ok()) return Fail(name.error());
  auto st = ctx.stacks.DeleteStack(*name, q.List("RetainResources"));
  if (!st.ok()) return Fail(st.error());
  return ActionOutcome{Done{}, "", false};
}

ActionOutcome DescribeStacks(const ActionContext& ctx, const QueryParams& q) {
  auto list = ctx.stacks.DescribeStacks(q.Get("StackName").value_or(""));
  if (!list.ok()) return Fail(list.error());
  auto page = PageFor(q, *list, [](const stacks::StackInfo& s) { return s.stack_id; });
  if (!page.ok()) return Fail(page.error());
  XmlBuilder x;
  x.Open("Stacks");
  for (size_t i = page->begin; i < page->end; ++i) WriteStack(x, (*list)[i]);
  x.Close("Stacks");
  WriteNextToken(x, *page);
  return Result(x);
}

ActionOutcome DescribeStackEvents(const ActionContext& ctx, const QueryParams& q) {
  auto name = Required(q, "StackName", "stackName");
  if (!name.ok()) return Fail(name.error());
  auto events = ctx.stacks.DescribeStackEvents(*name);
  if (!events.ok()) return Fail(events.error());
  auto page = PageFor(q, *events, [](const stacks::EventInfo& e) { return e.event_id; });
  if (!page.ok()) return Fail(page.error());
  XmlBuilder x;
  x.Open("StackEvents");
  for (size_t i = page->begin; i < page->end; ++i) {
    const stacks::EventInfo& e = (*events)[i];
    x.Open("member").Leaf("StackId", e.stack_id).Leaf("EventId", e.event_id).Leaf("StackName", e.stack_name);
    x.Leaf("LogicalResourceId", e.logical_id).Leaf("PhysicalResourceId", e.physical_id);
    x.Leaf("ResourceType", e.type).Leaf("Timestamp", Iso8601Millis(e.timestamp_ms)).Leaf("ResourceStatus", e.status);
    if (!e.reason.empty()) x.Leaf("ResourceStatusReason", e.reason);
    if (!e.properties.empty()) x.Leaf("ResourceProperties", e.properties);
    x.Close("member");
  }
  x.Close("StackEvents");
  WriteNextToken(x, *page);
  return Result(x);
}

ActionOutcome DescribeResources(const ActionContext& ctx, const QueryParams& q, std::string_view mode) {
  auto name = Required(q, "StackName", "stackName");
  if (!name.ok()) return Fail(name.error());
  std::string logical = q.Get("LogicalResourceId").value_or("");
  if (mode == "one" && logical.empty()) return Fail(Missing("logicalResourceId"));
  auto list = ctx.stacks.DescribeStackResources(*name, logical);
  if (!list.ok()) return Fail(list.error());
  const bool summary = mode == "list";
  // Only ListStackResources pages; DescribeStackResources answers in one.
  PageBounds page{0, list->size(), std::nullopt};
  if (summary) {
    auto p = PageFor(q, *list, [](const stacks::ResourceInfo& r) { return r.logical_id; });
    if (!p.ok()) return Fail(p.error());
    page = *p;
  }
  XmlBuilder x;
  const std::string_view wrapper = mode == "one" ? "StackResourceDetail" : summary ? "StackResourceSummaries"
                                                                                  : "StackResources";
  if (mode != "one") x.Open(wrapper);
  for (size_t i = page.begin; i < page.end; ++i) {
    const stacks::ResourceInfo& r = (*list)[i];
    x.Open(mode == "one" ? wrapper : "member");
    if (!summary) x.Leaf("StackId", r.stack_id).Leaf("StackName", r.stack_name);
    x.Leaf("LogicalResourceId", r.logical_id);
    if (!r.physical_id.empty()) x.Leaf("PhysicalResourceId", r.physical_id);
    x.Leaf("ResourceType", r.type);
    x.Leaf(mode == "all" ? "Timestamp" : "LastUpdatedTimestamp", Iso8601Millis(r.updated_ms));
    x.Leaf("ResourceStatus", r.status);
    if (!r.status_reason.empty()) x.Leaf("ResourceStatusReason", r.status_reason);
    x.Open("DriftInformation").Leaf("StackResourceDriftStatus", "NOT_CHECKED").Close("DriftInformation");
    x.Close(mode == "one" ? wrapper : "member");
  }
  if (mode != "one") x.Close(wrapper);
  WriteNextToken(x, page);
  return Result(x);
}

ActionOutcome ListStacks(const ActionContext& ctx, const QueryParams& q) {
  const auto list = ctx.stacks.ListStacks(q.List("StackStatusFilter"));
  auto page = PageFor(q, list, [](const stacks::StackInfo& s) { return s.stack_id; });
  if (!page.ok()) return Fail(page.error());
  XmlBuilder x;
  x.Open("StackSummaries");
  for (size_t i = page->begin; i < page->end; ++i) {
    const stacks::StackInfo& s = list[i];
    x.Open("member").Leaf("StackId", s.stack_id).Leaf("StackName", s.name);
    if (!s.description.empty()) x.Leaf("TemplateDescription", s.description);
    x.Leaf("CreationTime", Iso8601Millis(s.created_ms));
    if (s.updated_ms > s.created_ms) x.Leaf("LastUpdatedTime", Iso8601Millis(s.updated_ms));
    if (s.deleted_ms > 0) x.Leaf("DeletionTime", Iso8601Millis(s.deleted_ms));
    x.Leaf("StackStatus", s.status);
    if (!s.status_reason.empty()) x.Leaf("StackStatusReason", s.status_reason);
    x.Close("member");
  }
  x.Close("StackSummaries");
  WriteNextToken(x, *page);
  return Result(x);
}

ActionOutcome GetTemplate(const ActionContext& ctx, const QueryParams& q) {
  auto body = ctx.stacks.GetTemplate(q.Get("StackName").value_or(""), q.Get("ChangeSetName").value_or(""));
  if (!body.ok()) return Fail(body.error());
  XmlBuilder x;
  x.Leaf("TemplateBody", *body);
  WriteList(x, "StagesAvailable", {"Original", "Processed"});
  return Result(x);
}

ActionOutcome ListExports(const ActionContext& ctx, const QueryParams& q) {
  const auto list = ctx.stacks.ListExports();
  auto page = PageFor(q, list, [](const stacks::ExportInfo& e) { return e.name; });
  if (!page.ok()) return Fail(page.error());
  XmlBuilder x;
  x.Open("Exports");
  for (size_t i = page->begin; i < page->end; ++i) {
    const stacks::ExportInfo& e = list[i];
    x.Open("member").Leaf("ExportingStackId", e.exporting_stack_id).Leaf("Name", e.name).Leaf("Value", e.value);
    x.Close("member");
  }
  x.Close("Exports");
  WriteNextToken(x, *page);
  return Result(x);
}

ActionOutcome ListImports(const ActionContext& ctx, const QueryParams& q) {
  auto name = Required(q, "ExportName", "exportName");
  if (!name.ok()) return Fail(name.error());
  auto imports = ctx.stacks.ListImports(*name);
  if (!imports.ok()) return Fail(imports.error());
  auto page = PageFor(q, *imports, [](const std::string& stack) { return stack; });
  if (!page.ok()) return Fail(page.error());
  XmlBuilder x;
  WriteList(x, "Imports", {imports->begin() + static_cast<std::ptrdiff_t>(page->begin),
                           imports->begin() + static_cast<std::ptrdiff_t>(page->end)});
  WriteNextToken(x, *page);
  return Result(x);
}

void WriteChangeSetSummary(XmlBuilder& x, const stacks::ChangeSetInfo& c) {
  x.Leaf("StackId", c.stack_id).Leaf("StackName", c.stack_name).Leaf("ChangeSetId", c.change_set_id);
  x.Leaf("ChangeSetName", c.name).Leaf("ExecutionStatus", c.execution_status).Leaf("Status", c.status);
  if (!c.status_reason.empty()) x.Leaf("StatusReason", c.status_reason);
  x.Leaf("CreationTime", Iso8601Millis(c.created_ms));
  if (!c.description.empty()) x.Leaf("Description", c.description);
}

ActionOutcome CreateChangeSet(const ActionContext& ctx, const QueryParams& q) {
  auto in = InputOf(ctx, q);
  if (!in.ok()) return Fail(in.error());
  auto name = Required(q, "ChangeSetName", "changeSetName");
  if (!name.ok()) return Fail(name.error());
  auto ids = ctx.stacks.CreateChangeSet(*in, *name, q.Get("ChangeSetType").value_or("UPDATE"));
  if (!ids.ok()) return Fail(ids.error());
  XmlBuilder x;
  x.Leaf("Id", ids->first).Leaf("StackId", ids->second);
  return Result(x);
}

ActionOutcome DescribeChangeSet(const ActionContext& ctx, const QueryParams& q) {
  auto name = Required(q, "ChangeSetName", "changeSetName");
  if (!name.ok()) return Fail(name.error());
  auto c = ctx.stacks.DescribeChangeSet(*name, q.Get("StackName").value_or(""));
  if (!c.ok()) return Fail(c.error());
  XmlBuilder x;
  WriteChangeSetSummary(x, *c);
  WriteParameters(x, c->parameters);
  WriteList(x, "Capabilities", c->capabilities);
  WriteTags(x, c->tags);
  x.Open("Changes");
  for (const auto& ch : c->changes) {
    x.Open("member").Leaf("Type", "Resource").Open("ResourceChange").Leaf("Action", ch.action);
    x.Leaf("LogicalResourceId", ch.logical_id);
    if (!ch.physical_id.empty()) x.Leaf("PhysicalResourceId", ch.physical_id);
    x.Leaf("ResourceType", ch.type);
    if (!ch.replacement.empty()) x.Leaf("Replacement", ch.replacement);
    x.Open("Scope").Close("Scope").Open("Details").Close("Details");
    x.Close("ResourceChange").Close("member");
  }
  x.Close("Changes");
  x.Leaf("IncludeNestedStacks", "false");
  return Result(x);
}

ActionOutcome ChangeSetCall(const ActionContext& ctx, const QueryParams& q, bool execute) {
  auto name = Required(q, "ChangeSetName", "changeSetName");
  if (!name.ok()) return Fail(name.error());
  const std::string stack = q.Get("StackName").value_or("");
  auto st = execute ? ctx.stacks.ExecuteChangeSet(*name, stack) : ctx.stacks.DeleteChangeSet(*name, stack);
  if (!st.ok()) return Fail(st.error());
  return ActionOutcome{Done{}, "", true};
}

ActionOutcome ListChangeSets(const ActionContext& ctx, const QueryParams& q) {
  auto name = Required(q, "StackName", "stackName");
  if (!name.ok()) return Fail(name.error());
  auto list = ctx.stacks.ListChangeSets(*name);
  if (!list.ok()) return Fail(list.error());
  XmlBuilder x;
  x.Open("Summaries");
  for (const auto& c : *list) {
    x.Open("member");
    WriteChangeSetSummary(x, c);
    x.Close("member");
  }
  x.Close("Summaries");
  return Result(x);
}

}  // namespace

std::optional<ActionOutcome> RunAction(const ActionContext& ctx, const QueryParams& q) {
  const std::string_view a = q.action();
  if (a == "ValidateTemplate") return ValidateTemplate(ctx, q);
  if (a == "GetTemplateSummary") return GetTemplateSummary(ctx, q);
  if (a == "CreateStack") return CreateOrUpdate(ctx, q, true);
  if (a == "UpdateStack") return CreateOrUpdate(ctx, q, false);
  if (a == "DeleteStack") return DeleteStack(ctx, q);
  if (a == "DescribeStacks") return DescribeStacks(ctx, q);
  if (a == "DescribeStackEvents") return DescribeStackEvents(ctx, q);
  if (a == "DescribeStackResources") return DescribeResources(ctx, q, "all");
  if (a == "DescribeStackResource") return DescribeResources(ctx, q, "one");
  if (a == "ListStackResources") return DescribeResources(ctx, q, "list");
  if (a == "ListStacks") return ListStacks(ctx, q);
  if (a == "GetTemplate") return GetTemplate(ctx, q);
  if (a == "ListExports") return ListExports(ctx, q);
  if (a == "ListImports") return ListImports(ctx, q);
  if (a == "CreateChangeSet") return CreateChangeSet(ctx, q);
  if (a == "DescribeChangeSet") return DescribeChangeSet(ctx, q);
  if (a == "ExecuteChangeSet") return ChangeSetCall(ctx, q, true);
  if (a == "DeleteChangeSet") return ChangeSetCall(ctx, q, false);
  if (a == "ListChangeSets") return ListChangeSets(ctx, q);
  return std::nullopt;
}

}  // namespace sluice::frontends::cloudformation
