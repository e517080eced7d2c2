// A CloudFormation template, parsed and structurally validated.
//
// ParseTemplate accepts JSON and YAML. YAML short-form tags become the long form the
// JSON syntax uses (`!Ref X` -> {"Ref": "X"}, `!GetAtt A.B` -> {"Fn::GetAtt": "A.B"},
// `!Sub s` -> {"Fn::Sub": s}, `!Condition C` -> {"Condition": "C"}, any other `!Name v`
// -> {"Fn::Name": v}), so everything after parsing sees one representation. Unquoted
// YAML scalars that read as booleans or numbers become JSON booleans and numbers, as
// CloudFormation converts them; quoted scalars stay strings.
//
// Validation here is what CloudFormation checks before creating anything (what
// ValidateTemplate reports): the document's shape, every section's members, parameter
// types, that every Ref/Fn::Sub/Fn::GetAtt/DependsOn names something that exists, that
// conditions referenced exist, and that resources have no dependency cycle. Messages use
// AWS's wording. Values are not evaluated here (intrinsics.h does that).
//
// Threading: a Template is a plain value; immutable after parsing, safe to share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stacks/errors.h"

namespace sluice::stacks {

// Insertion-ordered, so resources, outputs and properties keep the template's order.
using Json = nlohmann::ordered_json;

struct ParameterDecl {
  std::string name;
  std::string type;  // String, Number, List<Number>, CommaDelimitedList, AWS::SSM::..., ...
  std::optional<std::string> default_value;  // a Default of any scalar, as text
  std::vector<std::string> allowed_values;
  std::optional<std::string> allowed_pattern;  // compiles (base/linear_pattern.h, Java syntax); see parameters.h
  std::optional<int64_t> min_length, max_length;
  std::optional<double> min_value, max_value;
  bool no_echo = false;
  std::string description;
  std::string constraint_description;

  bool is_list() const;  // CommaDelimitedList and List<...>: Ref gives an array
};

// A Type CloudFormation accepts for a parameter: String, Number, List<Number>,
// CommaDelimitedList, the AWS-specific EC2/Route 53 types and their List<...> forms,
// AWS::SSM::Parameter::Name and AWS::SSM::Parameter::Value<...>.
bool KnownParameterType(std::string_view type);

struct ResourceDecl {
  std::string logical_id;
  std::string type;
  Json properties = Json::object();
  std::vector<std::string> depends_on;
  std::optional<std::string> condition;
  std::string deletion_policy = "Delete";        // Delete, Retain, Snapshot
  std::string update_replace_policy = "Delete";  // Delete, Retain, Snapshot
};

struct OutputDecl {
  std::string name;
  Json value;
  std::optional<Json> export_name;  // Export.Name, unevaluated
  std::optional<std::string> condition;
  std::string description;
};

struct Template {
  std::string format_version;  // "" when absent
  std::string description;
  std::vector<ParameterDecl> parameters;
  Json mappings = Json::object();
  Json conditions = Json::object();  // name -> condition expression, unevaluated
  std::vector<ResourceDecl> resources;
  std::vector<OutputDecl> outputs;

  const ResourceDecl* FindResource(std::string_view logical_id) const;
  const ParameterDecl* FindParameter(std::string_view name) const;
};

// Limits CloudFormation documents and sluice enforces before parsing.
inline constexpr size_t kMaxTemplateBodyBytes = 51200;  // TemplateBody in a request
inline constexpr size_t kMaxTemplateBytes = 1 << 20;    // a template read from S3
inline constexpr size_t kMaxResources = 500;
inline constexpr size_t kMaxParameters = 200;
inline constexpr size_t kMaxOutputs = 200;

// Parses and validates `body` (JSON or YAML). Every failure is ValidationError with
// CloudFormation's message, e.g. "Template format error: YAML not well-formed. (line 3,
// column 5)" or "Template format error: Unresolved resource dependencies [Bucket] in the
// Resources block of the template".
StackResult<Template> ParseTemplate(std::string_view body);

// The template document as JSON, with YAML short tags in long form; no validation.
// Exposed for GetTemplate's "Processed" stage and for tests.
StackResult<Json> ParseTemplateDocument(std::string_view body);

}  // namespace sluice::stacks
