#include "stacks/parameters.h"

#include <charconv>
#include <cmath>
#include <set>

#include "base/linear_pattern.h"

namespace sluice::stacks {
namespace {

std::optional<double> ParseNumber(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string FormatLimit(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  return std::to_string(v);
}

std::vector<std::string> Items(const ParameterDecl& p, const std::string& value) {
  std::vector<std::string> items;
  if (!p.is_list()) {
    items.push_back(value);
    return items;
  }
  size_t start = 0;
  while (true) {
    const size_t comma = value.find(',', start);
    items.push_back(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

// A value of an AWS-specific type names something in the account. sluice has no EC2,
// Route 53 or Systems Manager, so nothing such a value names exists; availability zones
// are the exception (Fn::GetAZs names them), and are taken as given.
StackStatus CheckAwsSpecific(const ParameterDecl& p, const std::string& value) {
  if (p.type.starts_with("AWS::SSM::Parameter::")) {
    return ValidationError("Unable to fetch parameters [" + value + "] from parameter store for this account.");
  }
  const bool aws = p.type.starts_with("AWS::") || p.type.starts_with("List<AWS::");
  if (!aws || p.type.find("AWS::EC2::AvailabilityZone::Name") != std::string::npos) return Done{};
  return ValidationError("Parameter validation failed: parameter value " + value + " for parameter name " + p.name +
                         " does not exist. Rollback requested by user.");
}

// A broken constraint: AWS's reason, or the template's ConstraintDescription instead.
StackError Violation(const ParameterDecl& p, const std::string& reason) {
  if (!p.constraint_description.empty()) {
    return ValidationError("Parameter " + p.name + " failed to satisfy constraint: " + p.constraint_description);
  }
  return ValidationError("Parameter '" + p.name + "' " + reason);
}

StackStatus Check(const ParameterDecl& p, const std::string& value) {
  const bool numeric = p.type == "Number" || p.type == "List<Number>";
  std::optional<LinearPattern> pattern;
  if (p.allowed_pattern && !numeric) {
    auto compiled = LinearPattern::Compile(*p.allowed_pattern, PatternSyntax::kJava);
    if (!compiled.ok()) return ValidationError("Template format error: Parameter '" + p.name + "' AllowedPattern: " + compiled.error());
    pattern = std::move(*compiled);
  }
  for (const std::string& item : Items(p, value)) {
    if (!p.allowed_values.empty()) {
      bool found = false;
      for (const auto& a : p.allowed_values) found = found || a == item;
      if (!found) return Violation(p, "must be one of AllowedValues");
    }
    if (pattern && !pattern->FullMatch(item)) return Violation(p, "must match pattern " + *p.allowed_pattern);
    if (numeric) {
      auto n = ParseNumber(item);
      if (!n) return ValidationError("Parameter '" + p.name + "' must be a number");
      if (p.min_value && *n < *p.min_value) return Violation(p, "must be a number not less than " + FormatLimit(*p.min_value));
      if (p.max_value && *n > *p.max_value) {
        return Violation(p, "must be a number not greater than " + FormatLimit(*p.max_value));
      }
    }
  }
  if (p.type == "String") {
    if (p.min_length && static_cast<int64_t>(value.size()) < *p.min_length) {
      return Violation(p, "must contain at least " + std::to_string(*p.min_length) + " characters");
    }
    if (p.max_length && static_cast<int64_t>(value.size()) > *p.max_length) {
      return Violation(p, "must contain at most " + std::to_string(*p.max_length) + " characters");
    }
  }
  return CheckAwsSpecific(p, value);
}

}  // namespace

StackResult<std::map<std::string, std::string>> ResolveParameters(
    const Template& t, const std::vector<ParameterInput>& inputs,
    const std::map<std::string, std::string>* previous) {
  std::vector<std::string> unknown;
  std::map<std::string, const ParameterInput*> given;
  for (const ParameterInput& in : inputs) {
    if (t.FindParameter(in.key) == nullptr) {
      unknown.push_back(in.key);
      continue;
    }
    given[in.key] = &in;
  }
  if (!unknown.empty()) {
    std::string names;
    for (const auto& n : unknown) names += (names.empty() ? "" : ", ") + n;
    return ValidationError("Parameters: [" + names + "] do not exist in the template");
  }
  std::map<std::string, std::string> out;
  std::vector<std::string> missing;
  for (const ParameterDecl& p : t.parameters) {
    auto it = given.find(p.name);
    std::optional<std::string> value;
    if (it != given.end()) {
      if (it->second->use_previous_value) {
        if (previous != nullptr) {
          auto prev = previous->find(p.name);
          if (prev != previous->end()) value = prev->second;
        }
        if (!value) {
          return ValidationError("Invalid input for parameter key " + p.name +
                                 ". Cannot specify usePreviousValue as true for a parameter key not in the previous template");
        }
      } else {
        value = it->second->value;
      }
    }
    if (!value) value = p.default_value;
    if (!value) {
      missing.push_back(p.name);
      continue;
    }
    auto s = Check(p, *value);
    if (!s.ok()) return s.error();
    out[p.name] = *value;
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& n : missing) names += (names.empty() ? "" : ", ") + n;
    return ValidationError("Parameters: [" + names + "] must have values");
  }
  return out;
}

}  // namespace sluice::stacks
