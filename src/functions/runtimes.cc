#include "internal/runtimes.h"

namespace sluice::functions {
namespace {

using K = RuntimeKind;

// Lambda's Runtime enum, in the API model's order.
constexpr RuntimeInfo kRuntimes[] = {
    {"nodejs", K::kNode, true},          {"nodejs4.3", K::kNode, true},
    {"nodejs6.10", K::kNode, true},      {"nodejs8.10", K::kNode, true},
    {"nodejs10.x", K::kNode, true},      {"nodejs12.x", K::kNode, true},
    {"nodejs14.x", K::kNode, true},      {"nodejs16.x", K::kNode, true},
    {"java8", K::kUnsupported, true},    {"java8.al2", K::kUnsupported, false},
    {"java11", K::kUnsupported, false},  {"python2.7", K::kUnsupported, true},
    {"python3.6", K::kPython, true},     {"python3.7", K::kPython, true},
    {"python3.8", K::kPython, true},     {"python3.9", K::kPython, true},
    {"dotnetcore1.0", K::kUnsupported, true}, {"dotnetcore2.0", K::kUnsupported, true},
    {"dotnetcore2.1", K::kUnsupported, true}, {"dotnetcore3.1", K::kUnsupported, true},
    {"dotnet6", K::kUnsupported, true},  {"dotnet8", K::kUnsupported, false},
    {"nodejs4.3-edge", K::kNode, true},  {"go1.x", K::kUnsupported, true},
    {"ruby2.5", K::kUnsupported, true},  {"ruby2.7", K::kUnsupported, true},
    {"provided", K::kProvided, true},    {"provided.al2", K::kProvided, false},
    {"nodejs18.x", K::kNode, true},      {"python3.10", K::kPython, false},
    {"java17", K::kUnsupported, false},  {"ruby3.2", K::kUnsupported, false},
    {"ruby3.3", K::kUnsupported, false}, {"ruby3.4", K::kUnsupported, false},
    {"python3.11", K::kPython, false},   {"nodejs20.x", K::kNode, false},
    {"provided.al2023", K::kProvided, false}, {"python3.12", K::kPython, false},
    {"java21", K::kUnsupported, false},  {"python3.13", K::kPython, false},
    {"nodejs22.x", K::kNode, false},     {"python3.14", K::kPython, false},
    {"nodejs24.x", K::kNode, false},
};

}  // namespace

const RuntimeInfo* FindRuntime(std::string_view name) {
  for (const RuntimeInfo& r : kRuntimes) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::string_view CurrentRuntime(RuntimeKind kind) {
  switch (kind) {
    case K::kPython: return "python3.13";
    case K::kNode: return "nodejs22.x";
    case K::kProvided: return "provided.al2023";
    case K::kUnsupported: break;
  }
  return "python3.13";
}

std::string RuntimeEnumText() {
  std::string out = "[";
  for (const RuntimeInfo& r : kRuntimes) {
    if (out.size() > 1) out += ", ";
    out += r.name;
  }
  return out + "]";
}

}  // namespace sluice::functions
