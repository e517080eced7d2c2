#include "providers/common.h"

#include <limits>

#include "base/random.h"
#include "stacks/intrinsics.h"

namespace sluice::stacks::providers {

std::string NameOf(const ResourceRequest& request, std::string_view name_property) {
  std::string name = Text(request.properties, name_property);
  return name.empty() ? request.physical_name : name;
}

std::string Text(const Json& properties, std::string_view name) {
  const std::string key(name);
  if (!properties.is_object() || !properties.contains(key)) return "";
  auto t = ToText(properties[key], name);
  return t.ok() ? *t : "";
}

std::optional<int64_t> IntOf(const Json& properties, std::string_view name) {
  const std::string t = Text(properties, name);
  if (t.empty()) return std::nullopt;
  try {
    return std::stoll(t);
  } catch (...) {
    return std::numeric_limits<int64_t>::min();
  }
}

TagList TagsOf(const Json& p) {
  TagList tags;
  if (!p.contains("Tags") || !p["Tags"].is_array()) return tags;
  for (const Json& t : p["Tags"]) {
    if (t.is_object()) tags.emplace_back(Text(t, "Key"), Text(t, "Value"));
  }
  return tags;
}

std::vector<std::string> RemovedTagKeys(const TagList& before, const TagList& after) {
  std::vector<std::string> removed;
  for (const auto& [k, v] : before) {
    bool kept = false;
    for (const auto& t : after) kept = kept || t.first == k;
    if (!kept) removed.push_back(k);
  }
  return removed;
}

StackError HandlerError(std::string_view service, int http_status, std::string_view message) {
  return HandlerError(std::string(service) + ", Status Code: " + std::to_string(http_status), message);
}

StackError HandlerError(std::string_view service, std::string_view message) {
  return ValidationError("Resource handler returned message: \"" + std::string(message) + "\" (Service: " +
                         std::string(service) + ")");
}

std::string RandomId(size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out;
  for (size_t i = 0; i < length; ++i) out += kAlphabet[RandomU64() % 36];
  return out;
}

UpdateKind ClassifyBy(const Json& before, const Json& after, std::initializer_list<std::string_view> replace_on) {
  if (before == after) return UpdateKind::kNone;
  return SameProperties(before, after, replace_on) ? UpdateKind::kInPlace : UpdateKind::kReplacement;
}

}  // namespace sluice::stacks::providers
