#include "internal/ops.h"

namespace sluice::frontends::lambda {

http::Response Error(functions::LambdaError code, std::string_view message) {
  return awsproto::RestJsonError(functions::LambdaErrorStatus(code), functions::LambdaErrorName(code), message);
}

http::Response LambdaFailureResponse(const functions::LambdaFailure& f) { return Error(f.code, f.message); }

std::optional<nlohmann::json> JsonBody(const Call& call, http::Responder& done) {
  const std::string& body = call.request.body;
  if (body.empty()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    done(Error(functions::LambdaError::kInvalidRequestContent, "Could not parse request body into json"));
    return std::nullopt;
  }
  return j;
}

nlohmann::json ConfigurationJson(const functions::FunctionConfig& c) {
  nlohmann::json j = {
      {"FunctionName", c.name},
      {"FunctionArn", c.arn},
      {"Runtime", c.runtime},
      {"Role", c.role},
      {"Handler", c.handler},
      {"CodeSize", c.code_size},
      {"Description", c.description},
      {"Timeout", c.timeout_s},
      {"MemorySize", c.memory_mb},
      {"LastModified", c.last_modified},
      {"CodeSha256", c.code_sha256},
      {"Version", "$LATEST"},
      {"TracingConfig", {{"Mode", "PassThrough"}}},
      {"RevisionId", c.revision_id},
      {"State", c.state},
      {"LastUpdateStatus", c.last_update_status},
      {"PackageType", c.package_type},
      {"Architectures", c.architectures},
      {"EphemeralStorage", {{"Size", c.ephemeral_mb}}},
      {"SnapStart", {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}}},
      {"LoggingConfig", {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + c.name}}},
  };
  if (!c.environment.empty()) j["Environment"] = {{"Variables", c.environment}};
  if (c.state == "Pending") {
    j["StateReason"] = "The function is being created.";
    j["StateReasonCode"] = "Creating";
  }
  return j;
}

}  // namespace sluice::frontends::lambda
