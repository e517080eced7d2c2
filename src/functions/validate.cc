#include "internal/validate.h"

#include <nlohmann/json.hpp>

#include "base/ascii.h"

namespace sluice::functions {
namespace {

LambdaFailure Validation(std::string message) {
  return LambdaFailure{LambdaError::kValidation, "1 validation error detected: " + std::move(message)};
}

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool IsDigits(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Lambda's reserved environment keys (AWS_LAMBDA_* and the runtime's own).
constexpr std::string_view kReserved[] = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"};

constexpr std::string_view kNamePattern =
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$"
    "LATEST|[a-zA-Z0-9-_]+))?";

}  // namespace

std::optional<FunctionRef> ParseFunctionRef(std::string_view ref) {
  std::string_view rest = ref;
  const size_t fn = rest.find("function:");
  if (fn != std::string_view::npos) {
    const std::string_view prefix = rest.substr(0, fn);
    // "arn:aws:lambda:REGION:ACCOUNT:" or "ACCOUNT:"
    if (!prefix.empty() && !prefix.starts_with("arn:") && !IsDigits(prefix.substr(0, prefix.size() - 1), 12)) {
      return std::nullopt;
    }
    rest = rest.substr(fn + 9);
  }
  FunctionRef out;
  const size_t colon = rest.find(':');
  out.name = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) {
    out.qualifier = std::string(rest.substr(colon + 1));
    if (out.qualifier.empty() || out.qualifier.find(':') != std::string::npos) return std::nullopt;
  }
  if (out.name.empty() || out.name.size() > 64) return std::nullopt;
  for (const char c : out.name) {
    if (!NameChar(c)) return std::nullopt;
  }
  return out;
}

std::optional<LambdaFailure> CheckFunctionName(std::string_view name) {
  if (name.size() > 140) {
    return Validation("Value '" + std::string(name) +
                      "' at 'functionName' failed to satisfy constraint: Member must have length less than or "
                      "equal to 140");
  }
  if (!ParseFunctionRef(name)) {
    return Validation("Value '" + std::string(name) +
                      "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression "
                      "pattern: " +
                      std::string(kNamePattern));
  }
  return std::nullopt;
}

std::optional<LambdaFailure> CheckTimeout(int64_t seconds) {
  if (seconds < 1) {
    return Validation("Value '" + std::to_string(seconds) +
                      "' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1");
  }
  if (seconds > 900) {
    return Validation("Value '" + std::to_string(seconds) +
                      "' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900");
  }
  return std::nullopt;
}

std::optional<LambdaFailure> CheckMemory(int64_t mb) {
  if (mb < 128) {
    return Validation("Value '" + std::to_string(mb) +
                      "' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal "
                      "to 128");
  }
  if (mb > 10240) {
    return Validation("Value '" + std::to_string(mb) +
                      "' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to "
                      "10240");
  }
  return std::nullopt;
}

std::optional<LambdaFailure> CheckHandler(std::string_view handler) {
  if (handler.size() > 128) {
    return Validation("Value '" + std::string(handler) +
                      "' at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128");
  }
  for (const char c : handler) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      return Validation("Value '" + std::string(handler) +
                        "' at 'handler' failed to satisfy constraint: Member must satisfy regular expression "
                        "pattern: [^\\s]+");
    }
  }
  return std::nullopt;
}

std::optional<LambdaFailure> CheckRole(std::string_view role) {
  // arn:aws:iam::123456789012:role/NAME
  const size_t role_at = role.find(":role/");
  bool ok = role.starts_with("arn:aws") && role_at != std::string_view::npos && role_at + 6 < role.size();
  if (ok) {
    const size_t iam = role.find(":iam::");
    ok = iam != std::string_view::npos && iam < role_at && IsDigits(role.substr(iam + 6, role_at - iam - 6), 12);
  }
  if (!ok) {
    return Validation("Value '" + std::string(role) +
                      "' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                      "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
  }
  return std::nullopt;
}

std::optional<LambdaFailure> CheckDescription(std::string_view description) {
  if (description.size() > 256) {
    return Validation("Value '" + std::string(description) +
                      "' at 'description' failed to satisfy constraint: Member must have length less than or equal "
                      "to 256");
  }
  return std::nullopt;
}

std::optional<LambdaFailure> CheckEnvironment(const std::map<std::string, std::string>& vars) {
  std::string reserved;
  for (const auto& [k, v] : vars) {
    for (const std::string_view r : kReserved) {
      if (k == r) reserved += (reserved.empty() ? "" : ", ") + k;
    }
  }
  if (!reserved.empty()) {
    return LambdaFailure{LambdaError::kInvalidParameterValue,
                         "Lambda was unable to configure your environment variables because the environment "
                         "variables you have provided contains reserved keys that are currently not supported for "
                         "modification. Reserved keys used in this request: " +
                             reserved};
  }
  const std::string measured = nlohmann::json(vars).dump();
  if (measured.size() > kMaxEnvironmentBytes) {
    return LambdaFailure{LambdaError::kInvalidParameterValue,
                         "Lambda was unable to configure your environment variables because the environment "
                         "variables you have provided exceeded the 4KB limit. String measured: " +
                             measured};
  }
  return std::nullopt;
}

}  // namespace sluice::functions
