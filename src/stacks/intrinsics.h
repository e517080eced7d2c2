// Evaluation of intrinsic functions in a template value: Ref, Fn::Sub (both forms),
// Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals/And/Or/Not,
// Fn::FindInMap, Fn::Base64, Fn::GetAZs, Fn::ImportValue, and pseudo parameters.
//
// The evaluator knows nothing about resources: the caller supplies how a Ref or
// Fn::GetAtt of a resource and an Fn::ImportValue resolve (the stack engine answers
// from its resources' physical ids and attributes, the validator with placeholders).
// A property whose value is {"Ref": "AWS::NoValue"} (directly or through Fn::If) is
// removed from its object or list, as CloudFormation does.
//
// Threading: an Evaluator is used by one thread at a time; it holds no state beyond
// what the context points to.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "stacks/errors.h"
#include "stacks/template.h"

namespace sluice::stacks {

struct PseudoParameters {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string stack_name;
  std::string stack_id;
  std::string partition = "aws";
  std::string url_suffix = "amazonaws.com";
};

struct EvalContext {
  const Template* tmpl = nullptr;
  // Resolved parameter values by name (list parameters as their comma-joined text).
  const std::map<std::string, std::string>* parameters = nullptr;
  PseudoParameters pseudo;
  // Ref of a resource: its physical id. Unset or an error: the resource has none yet.
  std::function<StackResult<Json>(const std::string& logical_id)> resource_ref;
  // Fn::GetAtt of a resource.
  std::function<StackResult<Json>(const std::string& logical_id, const std::string& attribute)> get_att;
  // Fn::ImportValue: the value exported under that name.
  std::function<StackResult<std::string>(const std::string& export_name)> import_value;
  // Conditions already evaluated (EvaluateConditions); consulted by Fn::If.
  const std::map<std::string, bool>* conditions = nullptr;
};

// Resolves every intrinsic in `value`. Errors are ValidationError with CloudFormation's
// wording, e.g. "Template error: Unable to get mapping for Map::Key::Name".
StackResult<Json> Resolve(const Json& value, const EvalContext& ctx);

// Evaluates the template's Conditions section (Fn::Equals/And/Or/Not, Condition,
// parameters and pseudo parameters only).
StackResult<std::map<std::string, bool>> EvaluateConditions(const EvalContext& ctx);

// A resolved value as the string CloudFormation substitutes into Fn::Sub/Fn::Join.
StackResult<std::string> ToText(const Json& v, std::string_view where);

}  // namespace sluice::stacks
