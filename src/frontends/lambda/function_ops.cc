// CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, DeleteFunction,
// UpdateFunctionCode and UpdateFunctionConfiguration.
#include "base/base64.h"
#include "internal/fields.h"
#include "internal/ops.h"

namespace sluice::frontends::lambda {
namespace {

using functions::LambdaError;

http::Response Ok(int status, const nlohmann::json& body) { return awsproto::RestJsonResponse(status, body.dump()); }

// Code{ZipFile | S3Bucket+S3Key}, as CreateFunction and UpdateFunctionCode carry it.
std::optional<functions::CodeSource> ReadCode(Fields& f, const nlohmann::json& code, http::Responder& done) {
  Fields c(code);
  functions::CodeSource out;
  if (auto zip = c.String("ZipFile")) {
    auto bytes = Base64Decode(*zip);
    if (!bytes) {
      done(Error(LambdaError::kInvalidParameterValue,
                 "Could not unzip uploaded file. Please check your file, then try to upload again."));
      return std::nullopt;
    }
    out.zip = std::move(*bytes);
  }
  out.s3_bucket = c.String("S3Bucket").value_or("");
  out.s3_key = c.String("S3Key").value_or("");
  if (c.Has("ImageUri")) {
    done(Error(LambdaError::kInvalidParameterValue, "sluice runs Zip packages only; container images are not supported."));
    return std::nullopt;
  }
  if (!c.type_error().empty() || !f.type_error().empty()) {
    done(Error(LambdaError::kInvalidRequestContent, c.type_error().empty() ? f.type_error() : c.type_error()));
    return std::nullopt;
  }
  if (out.zip && !out.s3_bucket.empty()) {
    done(Error(LambdaError::kInvalidParameterValue,
               "Please do not provide other FunctionCode parameters when providing a ZipFile."));
    return std::nullopt;
  }
  return out;
}

// Options sluice does not have: refused with Lambda's parameter error, not ignored.
bool RefuseUnsupported(Fields& f, http::Responder& done) {
  if (auto layers = f.StringList("Layers"); layers && !layers->empty()) {
    done(Error(LambdaError::kInvalidParameterValue, "sluice does not support Lambda layers."));
    return true;
  }
  if (auto type = f.String("PackageType"); type && *type != "Zip") {
    done(Error(LambdaError::kInvalidParameterValue, "sluice runs Zip packages only; PackageType " + *type +
                                                        " is not supported."));
    return true;
  }
  return false;
}

}  // namespace

void CreateFunction(LambdaBackends& b, Call& call, http::Responder done) {
  auto body = JsonBody(call, done);
  if (!body) return;
  Fields f(*body);
  functions::CreateFunctionInput in;
  in.config.name = f.String("FunctionName").value_or("");
  in.config.runtime = f.String("Runtime").value_or("");
  in.config.handler = f.String("Handler").value_or("");
  in.config.role = f.String("Role").value_or("");
  in.config.description = f.String("Description").value_or("");
  in.config.timeout_s = f.Int("Timeout").value_or(3);
  in.config.memory_mb = f.Int("MemorySize").value_or(128);
  in.config.tags = f.StringMap("Tags").value_or(std::map<std::string, std::string>{});
  if (const nlohmann::json* env = f.Object("Environment")) {
    in.config.environment = f.StringMap(*env, "Variables").value_or(std::map<std::string, std::string>{});
  }
  if (auto arch = f.StringList("Architectures"); arch && !arch->empty()) in.config.architectures = *arch;
  if (const nlohmann::json* eph = f.Object("EphemeralStorage")) {
    if (eph->contains("Size") && (*eph)["Size"].is_number_integer()) in.config.ephemeral_mb = (*eph)["Size"];
  }
  if (RefuseUnsupported(f, done)) return;
  if (!f.type_error().empty()) return done(Error(LambdaError::kInvalidRequestContent, f.type_error()));
  if (!f.Has("FunctionName")) return done(Error(LambdaError::kValidation, MissingField("functionName")));
  if (!f.Has("Role")) return done(Error(LambdaError::kValidation, MissingField("role")));
  const nlohmann::json* code = f.Object("Code");
  if (code == nullptr) {
    if (!f.type_error().empty()) return done(Error(LambdaError::kInvalidRequestContent, f.type_error()));
    return done(Error(LambdaError::kValidation, MissingField("code")));
  }
  auto source = ReadCode(f, *code, done);
  if (!source) return;
  in.code = std::move(*source);
  auto r = b.functions.Create(std::move(in));
  if (!r.ok()) return done(LambdaFailureResponse(r.error()));
  done(Ok(201, ConfigurationJson(*r)));
}

void GetFunction(LambdaBackends& b, Call& call, http::Responder done) {
  auto r = b.functions.Get(call.Label("FunctionName"), call.Query("Qualifier").value_or(""));
  if (!r.ok()) return done(LambdaFailureResponse(r.error()));
  nlohmann::json out = {{"Configuration", ConfigurationJson(*r)}, {"Code", {{"RepositoryType", "S3"}}}};
  if (!r->tags.empty()) out["Tags"] = r->tags;
  if (r->reserved_concurrency) out["Concurrency"] = {{"ReservedConcurrentExecutions", *r->reserved_concurrency}};
  done(Ok(200, out));
}

void GetFunctionConfiguration(LambdaBackends& b, Call& call, http::Responder done) {
  auto r = b.functions.Get(call.Label("FunctionName"), call.Query("Qualifier").value_or(""));
  if (!r.ok()) return done(LambdaFailureResponse(r.error()));
  done(Ok(200, ConfigurationJson(*r)));
}

void ListFunctions(LambdaBackends& b, Call& call, http::Responder done) {
  int64_t max_items = 50;
  if (auto m = call.Query("MaxItems")) {
    char* end = nullptr;
    max_items = std::strtoll(m->c_str(), &end, 10);
    if (m->empty() || *end != '\0') max_items = 0;
  }
  auto r = b.functions.List(call.Query("Marker").value_or(""), max_items);
  if (!r.ok()) return done(LambdaFailureResponse(r.error()));
  nlohmann::json out = {{"Functions", nlohmann::json::array()}};
  for (const auto& c : r->functions) out["Functions"].push_back(ConfigurationJson(c));
  if (!r->next_marker.empty()) out["NextMarker"] = r->next_marker;
  done(Ok(200, out));
}

void DeleteFunction(LambdaBackends& b, Call& call, http::Responder done) {
  auto r = b.functions.Delete(call.Label("FunctionName"), call.Query("Qualifier").value_or(""));
  if (!r.ok()) return done(LambdaFailureResponse(r.error()));
  done(awsproto::RestJsonResponse(204, ""));
}

void UpdateFunctionCode(LambdaBackends& b, Call& call, http::Responder done) {
  auto body = JsonBody(call, done);
  if (!body) return;
  Fields f(*body);
  auto source = ReadCode(f, *body, done);
  if (!source) return;
  auto revision = f.String("RevisionId");
  if (!f.type_error().empty()) return done(Error(LambdaError::kInvalidRequestContent, f.type_error()));
  if (f.Bool("DryRun").value_or(false)) {
    auto r = b.functions.Get(call.Label("FunctionName"), "");
    if (!r.ok()) return done(LambdaFailureResponse(r.error()));
    return done(Ok(200, ConfigurationJson(*r)));
  }
  auto r = b.functions.UpdateCode(call.Label("FunctionName"), std::move(*source), revision);
  if (!r.ok()) return done(LambdaFailureResponse(r.error()));
  done(Ok(200, ConfigurationJson(*r)));
}

void UpdateFunctionConfiguration(LambdaBackends& b, Call& call, http::Responder done) {
  auto body = JsonBody(call, done);
  if (!body) return;
  Fields f(*body);
  functions::ConfigUpdate u;
  u.runtime = f.String("Runtime");
  u.handler = f.String("Handler");
  u.role = f.String("Role");
  u.description = f.String("Description");
  u.timeout_s = f.Int("Timeout");
  u.memory_mb = f.Int("MemorySize");
  u.revision_id = f.String("RevisionId");
  if (const nlohmann::json* env = f.Object("Environment")) {
    u.environment = f.StringMap(*env, "Variables").value_or(std::map<std::string, std::string>{});
  }
  if (RefuseUnsupported(f, done)) return;
  if (!f.type_error().empty()) return done(Error(LambdaError::kInvalidRequestContent, f.type_error()));
  auto r = b.functions.UpdateConfig(call.Label("FunctionName"), std::move(u));
  if (!r.ok()) return done(LambdaFailureResponse(r.error()));
  done(Ok(200, ConfigurationJson(*r)));
}

}  // namespace sluice::frontends::lambda
