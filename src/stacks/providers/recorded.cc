// Types recorded with AWS's identifiers and no behaviour: sluice has no IAM. Each keeps
// its properties so updates and GetAtt answer as AWS does.
#include "providers/common.h"
#include "providers/providers_internal.h"

namespace sluice::stacks::providers {
namespace {

// Builds the identifiers from a name; the provider records nothing else.
class RecordedProvider final : public ResourceProvider {
 public:
  using Identify = std::function<ProvisionedResource(const ResourceRequest&, const std::string& name)>;
  RecordedProvider(std::string type, std::string name_property, std::initializer_list<std::string_view> replace_on,
                   Identify identify)
      : type_(std::move(type)), name_property_(std::move(name_property)), identify_(std::move(identify)) {
    for (std::string_view r : replace_on) replace_on_.emplace_back(r);
  }

  std::string_view Type() const override { return type_; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& request) override {
    return identify_(request, name_property_.empty() ? request.physical_name : NameOf(request, name_property_));
  }

  UpdateKind Classify(const Json& before, const Json& after) const override {
    if (before == after) return UpdateKind::kNone;
    for (const std::string& r : replace_on_) {
      if (!SameProperties(before, after, {r})) return UpdateKind::kReplacement;
    }
    return UpdateKind::kInPlace;
  }

  StackResult<ProvisionedResource> Update(const ResourceRequest& request, const ProvisionedResource& current,
                                          const Json& old_properties) override {
    (void)request;
    (void)old_properties;
    return current;
  }

  StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) override {
    (void)request;
    (void)current;
    return Done{};
  }

 private:
  std::string type_, name_property_;
  std::vector<std::string> replace_on_;
  Identify identify_;
};

}  // namespace

std::unique_ptr<ResourceProvider> NewIamRoleProvider(const ProviderDeps& deps) {
  const std::string account = deps.account_id;
  return std::make_unique<RecordedProvider>(
      "AWS::IAM::Role", "RoleName", std::initializer_list<std::string_view>{"RoleName", "Path"},
      [account](const ResourceRequest& req, const std::string& name) {
        std::string path = Text(req.properties, "Path");
        if (path.empty()) path = "/";
        return ProvisionedResource{name, Json{{"Arn", "arn:aws:iam::" + account + ":role" + path + name},
                                              {"RoleId", "AROA" + RandomId(17)}}};
      });
}

std::unique_ptr<ResourceProvider> NewIamPolicyProvider() {
  return std::make_unique<RecordedProvider>(
      "AWS::IAM::Policy", "", std::initializer_list<std::string_view>{},
      [](const ResourceRequest& req, const std::string& name) {
        (void)req;
        return ProvisionedResource{name, Json{{"Id", name}}};
      });
}

std::unique_ptr<ResourceProvider> NewIamManagedPolicyProvider(const ProviderDeps& deps) {
  const std::string account = deps.account_id;
  return std::make_unique<RecordedProvider>(
      "AWS::IAM::ManagedPolicy", "ManagedPolicyName",
      std::initializer_list<std::string_view>{"ManagedPolicyName", "Path"},
      [account](const ResourceRequest& req, const std::string& name) {
        std::string path = Text(req.properties, "Path");
        if (path.empty()) path = "/";
        const std::string arn = "arn:aws:iam::" + account + ":policy" + path + name;
        // Ref of a managed policy is its ARN.
        return ProvisionedResource{arn, Json{{"PolicyArn", arn}, {"PolicyId", "ANPA" + RandomId(17)}}};
      });
}

}  // namespace sluice::stacks::providers
