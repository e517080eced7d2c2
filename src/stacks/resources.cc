#include "stacks/resources.h"

#include "base/random.h"
#include "stacks/custom_resources.h"

namespace sluice::stacks {

void ResourceProviders::Add(std::unique_ptr<ResourceProvider> provider) {
  std::string type(provider->Type());
  providers_[type] = std::move(provider);
}

ResourceProvider* ResourceProviders::Find(std::string_view type) const {
  auto it = providers_.find(type);
  if (it == providers_.end() && IsCustomResourceType(type)) it = providers_.find(kCustomResourceType);
  return it == providers_.end() ? nullptr : it->second.get();
}

std::string GeneratePhysicalName(std::string_view stack_name, std::string_view logical_id, size_t max_length,
                                 bool lower) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string suffix;
  for (int i = 0; i < 13; ++i) suffix += kAlphabet[RandomU64() % 36];
  std::string stack(stack_name), logical(logical_id);
  // Shorten the longer part first until "<stack>-<logical>-<suffix>" fits.
  while (stack.size() + logical.size() + suffix.size() + 2 > max_length && (stack.size() > 1 || logical.size() > 1)) {
    if (stack.size() >= logical.size()) {
      stack.pop_back();
    } else {
      logical.pop_back();
    }
  }
  std::string name = stack + "-" + logical + "-" + suffix;
  if (lower) {
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return name;
}

bool SameProperties(const Json& a, const Json& b, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    const std::string key(n);
    const bool in_a = a.contains(key), in_b = b.contains(key);
    if (in_a != in_b) return false;
    if (in_a && a[key] != b[key]) return false;
  }
  return true;
}

}  // namespace sluice::stacks
