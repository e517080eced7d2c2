#include "internal/config_store.h"

#include <nlohmann/json.hpp>

namespace sluice::functions {

std::string ConfigToStored(const FunctionConfig& c) {
  nlohmann::json j = {
      {"name", c.name},
      {"arn", c.arn},
      {"runtime", c.runtime},
      {"handler", c.handler},
      {"role", c.role},
      {"description", c.description},
      {"timeout_s", c.timeout_s},
      {"memory_mb", c.memory_mb},
      {"ephemeral_mb", c.ephemeral_mb},
      {"environment", c.environment},
      {"code_sha256", c.code_sha256},
      {"code_size", c.code_size},
      {"last_modified", c.last_modified},
      {"revision_id", c.revision_id},
      {"tags", c.tags},
      {"policy", c.policy},
      {"generation", c.generation},
      {"package", c.package},
  };
  if (c.reserved_concurrency) j["reserved_concurrency"] = *c.reserved_concurrency;
  return j.dump();
}

std::optional<FunctionConfig> ConfigFromStored(const std::string& json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    FunctionConfig c;
    c.name = j.at("name").get<std::string>();
    c.arn = j.at("arn").get<std::string>();
    c.runtime = j.at("runtime").get<std::string>();
    c.handler = j.at("handler").get<std::string>();
    c.role = j.at("role").get<std::string>();
    c.description = j.at("description").get<std::string>();
    c.timeout_s = j.at("timeout_s").get<int64_t>();
    c.memory_mb = j.at("memory_mb").get<int64_t>();
    c.ephemeral_mb = j.at("ephemeral_mb").get<int64_t>();
    c.environment = j.at("environment").get<std::map<std::string, std::string>>();
    c.code_sha256 = j.at("code_sha256").get<std::string>();
    c.code_size = j.at("code_size").get<int64_t>();
    c.last_modified = j.at("last_modified").get<std::string>();
    c.revision_id = j.at("revision_id").get<std::string>();
    c.tags = j.at("tags").get<std::map<std::string, std::string>>();
    c.policy = j.at("policy").get<std::string>();
    c.generation = j.at("generation").get<int64_t>();
    c.package = j.at("package").get<int64_t>();
    if (j.contains("reserved_concurrency")) c.reserved_concurrency = j["reserved_concurrency"].get<int64_t>();
    return c;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace sluice::functions
