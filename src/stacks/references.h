// What a template value refers to: the names behind Ref, Fn::GetAtt, Fn::Sub variables
// and conditions, found without evaluating anything. Used for validation (every name
// must exist) and for the dependency graph (graph.h).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "stacks/errors.h"
#include "stacks/template.h"

namespace sluice::stacks {

// One piece of an Fn::Sub string: literal text, or a ${Name} / ${Resource.Attribute}
// variable. "${!Literal}" is the literal text "${Literal}".
struct SubPiece {
  bool is_variable = false;
  std::string text;  // the literal, or the variable's name (without ${ })
};
// Splits an Fn::Sub string. An unterminated "${" is a ValidationError.
StackResult<std::vector<SubPiece>> ParseSubString(std::string_view s);

struct References {
  std::set<std::string> refs;        // Ref targets and plain ${Name} variables
  std::set<std::string> get_atts;    // resources named by Fn::GetAtt or ${Res.Attr}
  std::set<std::string> conditions;  // Fn::If conditions and {"Condition": name}
};

// Collects the references in `value`. Names bound by the second argument of the
// two-argument Fn::Sub form are not references. Malformed intrinsics are ValidationError.
StackResult<References> CollectReferences(const Json& value);

// True if `name` is a pseudo parameter (AWS::Region, AWS::AccountId, ...).
bool IsPseudoParameter(std::string_view name);

}  // namespace sluice::stacks
