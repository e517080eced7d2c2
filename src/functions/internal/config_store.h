// A function's recorded configuration as the JSON document kept in the catalog's
// `functions` table (docs/formats/catalog.md).
#pragma once

#include <optional>
#include <string>

#include "functions/functions.h"

namespace sluice::functions {

std::string ConfigToStored(const FunctionConfig& config);
// Nullopt when the document is not one ConfigToStored wrote.
std::optional<FunctionConfig> ConfigFromStored(const std::string& json);

}  // namespace sluice::functions
