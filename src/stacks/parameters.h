// Parameter values for a stack operation: the caller's values checked against the
// template's declarations (types, AllowedValues, lengths, ranges), defaults filled in,
// UsePreviousValue taken from the stack's previous values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stacks/errors.h"
#include "stacks/template.h"

namespace sluice::stacks {

struct ParameterInput {
  std::string key;
  std::optional<std::string> value;
  bool use_previous_value = false;
};

// The value of every declared parameter. Errors (ValidationError, AWS's wording):
//   "Parameters: [A, B] must have values"         a parameter without value or default
//   "Parameters: [X] do not exist in the template" a value for an undeclared parameter
//   "Parameter 'X' must be one of AllowedValues"
//   "Parameter 'X' must be a number"               (Number, List<Number>)
//   "Parameter 'X' must contain at least N characters" / "at most N characters"
//   "Parameter 'X' must be a number not less than N" / "not greater than N"
// AllowedPattern is recorded but not enforced (documented in docs/compatibility.md).
StackResult<std::map<std::string, std::string>> ResolveParameters(
    const Template& t, const std::vector<ParameterInput>& inputs,
    const std::map<std::string, std::string>* previous);

}  // namespace sluice::stacks
