#include "providers/common.h"

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
