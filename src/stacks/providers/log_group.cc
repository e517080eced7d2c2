// AWS::Logs::LogGroup: a log group of the function logs' store, the one the Logs API
// serves (functions/logs.h). Ref: the name. GetAtt Arn:
// arn:aws:logs:<region>:<account>:log-group:<name>:*. LogGroupName replaces;
// RetentionInDays updates in place (absent: events never expire). Other properties
// (Tags, KmsKeyId, LogGroupClass, ...) are recorded.
#include "functions/logs.h"
#include "providers/common.h"
#include "providers/providers_internal.h"

namespace sluice::stacks::providers {
namespace {

constexpr int kLogsBadRequest = 400;

// CloudWatch Logs' rule for group names: 1 to 512 of [.-_/#A-Za-z0-9].
bool ValidGroupName(std::string_view name) {
  if (name.empty() || name.size() > 512) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_' || c == '/' || c == '#';
    if (!ok) return false;
  }
  return true;
}

StackError FromLogs(const functions::LogsFailure& f) {
  return HandlerError("CloudWatchLogs", functions::LogsErrorStatus(f.code), f.message);
}

class LogGroupProvider final : public ResourceProvider {
 public:
  explicit LogGroupProvider(functions::LogStore& logs) : logs_(logs) {}

  std::string_view Type() const override { return "AWS::Logs::LogGroup"; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& request) override {
    const std::string name = NameOf(request, "LogGroupName");
    if (!ValidGroupName(name)) {
      return HandlerError("CloudWatchLogs", kLogsBadRequest,
                          "1 validation error detected: Value '" + name +
                              "' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular "
                              "expression pattern: [\\.\\-_/#A-Za-z0-9]+");
    }
    auto created = logs_.CreateGroup(name);
    if (!created.ok()) {
      if (created.error().code == functions::LogsError::kResourceAlreadyExists) {
        return ValidationError("Resource handler returned message: \"Resource of type 'AWS::Logs::LogGroup' with "
                               "identifier '{\"/properties/LogGroupName\":\"" + name +
                               "\"}' already exists.\" (HandlerErrorCode: AlreadyExists)");
      }
      return FromLogs(created.error());
    }
    if (auto st = ApplyRetention(name, request.properties); !st.ok()) {
      (void)logs_.DeleteGroup(name);  // the create fails whole, as CloudFormation's handler does
      return st.error();
    }
    return Provisioned(name);
  }

  UpdateKind Classify(const Json& before, const Json& after) const override {
    return ClassifyBy(before, after, {"LogGroupName"});
  }

  StackResult<ProvisionedResource> Update(const ResourceRequest& request, const ProvisionedResource& current,
                                          const Json& old_properties) override {
    if (!SameProperties(request.properties, old_properties, {"RetentionInDays"})) {
      if (auto st = ApplyRetention(current.physical_id, request.properties); !st.ok()) return st.error();
    }
    return Provisioned(current.physical_id);
  }

  StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) override {
    std::string name = current.physical_id;
    if (name.empty()) {
      // Never created here: a generated name may be ours (a create a crash cut short);
      // an explicit one may be another stack's group, which a failed create must not take.
      if (!Text(request.properties, "LogGroupName").empty()) return Done{};
      name = request.physical_name;
    }
    if (name.empty()) return Done{};
    auto r = logs_.DeleteGroup(name);
    if (!r.ok() && r.error().code != functions::LogsError::kResourceNotFound) return FromLogs(r.error());
    return Done{};
  }

 private:
  StackStatus ApplyRetention(const std::string& name, const Json& properties) {
    const std::optional<int64_t> days = IntOf(properties, "RetentionInDays");
    auto r = days ? logs_.PutRetention(name, *days) : logs_.DeleteRetention(name);
    if (!r.ok()) return FromLogs(r.error());
    return Done{};
  }

  ProvisionedResource Provisioned(const std::string& name) const {
    std::string arn;
    auto page = logs_.DescribeGroups(name, "", 50);
    if (page.ok()) {
      for (const functions::LogGroupInfo& g : page->groups) {
        if (g.name == name) arn = g.arn;
      }
    }
    return {name, Json{{"Arn", arn}}};
  }

  functions::LogStore& logs_;
};

}  // namespace

std::unique_ptr<ResourceProvider> NewLogGroupProvider(functions::LogStore& logs) {
  return std::make_unique<LogGroupProvider>(logs);
}

}  // namespace sluice::stacks::providers
