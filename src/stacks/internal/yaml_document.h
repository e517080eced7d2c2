// YAML -> JSON conversion for templates (yaml-cpp stays inside this file's .cc).
#pragma once

#include <string_view>

#include "stacks/errors.h"
#include "stacks/template.h"

namespace sluice::stacks::internal {

// Converts a YAML document to JSON as template.h describes (short tags to long form,
// plain scalars typed). Errors: "Template format error: YAML not well-formed. (line L,
// column C)" with 1-based positions.
StackResult<Json> YamlToJson(std::string_view text);

}  // namespace sluice::stacks::internal
