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
//   "Parameter 'X' must match pattern P"           (String, each item of a list)
//   "Parameter X failed to satisfy constraint: D"  any of the above but "must be a number"
//                                                  when the template has a ConstraintDescription
//   "Parameter validation failed: parameter value V for parameter name X does not exist.
//    Rollback requested by user."                  an EC2/Route 53 type (sluice has none)
//   "Unable to fetch parameters [V] from parameter store for this account."   SSM types
// Lengths apply to String parameters; values and AllowedValues to each item of a list.
StackResult<std::map<std::string, std::string>> ResolveParameters(
    const Template& t, const std::vector<ParameterInput>& inputs,
    const std::map<std::string, std::string>* previous);

}  // namespace sluice::stacks
