// AWS::Lambda::Permission: a statement of the function's resource policy, added through
// the function manager's AddPermission (recorded, not enforced, as the Lambda API does
// here). Ref and GetAtt Id: the statement id, a generated name. Every property replaces.
#include "functions/functions.h"
#include "providers/common.h"
#include "providers/providers_internal.h"

namespace sluice::stacks::providers {
namespace {

class LambdaPermissionProvider final : public ResourceProvider {
 public:
  explicit LambdaPermissionProvider(functions::FunctionManager& functions) : functions_(functions) {}

  std::string_view Type() const override { return "AWS::Lambda::Permission"; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& request) override {
    const Json& p = request.properties;
    for (const char* required : {"FunctionName", "Action", "Principal"}) {
      if (Text(p, required).empty()) {
        return ValidationError("Properties validation failed for resource " + request.logical_id +
                               " with message: #: required key [" + required + "] not found");
      }
    }
    functions::Permission perm;
    perm.statement_id = request.physical_name;
    perm.action = Text(p, "Action");
    perm.principal = Text(p, "Principal");
    perm.source_arn = Text(p, "SourceArn");
    perm.source_account = Text(p, "SourceAccount");
    auto added = functions_.AddPermission(Text(p, "FunctionName"), std::move(perm));
    if (!added.ok()) {
      return HandlerError("Lambda", functions::LambdaErrorStatus(added.error().code), added.error().message);
    }
    return ProvisionedResource{request.physical_name, Json{{"Id", request.physical_name}}};
  }

  UpdateKind Classify(const Json& before, const Json& after) const override {
    return before == after ? UpdateKind::kNone : UpdateKind::kReplacement;
  }

  StackResult<ProvisionedResource> Update(const ResourceRequest& request, const ProvisionedResource& current,
                                          const Json& old_properties) override {
    (void)request;
    (void)old_properties;
    return current;  // never called: every change replaces
  }

  StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) override {
    const std::string id = current.physical_id.empty() ? request.physical_name : current.physical_id;
    const std::string function = Text(request.properties, "FunctionName");
    if (id.empty() || function.empty()) return Done{};
    auto r = functions_.RemovePermission(function, id, std::nullopt);
    if (!r.ok() && r.error().code != functions::LambdaError::kResourceNotFound) {
      return HandlerError("Lambda", r.error().message);
    }
    return Done{};
  }

 private:
  functions::FunctionManager& functions_;
};

}  // namespace

std::unique_ptr<ResourceProvider> NewLambdaPermissionProvider(functions::FunctionManager& functions) {
  return std::make_unique<LambdaPermissionProvider>(functions);
}

}  // namespace sluice::stacks::providers
