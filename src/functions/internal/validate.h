// Checks of CreateFunction / UpdateFunctionConfiguration input with Lambda's error
// types and wording. Pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "functions/functions.h"

namespace sluice::functions {

// Lambda's limit on the environment variables' JSON.
inline constexpr size_t kMaxEnvironmentBytes = 4096;

std::optional<LambdaFailure> CheckFunctionName(std::string_view name);
std::optional<LambdaFailure> CheckTimeout(int64_t seconds);
std::optional<LambdaFailure> CheckMemory(int64_t mb);
std::optional<LambdaFailure> CheckHandler(std::string_view handler);
std::optional<LambdaFailure> CheckRole(std::string_view role);
std::optional<LambdaFailure> CheckDescription(std::string_view description);
std::optional<LambdaFailure> CheckEnvironment(const std::map<std::string, std::string>& vars);

// A function reference (name, ARN, partial ARN, each with an optional ":qualifier")
// split into its name and qualifier; nullopt when malformed.
struct FunctionRef {
  std::string name;
  std::string qualifier;
};
std::optional<FunctionRef> ParseFunctionRef(std::string_view ref);

}  // namespace sluice::functions
