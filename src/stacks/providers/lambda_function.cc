// AWS::Lambda::Function through the function manager. Ref: the function name. GetAtt:
// Arn. FunctionName replaces; Code updates in place through UpdateFunctionCode, the
// other properties through UpdateFunctionConfiguration. Code.ZipFile is inline source
// text that CloudFormation packages as index.py (python runtimes) or index.js (nodejs),
// with the cfn-response module beside it (cfn_response.cc).
#include "functions/functions.h"
#include "providers/common.h"
#include "providers/providers_internal.h"

namespace sluice::stacks::providers {
namespace {

StackError ServiceError(const functions::LambdaFailure& f) {
  return HandlerError("Lambda", functions::LambdaErrorStatus(f.code), f.message);
}

std::map<std::string, std::string> EnvironmentOf(const Json& p) {
  std::map<std::string, std::string> env;
  if (!p.contains("Environment") || !p["Environment"].is_object()) return env;
  const Json& e = p["Environment"];
  if (!e.contains("Variables") || !e["Variables"].is_object()) return env;
  for (const auto& [k, v] : e["Variables"].items()) env[k] = Text(e["Variables"], k);
  return env;
}

StackResult<functions::CodeSource> CodeOf(const ResourceRequest& request) {
  const Json& p = request.properties;
  if (!p.contains("Code") || !p["Code"].is_object()) {
    return ValidationError("Properties validation failed for resource " + request.logical_id +
                           " with message: #: required key [Code] not found");
  }
  const Json& c = p["Code"];
  functions::CodeSource code;
  if (c.contains("ZipFile")) {
    const std::string runtime = Text(p, "Runtime");
    std::vector<std::pair<std::string, std::string>> files;
    if (runtime.starts_with("python")) {
      files = {{"index.py", Text(c, "ZipFile")}, {"cfnresponse.py", std::string(kCfnResponsePython)}};
    }
    if (runtime.starts_with("nodejs")) {
      files = {{"index.js", Text(c, "ZipFile")},
               {"node_modules/cfn-response/index.js", std::string(kCfnResponseNode)}};
    }
    if (files.empty()) {
      return HandlerError("Lambda", 400,
                          "ZipFile can only be used when Runtime is set to either of nodejs or python runtimes");
    }
    auto zip = functions::ZipFiles(files);
    if (!zip.ok()) return ServiceError(zip.error());
    code.zip = std::move(*zip);
    return code;
  }
  if (c.contains("ImageUri")) return HandlerError("Lambda", 400, "Code.ImageUri is not supported");
  code.s3_bucket = Text(c, "S3Bucket");
  code.s3_key = Text(c, "S3Key");
  return code;
}

class LambdaFunctionProvider final : public ResourceProvider {
 public:
  explicit LambdaFunctionProvider(functions::FunctionManager& functions) : functions_(functions) {}

  std::string_view Type() const override { return "AWS::Lambda::Function"; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& request) override {
    const Json& p = request.properties;
    functions::CreateFunctionInput in;
    in.config.name = NameOf(request, "FunctionName");
    in.config.runtime = Text(p, "Runtime");
    in.config.handler = Text(p, "Handler");
    in.config.role = Text(p, "Role");
    in.config.description = Text(p, "Description");
    if (auto t = IntOf(p, "Timeout")) in.config.timeout_s = *t;
    if (auto m = IntOf(p, "MemorySize")) in.config.memory_mb = *m;
    in.config.environment = EnvironmentOf(p);
    auto code = CodeOf(request);
    if (!code.ok()) return code.error();
    in.code = std::move(*code);
    const functions::CodeSource source = in.code;
    auto created = functions_.Create(std::move(in));
    if (!created.ok()) return Failure(created.error(), source);
    return Provisioned(*created);
  }

  UpdateKind Classify(const Json& before, const Json& after) const override {
    return ClassifyBy(before, after, {"FunctionName", "PackageType"});
  }

  StackResult<ProvisionedResource> Update(const ResourceRequest& request, const ProvisionedResource& current,
                                          const Json& old) override {
    const Json& p = request.properties;
    const std::string& name = current.physical_id;
    if (!SameProperties(p, old, {"Code"}) || (p.contains("Code") && p["Code"].contains("ZipFile") &&
                                              !SameProperties(p, old, {"Runtime"}))) {
      auto code = CodeOf(request);
      if (!code.ok()) return code.error();
      const functions::CodeSource source = *code;
      auto r = functions_.UpdateCode(name, std::move(*code), std::nullopt);
      if (!r.ok()) return Failure(r.error(), source);
    }
    functions::ConfigUpdate u;
    u.runtime = Text(p, "Runtime");
    u.handler = Text(p, "Handler");
    u.role = Text(p, "Role");
    u.description = Text(p, "Description");
    u.timeout_s = IntOf(p, "Timeout").value_or(3);
    u.memory_mb = IntOf(p, "MemorySize").value_or(128);
    u.environment = EnvironmentOf(p);
    auto r = functions_.UpdateConfig(name, std::move(u));
    if (!r.ok()) return ServiceError(r.error());
    return Provisioned(*r);
  }

  StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) override {
    const std::string name = current.physical_id.empty() ? NameOf(request, "FunctionName") : current.physical_id;
    if (name.empty()) return Done{};
    auto r = functions_.Delete(name, "");
    if (!r.ok() && r.error().code != functions::LambdaError::kResourceNotFound) return ServiceError(r.error());
    return Done{};
  }

 private:
  // Lambda's message for a missing package names neither bucket nor key: the reason
  // adds them so the stack's events say which object is missing.
  static StackError Failure(const functions::LambdaFailure& f, const functions::CodeSource& source) {
    if (!source.zip && f.message.starts_with("Error occurred while GetObject")) {
      functions::LambdaFailure named = f;
      named.message += " (S3Bucket: " + source.s3_bucket + ", S3Key: " + source.s3_key + ")";
      return ServiceError(named);
    }
    return ServiceError(f);
  }

  static ProvisionedResource Provisioned(const functions::FunctionConfig& c) {
    return {c.name, Json{{"Arn", c.arn}}};
  }

  functions::FunctionManager& functions_;
};

}  // namespace

std::unique_ptr<ResourceProvider> NewLambdaFunctionProvider(functions::FunctionManager& functions) {
  return std::make_unique<LambdaFunctionProvider>(functions);
}

}  // namespace sluice::stacks::providers
