// The custom resource provider: one request event per create, update and delete, sent
// to the ServiceToken's function, then a wait for its response object (custom_resources.h).
// Every change of properties is an in-place update for the engine; a response that
// names a new PhysicalResourceId makes it a replacement, and the engine then deletes
// the old one at cleanup, as CloudFormation does.
#include <map>
#include <optional>

#include "internal/engine.h"
#include "stacks/custom_resources.h"

namespace sluice::stacks {
namespace {

// Property values reach the function as strings, as CloudFormation sends them
// (numbers and booleans included); objects and lists keep their shape.
Json Stringified(const Json& v) {
  if (v.is_object()) {
    Json out = Json::object();
    for (const auto& [k, item] : v.items()) out[k] = Stringified(item);
    return out;
  }
  if (v.is_array()) {
    Json out = Json::array();
    for (const Json& item : v) out.push_back(Stringified(item));
    return out;
  }
  if (v.is_boolean() || v.is_number()) {
    auto t = ToText(v, "ResourceProperties");
    return t.ok() ? Json(*t) : v;
  }
  return v;
}

std::string TextOf(const Json& properties, const char* name) {
  if (!properties.is_object() || !properties.contains(name)) return "";
  auto t = ToText(properties[name], name);
  return t.ok() ? *t : "";
}

bool IsLambdaArn(std::string_view arn) {
  // arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
  size_t colons = 0;
  for (const char c : arn) colons += c == ':' ? 1 : 0;
  return arn.starts_with("arn:") && arn.find(":lambda:") != std::string_view::npos &&
         arn.find(":function:") != std::string_view::npos && (colons == 6 || colons == 7);
}

struct CustomResponse {
  std::string physical_id;
  Json data = Json::object();
  bool no_echo = false;
};

class CustomResourceProvider final : public ResourceProvider {
 public:
  CustomResourceProvider(std::unique_ptr<CustomResourceInvoker> invoker, CustomResourceResponses& responses,
                         CustomResourceOptions options)
      : invoker_(std::move(invoker)), responses_(responses), options_(options) {}

  std::string_view Type() const override { return kCustomResourceType; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& request) override {
    return Send("Create", request, std::nullopt, nullptr, nullptr);
  }

  UpdateKind Classify(const Json& before, const Json& after) const override {
    return before == after ? UpdateKind::kNone : UpdateKind::kInPlace;
  }

  StackResult<ProvisionedResource> Update(const ResourceRequest& request, const ProvisionedResource& current,
                                          const Json& old_properties) override {
    const std::string token = TextOf(request.properties, "ServiceToken");
    const std::string old_token = TextOf(old_properties, "ServiceToken");
    if (token != old_token) {
      const MutexLock lock(mu_);
      // The rollback of a refused change asks to go back to the token it had: nothing
      // was changed, so nothing is sent.
      const auto it = refused_tokens_.find(current.physical_id);
      if (it != refused_tokens_.end() && it->second == token) {
        refused_tokens_.erase(it);
        return current;
      }
      refused_tokens_[current.physical_id] = old_token;
      return ValidationError("Modifying service token is not allowed.");
    }
    return Send("Update", request, current.physical_id, &old_properties, nullptr);
  }

  StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) override {
    std::string physical_id = current.physical_id;
    const bool never_created = physical_id.empty();
    if (never_created) {
      // A create that failed: the id its FAILED response named, else the engine's name.
      const MutexLock lock(mu_);
      const auto it = failed_ids_.find(request.physical_name);
      physical_id = it != failed_ids_.end() ? it->second : request.physical_name;
    }
    bool not_sent = false;
    auto r = Send("Delete", request, physical_id, nullptr, &not_sent);
    // A resource whose create never succeeded, and whose function cannot even be
    // invoked now (or whose properties never allowed it), has nothing to delete.
    if (!r.ok() && !(never_created && not_sent)) return r.error();
    return Done{};
  }

 private:
  StackResult<ProvisionedResource> Send(const char* request_type, const ResourceRequest& request,
                                        const std::optional<std::string>& physical_id, const Json* old_properties,
                                        bool* not_sent) {
    // Until the invocation is queued, nothing reached the function.
    if (not_sent != nullptr) *not_sent = true;
    const Json& p = request.properties;
    const std::string token = TextOf(p, "ServiceToken");
    if (token.empty()) {
      return ValidationError("Properties validation failed for resource " + request.logical_id +
                             " with message: #: required key [ServiceToken] not found");
    }
    if (token.find(":sns:") != std::string::npos) {
      return ValidationError("ServiceToken " + token +
                             " is an SNS topic; sluice runs custom resources backed by Lambda functions only");
    }
    if (!IsLambdaArn(token)) return ValidationError("Invalid service token: " + token);
    auto timeout_ms = TimeoutOf(p);
    if (!timeout_ms.ok()) return timeout_ms.error();

    const std::string request_id = NewUuid();
    const std::string object_key = request.pseudo.stack_id + "|" + request.logical_id + "|" + request_id;
    Json event = {{"RequestType", request_type},
                  {"ServiceToken", token},
                  {"ResponseURL", responses_.Expect(object_key, *timeout_ms)},
                  {"StackId", request.pseudo.stack_id},
                  {"RequestId", request_id},
                  {"LogicalResourceId", request.logical_id},
                  {"ResourceType", request.type.empty() ? std::string(kCustomResourceType) : request.type},
                  {"ResourceProperties", Stringified(p)}};
    if (physical_id) event["PhysicalResourceId"] = *physical_id;
    if (old_properties != nullptr) event["OldResourceProperties"] = Stringified(*old_properties);
    if (auto sent = invoker_->InvokeAsync(token, event.dump()); !sent.ok()) {
      responses_.Forget(object_key);
      return sent.error();
    }
    if (not_sent != nullptr) *not_sent = false;
    const CustomResourceResponses::Waited w = responses_.Wait(object_key);
    if (w.end == CustomResourceResponses::WaitEnd::kTimedOut) {
      return ValidationError("CloudFormation did not receive a response from your Custom Resource. Please check your "
                             "logs for requestId [" + request_id + "]. If you are using the Python cfn-response "
                             "module, you may need to update your Lambda function code so that CloudFormation can "
                             "attach the updated version.");
    }
    if (w.end == CustomResourceResponses::WaitEnd::kShutDown) {
      return ValidationError("sluice stopped before the custom resource answered (RequestId: " + request_id + ")");
    }
    auto response = Parse(w.body, request_type, request_id, request.physical_name);
    if (!response.ok()) return response.error();
    return ProvisionedResource{response->physical_id.empty() ? physical_id.value_or("") : response->physical_id,
                               Json{{"Data", response->data}, {"NoEcho", response->no_echo}, {"Object", object_key}}};
  }

  StackResult<int64_t> TimeoutOf(const Json& p) const {
    if (!p.contains("ServiceTimeout")) return options_.default_timeout_ms;
    const std::string t = TextOf(p, "ServiceTimeout");
    int64_t seconds = 0;
    bool digits = !t.empty() && t.size() <= 5;
    for (const char c : t) {
      digits = digits && c >= '0' && c <= '9';
      if (digits) seconds = seconds * 10 + (c - '0');
    }
    if (!digits || seconds < 1 || seconds > kMaxServiceTimeoutSeconds) {
      return ValidationError("ServiceTimeout must be an integer from 1 to 3600 (seconds), not '" + t + "'");
    }
    return seconds * 1000;
  }

  StackResult<CustomResponse> Parse(const std::string& body, std::string_view request_type, const std::string& request_id,
                              const std::string& pending_name) {
    if (body.size() > kMaxCustomResponseBytes) return ValidationError("Response object is too long.");
    const Json j = Json::parse(body, nullptr, false);
    if (!j.is_object()) return ValidationError("Invalid Response object: the response is not a JSON object");
    const std::string status = j.contains("Status") && j["Status"].is_string() ? j["Status"].get<std::string>() : "";
    if (status != "SUCCESS" && status != "FAILED") {
      return ValidationError("Invalid Response object: '" + status + "' is not a valid ResponseStatus");
    }
    CustomResponse r;
    if (j.contains("PhysicalResourceId") && j["PhysicalResourceId"].is_string()) {
      r.physical_id = j["PhysicalResourceId"].get<std::string>();
    }
    if (status == "FAILED") {
      if (request_type == std::string_view("Create") && !r.physical_id.empty()) {
        const MutexLock lock(mu_);
        failed_ids_[pending_name] = r.physical_id;
      }
      const std::string reason = j.contains("Reason") && j["Reason"].is_string() ? j["Reason"].get<std::string>() : "";
      return ValidationError("Received response status [FAILED] from custom resource. Message returned: " + reason +
                             " (RequestId: " + request_id + ")");
    }
    if (request_type != std::string_view("Delete") && (r.physical_id.empty() || r.physical_id.size() > 1024)) {
      return ValidationError("Invalid PhysicalResourceId");
    }
    if (j.contains("Data") && !j["Data"].is_null()) {
      if (!j["Data"].is_object()) return ValidationError("Invalid Response object: Data must be a JSON object");
      r.data = j["Data"];
    }
    if (j.contains("NoEcho")) {
      const Json& n = j["NoEcho"];
      r.no_echo = (n.is_boolean() && n.get<bool>()) || (n.is_string() && n.get<std::string>() == "true");
    }
    return r;
  }

  std::unique_ptr<CustomResourceInvoker> invoker_;
  CustomResourceResponses& responses_;
  const CustomResourceOptions options_;
  Mutex mu_;
  // Creates answered FAILED with a PhysicalResourceId, by the engine's pending name: the
  // rollback's Delete names that id (in memory: after a restart it names the pending name).
  std::map<std::string, std::string> failed_ids_ GUARDED_BY(mu_);
  // Updates refused for a changed ServiceToken, by physical id: the token it keeps.
  std::map<std::string, std::string> refused_tokens_ GUARDED_BY(mu_);
};

}  // namespace

bool IsCustomResourceType(std::string_view type) {
  return type == kCustomResourceType || type.starts_with("Custom::");
}

StackResult<Json> CustomResourceAttribute(const Json& attributes, const std::string& attribute) {
  if (attributes.contains("Data") && attributes["Data"].is_object() && attributes["Data"].contains(attribute)) {
    return attributes["Data"][attribute];
  }
  return ValidationError("CustomResource attribute error: Vendor response doesn't contain " + attribute +
                         " attribute in object " + attributes.value("Object", std::string()));
}

bool CustomResourceNoEcho(const Json& attributes) {
  return attributes.is_object() && attributes.value("NoEcho", false);
}

std::unique_ptr<ResourceProvider> NewCustomResourceProvider(std::unique_ptr<CustomResourceInvoker> invoker,
                                                            CustomResourceResponses& responses,
                                                            CustomResourceOptions options) {
  return std::make_unique<CustomResourceProvider>(std::move(invoker), responses, options);
}

}  // namespace sluice::stacks
