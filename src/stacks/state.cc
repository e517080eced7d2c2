#include "internal/state.h"

namespace sluice::stacks::internal {
namespace {

Json ResourceToJson(const ResourceState& r) {
  return Json{{"logical_id", r.logical_id}, {"type", r.type},
              {"physical_id", r.physical_id}, {"status", r.status},
              {"reason", r.reason}, {"properties", r.properties},
              {"attributes", r.attributes}, {"deletion_policy", r.deletion_policy},
              {"pending_name", r.pending_name}, {"updated_ms", r.updated_ms}};
}

ResourceState ResourceFromJson(const Json& j) {
  ResourceState r;
  r.logical_id = j.value("logical_id", "");
  r.type = j.value("type", "");
  r.physical_id = j.value("physical_id", "");
  r.status = j.value("status", "");
  r.reason = j.value("reason", "");
  r.properties = j.value("properties", Json::object());
  r.attributes = j.value("attributes", Json::object());
  r.deletion_policy = j.value("deletion_policy", "Delete");
  r.pending_name = j.value("pending_name", "");
  r.updated_ms = j.value("updated_ms", int64_t{0});
  return r;
}

Json TagsToJson(const Tags& tags) {
  Json out = Json::array();
  for (const auto& [k, v] : tags) out.push_back(Json::array({k, v}));
  return out;
}

Tags TagsFromJson(const Json& j) {
  Tags tags;
  if (!j.is_array()) return tags;
  for (const Json& t : j) tags.emplace_back(t[0].get<std::string>(), t[1].get<std::string>());
  return tags;
}

Json OutputsToJson(const std::vector<OutputInfo>& outputs) {
  Json out = Json::array();
  for (const OutputInfo& o : outputs) {
    out.push_back({{"key", o.key}, {"value", o.value}, {"description", o.description}, {"export", o.export_name}});
  }
  return out;
}

std::vector<OutputInfo> OutputsFromJson(const Json& j) {
  std::vector<OutputInfo> out;
  if (!j.is_array()) return out;
  for (const Json& o : j) {
    out.push_back({o.value("key", ""), o.value("value", ""), o.value("description", ""), o.value("export", "")});
  }
  return out;
}

}  // namespace

ResourceState* StackState::FindResource(const std::string& logical_id) {
  for (ResourceState& r : resources) {
    if (r.logical_id == logical_id) return &r;
  }
  return nullptr;
}

const ResourceState* StackState::FindResource(const std::string& logical_id) const {
  for (const ResourceState& r : resources) {
    if (r.logical_id == logical_id) return &r;
  }
  return nullptr;
}

Json ToJson(const StackState& s) {
  Json resources = Json::array();
  for (const ResourceState& r : s.resources) resources.push_back(ResourceToJson(r));
  Json retired = Json::array();
  for (const ResourceState& r : s.retired) retired.push_back(ResourceToJson(r));
  Json steps = Json::array();
  for (const UpdateStep& st : s.steps) steps.push_back({{"kind", st.kind}, {"before", ResourceToJson(st.before)}});
  Json j{{"id", s.id}, {"name", s.name}, {"status", s.status}, {"reason", s.reason},
         {"description", s.description}, {"template_body", s.template_body},
         {"parameters", s.parameters}, {"no_echo", s.no_echo}, {"capabilities", s.capabilities},
         {"tags", TagsToJson(s.tags)}, {"disable_rollback", s.disable_rollback}, {"deleted", s.deleted},
         {"resources", resources}, {"outputs", OutputsToJson(s.outputs)}, {"imports", s.imports},
         {"created_ms", s.created_ms}, {"updated_ms", s.updated_ms}, {"deleted_ms", s.deleted_ms},
         {"next_event_seq", s.next_event_seq}, {"steps", steps}, {"retired", retired}};
  if (s.previous) j["previous"] = *s.previous;
  return j;
}

StackState StackFromJson(const Json& j) {
  StackState s;
  s.id = j.value("id", "");
  s.name = j.value("name", "");
  s.status = j.value("status", "");
  s.reason = j.value("reason", "");
  s.description = j.value("description", "");
  s.template_body = j.value("template_body", "");
  s.parameters = j.value("parameters", std::map<std::string, std::string>{});
  s.no_echo = j.value("no_echo", std::set<std::string>{});
  s.capabilities = j.value("capabilities", std::vector<std::string>{});
  s.tags = TagsFromJson(j.value("tags", Json::array()));
  s.disable_rollback = j.value("disable_rollback", false);
  s.deleted = j.value("deleted", false);
  for (const Json& r : j.value("resources", Json::array())) s.resources.push_back(ResourceFromJson(r));
  s.outputs = OutputsFromJson(j.value("outputs", Json::array()));
  s.imports = j.value("imports", std::set<std::string>{});
  s.created_ms = j.value("created_ms", int64_t{0});
  s.updated_ms = j.value("updated_ms", int64_t{0});
  s.deleted_ms = j.value("deleted_ms", int64_t{0});
  s.next_event_seq = j.value("next_event_seq", int64_t{0});
  for (const Json& st : j.value("steps", Json::array())) {
    s.steps.push_back({st.value("kind", ""), ResourceFromJson(st.value("before", Json::object()))});
  }
  for (const Json& r : j.value("retired", Json::array())) s.retired.push_back(ResourceFromJson(r));
  if (j.contains("previous")) s.previous = j["previous"];
  return s;
}

Json ToJson(const ChangeSetState& c) {
  Json params = Json::array();
  for (const ParameterInput& p : c.parameters) {
    Json pj{{"key", p.key}, {"use_previous", p.use_previous_value}};
    if (p.value) pj["value"] = *p.value;
    params.push_back(std::move(pj));
  }
  Json changes = Json::array();
  for (const ChangeInfo& ch : c.changes) {
    changes.push_back({{"action", ch.action}, {"logical_id", ch.logical_id}, {"physical_id", ch.physical_id},
                       {"type", ch.type}, {"replacement", ch.replacement}});
  }
  return Json{{"id", c.id}, {"name", c.name}, {"stack_id", c.stack_id}, {"stack_name", c.stack_name},
              {"type", c.type}, {"description", c.description}, {"status", c.status}, {"reason", c.reason},
              {"execution_status", c.execution_status}, {"template_body", c.template_body},
              {"parameters", params}, {"capabilities", c.capabilities}, {"tags", TagsToJson(c.tags)},
              {"changes", changes}, {"created_ms", c.created_ms}};
}

ChangeSetState ChangeSetFromJson(const Json& j) {
  ChangeSetState c;
  c.id = j.value("id", "");
  c.name = j.value("name", "");
  c.stack_id = j.value("stack_id", "");
  c.stack_name = j.value("stack_name", "");
  c.type = j.value("type", "");
  c.description = j.value("description", "");
  c.status = j.value("status", "");
  c.reason = j.value("reason", "");
  c.execution_status = j.value("execution_status", "");
  c.template_body = j.value("template_body", "");
  for (const Json& p : j.value("parameters", Json::array())) {
    ParameterInput in;
    in.key = p.value("key", "");
    if (p.contains("value")) in.value = p["value"].get<std::string>();
    in.use_previous_value = p.value("use_previous", false);
    c.parameters.push_back(std::move(in));
  }
  c.capabilities = j.value("capabilities", std::vector<std::string>{});
  c.tags = TagsFromJson(j.value("tags", Json::array()));
  for (const Json& ch : j.value("changes", Json::array())) {
    c.changes.push_back({ch.value("action", ""), ch.value("logical_id", ""), ch.value("physical_id", ""),
                         ch.value("type", ""), ch.value("replacement", "")});
  }
  c.created_ms = j.value("created_ms", int64_t{0});
  return c;
}

Json ToJson(const EventInfo& e) {
  return Json{{"event_id", e.event_id}, {"logical_id", e.logical_id}, {"physical_id", e.physical_id},
              {"type", e.type}, {"status", e.status}, {"reason", e.reason},
              {"properties", e.properties}, {"timestamp_ms", e.timestamp_ms}};
}

EventInfo EventFromJson(const Json& j) {
  EventInfo e;
  e.event_id = j.value("event_id", "");
  e.logical_id = j.value("logical_id", "");
  e.physical_id = j.value("physical_id", "");
  e.type = j.value("type", "");
  e.status = j.value("status", "");
  e.reason = j.value("reason", "");
  e.properties = j.value("properties", "");
  e.timestamp_ms = j.value("timestamp_ms", int64_t{0});
  return e;
}

}  // namespace sluice::stacks::internal
