// Typed reads of a request's JSON fields. A field of the wrong type is answered as
// Lambda answers a body it cannot bind (InvalidRequestContentException); the reader
// remembers the first such failure so an operation checks once.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sluice::frontends::lambda {

class Fields {
 public:
  explicit Fields(const nlohmann::json& body) : body_(body) {}

  std::optional<std::string> String(std::string_view key);
  std::optional<int64_t> Int(std::string_view key);
  std::optional<bool> Bool(std::string_view key);
  std::optional<std::map<std::string, std::string>> StringMap(const nlohmann::json& object, std::string_view key);
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view key) { return StringMap(body_, key); }
  // A nested object, or nullopt when absent (a non-object is a type error).
  const nlohmann::json* Object(std::string_view key);
  std::optional<std::vector<std::string>> StringList(std::string_view key);
  bool Has(std::string_view key) const { return body_.contains(key) && !body_.at(std::string(key)).is_null(); }

  // The message of the first field of the wrong type, or empty.
  const std::string& type_error() const { return type_error_; }

 private:
  void Wrong(std::string_view key, std::string_view want);

  const nlohmann::json& body_;
  std::string type_error_;
};

// "1 validation error detected: Value null at 'field' failed to satisfy constraint:
// Member must not be null"
std::string MissingField(std::string_view field);

}  // namespace sluice::frontends::lambda
