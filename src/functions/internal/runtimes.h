// The runtime names Lambda's API knows, which of them sluice runs and how, and which
// AWS refuses for new functions (deprecated).
#pragma once

#include <string>
#include <string_view>

namespace sluice::functions {

enum class RuntimeKind { kPython, kNode, kProvided, kUnsupported };

struct RuntimeInfo {
  std::string_view name;
  RuntimeKind kind;
  bool deprecated;  // AWS refuses to create or update functions on it
};

// Null for a name outside Lambda's Runtime enum.
const RuntimeInfo* FindRuntime(std::string_view name);
// The runtime AWS recommends instead of a deprecated one of this kind.
std::string_view CurrentRuntime(RuntimeKind kind);
// "[nodejs, nodejs4.3, ...]" as ValidationException lists the enum.
std::string RuntimeEnumText();

}  // namespace sluice::functions
