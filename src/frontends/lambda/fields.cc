#include "internal/fields.h"

namespace sluice::frontends::lambda {

void Fields::Wrong(std::string_view key, std::string_view want) {
  if (type_error_.empty()) {
    type_error_ = "Could not parse request body into json: field " + std::string(key) + " must be " +
                  std::string(want);
  }
}

std::optional<std::string> Fields::String(std::string_view key) {
  auto it = body_.find(key);
  if (it == body_.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    Wrong(key, "a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<int64_t> Fields::Int(std::string_view key) {
  auto it = body_.find(key);
  if (it == body_.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) {
    Wrong(key, "an integer");
    return std::nullopt;
  }
  return it->get<int64_t>();
}

std::optional<bool> Fields::Bool(std::string_view key) {
  auto it = body_.find(key);
  if (it == body_.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) {
    Wrong(key, "a boolean");
    return std::nullopt;
  }
  return it->get<bool>();
}

std::optional<std::map<std::string, std::string>> Fields::StringMap(const nlohmann::json& object,
                                                                    std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) {
    Wrong(key, "an object");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      Wrong(key, "a map of strings");
      return std::nullopt;
    }
    out[k] = v.get<std::string>();
  }
  return out;
}

const nlohmann::json* Fields::Object(std::string_view key) {
  auto it = body_.find(key);
  if (it == body_.end() || it->is_null()) return nullptr;
  if (!it->is_object()) {
    Wrong(key, "an object");
    return nullptr;
  }
  return &*it;
}

std::optional<std::vector<std::string>> Fields::StringList(std::string_view key) {
  auto it = body_.find(key);
  if (it == body_.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) {
    Wrong(key, "a list");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string()) {
      Wrong(key, "a list of strings");
      return std::nullopt;
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string MissingField(std::string_view field) {
  return "1 validation error detected: Value null at '" + std::string(field) +
         "' failed to satisfy constraint: Member must not be null";
}

}  // namespace sluice::frontends::lambda
