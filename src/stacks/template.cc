#include "stacks/template.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "internal/yaml_document.h"
#include "base/linear_pattern.h"
#include "stacks/graph.h"
#include "stacks/references.h"

namespace sluice::stacks {
namespace {

constexpr std::array<std::string_view, 10> kSections = {
    "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules",
    "Mappings",                 "Conditions",  "Transform", "Resources", "Outputs"};
constexpr std::array<std::string_view, 9> kResourceAttributes = {
    "Type",      "Properties",          "DependsOn",      "Condition",   "DeletionPolicy",
    "Metadata",  "UpdateReplacePolicy", "CreationPolicy", "UpdatePolicy"};
constexpr std::array<std::string_view, 11> kParameterProperties = {
    "Type",      "Default",   "AllowedValues", "AllowedPattern", "Description", "MaxLength",
    "MinLength", "MaxValue",  "MinValue",      "NoEcho",         "ConstraintDescription"};
constexpr std::array<std::string_view, 4> kOutputProperties = {"Value", "Export", "Condition",
                                                               "Description"};

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& set, std::string_view s) {
  for (std::string_view x : set) {
    if (x == s) return true;
  }
  return false;
}

bool IsAlphanumeric(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// The AWS-specific parameter types CloudFormation knows (parameters-section-structure).
constexpr std::string_view kAwsParameterTypes[] = {
    "AWS::EC2::AvailabilityZone::Name", "AWS::EC2::Image::Id",       "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName",       "AWS::EC2::SecurityGroup::GroupName",
    "AWS::EC2::SecurityGroup::Id",      "AWS::EC2::Subnet::Id",      "AWS::EC2::Volume::Id",
    "AWS::EC2::VPC::Id",                "AWS::Route53::HostedZone::Id"};

bool AwsSpecificType(std::string_view type, bool allow_list) {
  if (allow_list && type.starts_with("List<") && type.ends_with(">")) {
    const std::string_view inner = type.substr(5, type.size() - 6);
    return inner != "AWS::EC2::KeyPair::KeyName" && AwsSpecificType(inner, false);
  }
  return std::find(std::begin(kAwsParameterTypes), std::end(kAwsParameterTypes), type) !=
         std::end(kAwsParameterTypes);
}

}  // namespace

bool KnownParameterType(std::string_view type) {
  if (type == "String" || type == "Number" || type == "List<Number>" ||
      type == "CommaDelimitedList" || type == "AWS::SSM::Parameter::Name") {
    return true;
  }
  constexpr std::string_view kSsmValue = "AWS::SSM::Parameter::Value<";
  if (type.starts_with(kSsmValue) && type.ends_with(">")) {
    const std::string_view inner = type.substr(kSsmValue.size(), type.size() - kSsmValue.size() - 1);
    return inner == "String" || inner == "List<String>" || inner == "CommaDelimitedList" ||
           AwsSpecificType(inner, true);
  }
  return AwsSpecificType(type, true);
}

namespace {

// A scalar as the text CloudFormation would see (Default: 5 is "5").
std::optional<std::string> ScalarText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return v.dump();
  return std::nullopt;
}

StackStatus ParseParameters(const Json& section, Template& t) {
  if (!section.is_object()) {
    return ValidationError("Template format error: Parameters section must be a JSON object");
  }
  for (const auto& [name, decl] : section.items()) {
    if (!IsAlphanumeric(name)) {
      return ValidationError("Template format error: Parameter name " + name + " is non alphanumeric.");
    }
    if (!decl.is_object() || !decl.contains("Type")) {
      return ValidationError("Template format error: Every Parameters object must contain a Type member.");
    }
    ParameterDecl p;
    p.name = name;
    for (const auto& [key, v] : decl.items()) {
      if (!OneOf(kParameterProperties, key)) {
        return ValidationError("Invalid template parameter property '" + key + "'");
      }
    }
    if (!decl["Type"].is_string()) {
      return ValidationError("Template format error: Every Parameters object must contain a Type member.");
    }
    p.type = decl["Type"].get<std::string>();
    if (!KnownParameterType(p.type)) {
      return ValidationError("Template format error: Unrecognized parameter type: " + p.type);
    }
    if (decl.contains("Default")) {
      const Json& d = decl["Default"];
      if (d.is_array()) {  // a list default written as a sequence
        std::string joined;
        for (const Json& item : d) {
          auto text = ScalarText(item);
          if (!text) return ValidationError("Template format error: Parameter '" + name + "' has an invalid Default");
          if (!joined.empty()) joined += ',';
          joined += *text;
        }
        p.default_value = joined;
      } else {
        p.default_value = ScalarText(d);
        if (!p.default_value) {
          return ValidationError("Template format error: Parameter '" + name + "' has an invalid Default");
        }
      }
    }
    if (decl.contains("AllowedValues")) {
      const Json& av = decl["AllowedValues"];
      if (!av.is_array()) {
        return ValidationError("Template format error: Parameter '" + name + "' AllowedValues must be a list");
      }
      for (const Json& item : av) {
        auto text = ScalarText(item);
        if (!text) {
          return ValidationError("Template format error: Parameter '" + name + "' AllowedValues must be a list of strings");
        }
        p.allowed_values.push_back(*text);
      }
    }
    if (decl.contains("AllowedPattern")) {
      p.allowed_pattern = ScalarText(decl["AllowedPattern"]);
      if (!p.allowed_pattern) {
        return ValidationError("Template format error: Parameter '" + name + "' AllowedPattern must be a string");
      }
      auto compiled = LinearPattern::Compile(*p.allowed_pattern, PatternSyntax::kJava);
      if (!compiled.ok()) {
        return ValidationError("Template format error: Parameter '" + name + "' has an AllowedPattern sluice cannot use: " +
                               compiled.error());
      }
    }
    auto number = [&](const char* key) -> std::optional<double> {
      if (!decl.contains(key)) return std::nullopt;
      const Json& v = decl[key];
      if (v.is_number()) return v.get<double>();
      if (v.is_string()) {
        try {
          return std::stod(v.get<std::string>());
        } catch (...) {
          return std::nullopt;
        }
      }
      return std::nullopt;
    };
    // Lengths outside int64 would overflow the conversion; no value is that long.
    auto length = [](double v) { return static_cast<int64_t>(std::clamp(v, -1e18, 1e18)); };
    if (auto v = number("MinLength"); v && std::isfinite(*v)) p.min_length = length(*v);
    if (auto v = number("MaxLength"); v && std::isfinite(*v)) p.max_length = length(*v);
    p.min_value = number("MinValue");
    p.max_value = number("MaxValue");
    if (decl.contains("NoEcho")) {
      const Json& ne = decl["NoEcho"];
      p.no_echo = ne.is_boolean() ? ne.get<bool>() : (ne.is_string() && ne.get<std::string>() == "true");
    }
    if (decl.contains("Description") && decl["Description"].is_string()) {
      p.description = decl["Description"].get<std::string>();
    }
    if (decl.contains("ConstraintDescription") && decl["ConstraintDescription"].is_string()) {
      p.constraint_description = decl["ConstraintDescription"].get<std::string>();
    }
    if (p.default_value && !p.allowed_values.empty()) {
      bool found = false;
      for (const auto& a : p.allowed_values) found = found || a == *p.default_value;
      if (!found) {
        return ValidationError("Template format error: Parameter '" + name +
                               "' must be one of AllowedValues");
      }
    }
    t.parameters.push_back(std::move(p));
  }
  if (t.parameters.size() > kMaxParameters) {
    return ValidationError("Template format error: Parameters count " + std::to_string(t.parameters.size()) +
                           " exceeds the limit of " + std::to_string(kMaxParameters));
  }
  return Done{};
}

StackStatus ParseResources(const Json& section, Template& t) {
  if (!section.is_object() || section.empty()) {
    return ValidationError("Template format error: At least one Resources member must be defined.");
  }
  for (const auto& [id, decl] : section.items()) {
    if (!IsAlphanumeric(id)) {
      return ValidationError("Template format error: Resource name " + id + " is non alphanumeric.");
    }
    if (!decl.is_object() || !decl.contains("Type") || !decl["Type"].is_string()) {
      return ValidationError("Template format error: [/Resources/" + id +
                             "] Every Resources object must contain a Type member.");
    }
    for (const auto& [key, v] : decl.items()) {
      if (!OneOf(kResourceAttributes, key)) {
        return ValidationError("Invalid template resource property '" + key + "'");
      }
    }
    ResourceDecl r;
    r.logical_id = id;
    r.type = decl["Type"].get<std::string>();
    if (decl.contains("Properties")) {
      if (!decl["Properties"].is_object()) {
        return ValidationError("Template format error: [/Resources/" + id +
                               "/Properties] Properties must be a JSON object");
      }
      r.properties = decl["Properties"];
    }
    if (decl.contains("DependsOn")) {
      const Json& d = decl["DependsOn"];
      if (d.is_string()) {
        r.depends_on.push_back(d.get<std::string>());
      } else if (d.is_array()) {
        for (const Json& item : d) {
          if (!item.is_string()) {
            return ValidationError("Template format error: DependsOn must be a string or list of strings.");
          }
          r.depends_on.push_back(item.get<std::string>());
        }
      } else {
        return ValidationError("Template format error: DependsOn must be a string or list of strings.");
      }
    }
    if (decl.contains("Condition")) {
      if (!decl["Condition"].is_string()) {
        return ValidationError("Template format error: Every Condition member must be a string.");
      }
      r.condition = decl["Condition"].get<std::string>();
    }
    for (const char* policy : {"DeletionPolicy", "UpdateReplacePolicy"}) {
      if (!decl.contains(policy)) continue;
      const Json& v = decl[policy];
      const std::string s = v.is_string() ? v.get<std::string>() : "";
      if (s != "Delete" && s != "Retain" && s != "Snapshot" && s != "RetainExceptOnCreate") {
        return ValidationError(std::string("Template format error: Unrecognized ") + policy + " " +
                               (v.is_string() ? s : v.dump()) + " for resource " + id);
      }
      (std::string_view(policy) == "DeletionPolicy" ? r.deletion_policy : r.update_replace_policy) = s;
    }
    t.resources.push_back(std::move(r));
  }
  if (t.resources.size() > kMaxResources) {
    return ValidationError("Template format error: Number of resources, " + std::to_string(t.resources.size()) +
                           ", is greater than maximum allowed, " + std::to_string(kMaxResources));
  }
  return Done{};
}

StackStatus ParseOutputs(const Json& section, Template& t) {
  if (!section.is_object()) {
    return ValidationError("Template format error: Outputs section must be a JSON object");
  }
  for (const auto& [name, decl] : section.items()) {
    if (!IsAlphanumeric(name)) {
      return ValidationError("Template format error: Output name " + name + " is non alphanumeric.");
    }
    if (!decl.is_object() || !decl.contains("Value")) {
      return ValidationError("Template format error: Every Outputs member must contain a Value object");
    }
    for (const auto& [key, v] : decl.items()) {
      if (!OneOf(kOutputProperties, key)) {
        return ValidationError("Template format error: Invalid outputs property : [" + key + "]");
      }
    }
    OutputDecl o;
    o.name = name;
    o.value = decl["Value"];
    if (decl.contains("Export")) {
      const Json& e = decl["Export"];
      if (!e.is_object() || !e.contains("Name") || e.size() != 1) {
        return ValidationError("Template format error: Output " + name + " is malformed. The Export field must contain only a Name field.");
      }
      o.export_name = e["Name"];
    }
    if (decl.contains("Condition")) {
      if (!decl["Condition"].is_string()) {
        return ValidationError("Template format error: Every Condition member must be a string.");
      }
      o.condition = decl["Condition"].get<std::string>();
    }
    if (decl.contains("Description") && decl["Description"].is_string()) {
      o.description = decl["Description"].get<std::string>();
    }
    t.outputs.push_back(std::move(o));
  }
  if (t.outputs.size() > kMaxOutputs) {
    return ValidationError("Template format error: Outputs count " + std::to_string(t.outputs.size()) +
                           " exceeds the limit of " + std::to_string(kMaxOutputs));
  }
  return Done{};
}

// Every name a Ref, Sub or GetAtt uses must exist; conditions used must be declared;
// the Conditions block may not reference resources.
StackStatus CheckReferences(const Template& t) {
  std::vector<std::string> unresolved;
  std::set<std::string> seen;
  auto note_unresolved = [&](const std::string& n) {
    if (seen.insert(n).second) unresolved.push_back(n);
  };
  auto known_ref = [&](const std::string& n) {
    return IsPseudoParameter(n) || t.FindParameter(n) != nullptr || t.FindResource(n) != nullptr;
  };
  auto check_conditions = [&](const References& refs, std::string_view where) -> StackStatus {
    for (const std::string& c : refs.conditions) {
      if (!t.conditions.contains(c)) {
        return ValidationError("Template format error: Unresolved condition dependency " + c + " in " +
                               std::string(where));
      }
    }
    return Done{};
  };
  for (const ResourceDecl& r : t.resources) {
    auto refs = CollectReferences(r.properties);
    if (!refs.ok()) return refs.error();
    for (const std::string& n : refs->refs) {
      if (!known_ref(n)) note_unresolved(n);
    }
    for (const std::string& n : refs->get_atts) {
      if (t.FindResource(n) == nullptr) {
        return ValidationError("Template error: instance of Fn::GetAtt references undefined resource " + n);
      }
    }
    for (const std::string& d : r.depends_on) {
      if (t.FindResource(d) == nullptr) {
        return ValidationError("Template format error: Unresolved resource dependencies [" + d +
                               "] in the Resources block of the template");
      }
    }
    auto s = check_conditions(*refs, "Fn::If");
    if (!s.ok()) return s;
    if (r.condition && !t.conditions.contains(*r.condition)) {
      return ValidationError("Template format error: Unresolved condition dependency " + *r.condition +
                             " in the Condition attribute of resource " + r.logical_id);
    }
  }
  if (!unresolved.empty()) {
    std::string names;
    for (const auto& n : unresolved) names += (names.empty() ? "" : ", ") + n;
    return ValidationError("Template format error: Unresolved resource dependencies [" + names +
                           "] in the Resources block of the template");
  }
  for (const OutputDecl& o : t.outputs) {
    Json both = Json::array({o.value, o.export_name ? *o.export_name : Json(nullptr)});
    auto refs = CollectReferences(both);
    if (!refs.ok()) return refs.error();
    for (const std::string& n : refs->refs) {
      if (!known_ref(n)) {
        return ValidationError("Template format error: Unresolved resource dependencies [" + n +
                               "] in the Outputs block of the template");
      }
    }
    for (const std::string& n : refs->get_atts) {
      if (t.FindResource(n) == nullptr) {
        return ValidationError("Template error: instance of Fn::GetAtt references undefined resource " + n);
      }
    }
    auto s = check_conditions(*refs, "Fn::If");
    if (!s.ok()) return s;
    if (o.condition && !t.conditions.contains(*o.condition)) {
      return ValidationError("Template format error: Unresolved condition dependency " + *o.condition +
                             " in the Condition attribute of output " + o.name);
    }
  }
  for (const auto& [name, expr] : t.conditions.items()) {
    auto refs = CollectReferences(expr);
    if (!refs.ok()) return refs.error();
    for (const std::string& n : refs->refs) {
      if (t.FindResource(n) != nullptr || !known_ref(n)) {
        return ValidationError("Template error: Unresolved dependencies [" + n +
                               "]. Cannot reference resources in the Conditions block of the template");
      }
    }
    if (!refs->get_atts.empty()) {
      return ValidationError("Template error: Cannot reference resources in the Conditions block of the template");
    }
    for (const std::string& c : refs->conditions) {
      if (!t.conditions.contains(c)) {
        return ValidationError("Template format error: Unresolved condition dependency " + c +
                               " in the Conditions block of the template");
      }
    }
  }
  return Done{};
}

}  // namespace

bool ParameterDecl::is_list() const {
  return type == "CommaDelimitedList" || type.rfind("List<", 0) == 0;
}

const ResourceDecl* Template::FindResource(std::string_view logical_id) const {
  for (const ResourceDecl& r : resources) {
    if (r.logical_id == logical_id) return &r;
  }
  return nullptr;
}

const ParameterDecl* Template::FindParameter(std::string_view name) const {
  for (const ParameterDecl& p : parameters) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

StackResult<Json> ParseTemplateDocument(std::string_view body) {
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return ValidationError("Template format error: unsupported structure.");
  }
  if (body[first] == '{') {
    // nlohmann reports the failing byte only through its exception.
    try {
      return Json::parse(body);
    } catch (const Json::parse_error& e) {
      size_t line = 1, column = 1;
      for (size_t i = 0; i + 1 < e.byte && i < body.size(); ++i) {
        if (body[i] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      return ValidationError("Template format error: JSON not well-formed. (line " + std::to_string(line) +
                             ", column " + std::to_string(column) + ")");
    }
  }
  return internal::YamlToJson(body);
}

StackResult<Template> ParseTemplate(std::string_view body) {
  auto parsed = ParseTemplateDocument(body);
  if (!parsed.ok()) return parsed.error();
  const Json& doc = *parsed;
  if (!doc.is_object()) return ValidationError("Template format error: unsupported structure.");
  std::vector<std::string> invalid;
  for (const auto& [key, v] : doc.items()) {
    if (!OneOf(kSections, key)) invalid.push_back(key);
  }
  if (!invalid.empty()) {
    std::string names;
    for (const auto& n : invalid) names += (names.empty() ? "" : ", ") + n;
    return ValidationError("Invalid template property or properties [" + names + "]");
  }
  Template t;
  if (doc.contains("AWSTemplateFormatVersion")) {
    const Json& v = doc["AWSTemplateFormatVersion"];
    t.format_version = v.is_string() ? v.get<std::string>() : v.dump();
    if (t.format_version != "2010-09-09") {
      return ValidationError("Template format error: Unsupported template version: " + t.format_version);
    }
  }
  if (doc.contains("Transform")) {
    return ValidationError("Template format error: Transform " + doc["Transform"].dump() +
                           " is not supported by sluice; expand it (e.g. sam package/deploy) before deploying");
  }
  if (doc.contains("Description")) {
    if (!doc["Description"].is_string()) {
      return ValidationError("Template format error: Every Description member must be a string.");
    }
    t.description = doc["Description"].get<std::string>();
  }
  if (!doc.contains("Resources")) {
    return ValidationError("Template format error: At least one Resources member must be defined.");
  }
  if (doc.contains("Parameters")) {
    auto s = ParseParameters(doc["Parameters"], t);
    if (!s.ok()) return s.error();
  }
  if (doc.contains("Mappings")) {
    if (!doc["Mappings"].is_object()) {
      return ValidationError("Template format error: Every Mappings member must be a map");
    }
    for (const auto& [name, m] : doc["Mappings"].items()) {
      if (!m.is_object()) {
        return ValidationError("Template format error: Every Mappings member " + name + " must be a map");
      }
      for (const auto& [top, inner] : m.items()) {
        if (!inner.is_object()) {
          return ValidationError("Template format error: Every Mappings attribute must be a String or a List.");
        }
      }
    }
    t.mappings = doc["Mappings"];
  }
  if (doc.contains("Conditions")) {
    if (!doc["Conditions"].is_object()) {
      return ValidationError("Template format error: Conditions section must be a JSON object");
    }
    t.conditions = doc["Conditions"];
  }
  auto s = ParseResources(doc["Resources"], t);
  if (!s.ok()) return s.error();
  if (doc.contains("Outputs")) {
    s = ParseOutputs(doc["Outputs"], t);
    if (!s.ok()) return s.error();
  }
  s = CheckReferences(t);
  if (!s.ok()) return s.error();
  auto waves = CreationWaves(t);
  if (!waves.ok()) return waves.error();
  return t;
}

}  // namespace sluice::stacks
