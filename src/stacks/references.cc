#include "stacks/references.h"

#include <array>

namespace sluice::stacks {
namespace {

constexpr std::array<std::string_view, 8> kPseudo = {
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",  "AWS::Partition",
    "AWS::Region",    "AWS::StackId",          "AWS::StackName", "AWS::URLSuffix"};


StackStatus AddSubVariables(std::string_view s, const Json* bound, References& out) {
  auto pieces = ParseSubString(s);
  if (!pieces.ok()) return pieces.error();
  for (const SubPiece& p : *pieces) {
    if (!p.is_variable) continue;
    if (bound != nullptr && bound->is_object() && bound->contains(p.text)) continue;
    const size_t dot = p.text.find('.');
    if (dot != std::string::npos && !IsPseudoParameter(p.text)) {
      out.get_atts.insert(p.text.substr(0, dot));
    } else {
      out.refs.insert(p.text);
    }
  }
  return Done{};
}

StackStatus CollectInto(const Json& value, References& out) {
  if (value.is_array()) {
    for (const Json& item : value) {
      auto s = CollectInto(item, out);
      if (!s.ok()) return s;
    }
    return Done{};
  }
  if (!value.is_object()) return Done{};
  if (value.size() == 1) {
    const auto first = value.begin();
    const std::string& key = first.key();
    const Json& arg = first.value();
    if (key == "Ref") {
      if (!arg.is_string()) {
        return ValidationError("Template format error: Every Ref object must have a single String value.");
      }
      out.refs.insert(arg.get<std::string>());
      return Done{};
    }
    if (key == "Condition" && arg.is_string()) {
      out.conditions.insert(arg.get<std::string>());
      return Done{};
    }
    if (key == "Fn::GetAtt") {
      if (arg.is_string()) {
        const std::string s = arg.get<std::string>();
        const size_t dot = s.find('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == s.size()) {
          return ValidationError("Template error: every Fn::GetAtt object requires two non-empty parameters");
        }
        out.get_atts.insert(s.substr(0, dot));
        return Done{};
      }
      if (!arg.is_array() || arg.size() != 2 || !arg[0].is_string()) {
        return ValidationError("Template error: every Fn::GetAtt object requires two non-empty parameters");
      }
      out.get_atts.insert(arg[0].get<std::string>());
      return CollectInto(arg[1], out);
    }
    if (key == "Fn::Sub") {
      if (arg.is_string()) return AddSubVariables(arg.get_ref<const std::string&>(), nullptr, out);
      if (arg.is_array() && arg.size() == 2 && arg[0].is_string() && arg[1].is_object()) {
        auto s = AddSubVariables(arg[0].get_ref<const std::string&>(), &arg[1], out);
        if (!s.ok()) return s;
        return CollectInto(arg[1], out);
      }
      return ValidationError("Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string");
    }
    if (key == "Fn::If") {
      if (!arg.is_array() || arg.size() != 3 || !arg[0].is_string()) {
        return ValidationError("Template error: Fn::If requires a list argument with three elements");
      }
      out.conditions.insert(arg[0].get<std::string>());
      auto s = CollectInto(arg[1], out);
      if (!s.ok()) return s;
      return CollectInto(arg[2], out);
    }
  }
  for (const auto& item : value.items()) {
    auto s = CollectInto(item.value(), out);
    if (!s.ok()) return s;
  }
  return Done{};
}

}  // namespace

StackResult<std::vector<SubPiece>> ParseSubString(std::string_view s) {
  std::vector<SubPiece> pieces;
  std::string literal;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      const size_t close = s.find('}', i + 2);
      if (close == std::string_view::npos) {
        return ValidationError("Template error: Fn::Sub string has an unterminated ${ at position " +
                               std::to_string(i));
      }
      std::string_view name = s.substr(i + 2, close - i - 2);
      if (!name.empty() && name[0] == '!') {
        literal += "${";
        literal += name.substr(1);
        literal += '}';
      } else {
        // Whitespace around the name is allowed, as CloudFormation trims it.
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        if (name.empty()) {
          return ValidationError("Template error: Fn::Sub string has an empty variable ${} at position " +
                                 std::to_string(i));
        }
        if (!literal.empty()) pieces.push_back({false, std::move(literal)});
        literal.clear();
        pieces.push_back({true, std::string(name)});
      }
      i = close + 1;
      continue;
    }
    literal += s[i++];
  }
  if (!literal.empty()) pieces.push_back({false, std::move(literal)});
  return pieces;
}

StackResult<References> CollectReferences(const Json& value) {
  References out;
  auto s = CollectInto(value, out);
  if (!s.ok()) return s.error();
  return out;
}

bool IsPseudoParameter(std::string_view name) {
  for (std::string_view p : kPseudo) {
    if (p == name) return true;
  }
  return false;
}

}  // namespace sluice::stacks
