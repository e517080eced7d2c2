#include "internal/yaml_document.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <sstream>
#include <string>


namespace sluice::stacks::internal {
namespace {

// The deepest nesting accepted: a template is shallow, a hostile one need not be.
constexpr int kMaxDepth = 64;

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A plain (unquoted, untagged) scalar, typed as CloudFormation types it.
Json PlainScalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  // A leading zero keeps the text (account ids such as 012345678901 must not change).
  if (IsDigits(digits) && (digits.size() == 1 || digits[0] != '0')) {
    int64_t v = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [p, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) return v;
    return s;  // too large for an integer: keep the text
  }
  // Decimal fractions such as 1.5 or -0.25 (no exponents, no leading-zero integers).
  const size_t dot = digits.find('.');
  if (dot != std::string_view::npos && dot > 0 && IsDigits(digits.substr(0, dot)) &&
      IsDigits(digits.substr(dot + 1)) && (dot == 1 || digits[0] != '0')) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data() + (s[0] == '+' ? 1 : 0), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size() && std::isfinite(v)) return v;
  }
  return s;
}

StackResult<Json> Convert(const YAML::Node& node, int depth);

StackResult<Json> Untagged(const YAML::Node& node, int depth) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Json(nullptr);
    case YAML::NodeType::Scalar:
      // "?" marks a plain scalar; "!" a quoted one, which is always a string.
      if (node.Tag() == "?") return PlainScalar(node.Scalar());
      return Json(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) {
        auto v = Convert(item, depth + 1);
        if (!v.ok()) return v;
        out.push_back(std::move(*v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          return ValidationError("Template format error: YAML not well-formed. (line " +
                                 std::to_string(kv.first.Mark().line + 1) + ", column " +
                                 std::to_string(kv.first.Mark().column + 1) + ")");
        }
        const std::string& key = kv.first.Scalar();
        if (out.contains(key)) {
          return ValidationError("Template format error: YAML not well-formed. (line " +
                                 std::to_string(kv.first.Mark().line + 1) + ", column " +
                                 std::to_string(kv.first.Mark().column + 1) + ")");
        }
        auto v = Convert(kv.second, depth + 1);
        if (!v.ok()) return v;
        out[key] = std::move(*v);
      }
      return out;
    }
  }
  return Json(nullptr);
}

StackResult<Json> Convert(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) {
    return ValidationError("Template format error: the template nests deeper than " +
                           std::to_string(kMaxDepth) + " levels");
  }
  const std::string& tag = node.Tag();
  // "?" and "!" are yaml-cpp's marks for untagged nodes; "tag:yaml.org,2002:..." the
  // standard !!str, !!int, ... tags, which change nothing here.
  if (tag.empty() || tag == "?" || tag == "!" || tag.rfind("tag:yaml.org,2002:", 0) == 0) {
    if (tag == "tag:yaml.org,2002:str" && node.IsScalar()) return Json(node.Scalar());
    return Untagged(node, depth);
  }
  if (tag.size() < 2 || tag[0] != '!') {
    return ValidationError("Template format error: YAML not well-formed. Unknown tag " + tag);
  }
  const std::string name = tag.substr(1);
  // The value of a tagged node is the node itself without its tag; a tagged scalar is
  // a string whether quoted or not (`!Ref 123` names the logical id "123").
  Json value;
  if (node.IsScalar()) {
    value = node.Scalar();
  } else {
    auto v = Untagged(node, depth);
    if (!v.ok()) return v;
    value = std::move(*v);
  }
  Json out = Json::object();
  if (name == "Ref" || name == "Condition") {
    out[name] = std::move(value);
  } else {
    out["Fn::" + name] = std::move(value);
  }
  return out;
}

// Finds whether a document uses an alias (`*name`, merge keys `<<: *name` too). Parse
// events only, so nothing is expanded.
class AliasFinder final : public YAML::EventHandler {
 public:
  bool found = false;
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { found = true; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

StackResult<Json> YamlToJson(std::string_view text) {
  YAML::Node root;
  try {
    // CloudFormation refuses aliases; converting them would also copy the aliased node
    // at every use, so a few hundred bytes of nested aliases would expand to billions
    // of values.
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    AliasFinder aliases;
    while (!aliases.found && parser.HandleNextDocument(aliases)) {
    }
    if (aliases.found) return ValidationError("Template error: YAML aliases are not allowed in CloudFormation templates");
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return ValidationError("Template format error: YAML not well-formed. (line " +
                           std::to_string(e.mark.line + 1) + ", column " +
                           std::to_string(e.mark.column + 1) + ")");
  }
  return Convert(root, 0);
}

}  // namespace sluice::stacks::internal
