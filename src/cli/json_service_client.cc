#include "cli/json_service_client.h"

#include <ctime>

#include "aws/endpoint.h"
#include "aws/http_client.h"
#include "aws/sigv4.h"

namespace sluice::cli {

namespace {

// The endpoint, credentials and region, as `sluice produce` and `sluice query` resolve
// them, with the local server where nothing names an endpoint.
Result<aws::ClientTarget> Target(const JsonService& service, const JsonServiceOptions& o) {
  return aws::ResolveClientTarget(
      {service.service_id, service.signing_name, o.endpoint, {.profile = o.profile, .region = o.region}, kLocalEndpoint},
      aws::RealEnv());
}

}  // namespace

Result<std::string> ServiceEndpoint(const JsonService& service, const JsonServiceOptions& o) {
  ASSIGN_OR_RETURN(aws::ClientTarget target, Target(service, o));
  return std::move(target.endpoint);
}

namespace {

// Signs `req` (its endpoint set here), sends it and reads the JSON answer.
Result<nlohmann::json> Send(const JsonService& service, const JsonServiceOptions& o, aws::HttpRequest req) {
  ASSIGN_OR_RETURN(const aws::ClientTarget target, Target(service, o));
  const std::string& endpoint = target.endpoint;
  const aws::Credentials& credentials = target.credentials;
  const std::string& region = target.region;
  req.endpoint = endpoint;
  RETURN_IF_ERROR(aws::SignRequest(req, credentials, {.region = region, .service = std::string(service.signing_name)},
                                   static_cast<int64_t>(std::time(nullptr))));
  aws::HttpClient client;
  auto resp = client.Send(req);
  if (!resp.ok()) return Status::Unavailable(endpoint + ": " + resp.error().ToString());
  const nlohmann::json answer = nlohmann::json::parse(resp->body, nullptr, false);
  if (resp->status != 200) {
    std::string type = "error";
    std::string message = resp->body;
    if (const std::string* header = resp->FindHeader("x-amzn-errortype")) type = header->substr(0, header->find(':'));
    if (answer.is_object()) {
      type = answer.value("__type", type);
      message = answer.value("message", answer.value("Message", message));
    }
    return Status::FailedPrecondition(type + ": " + message);
  }
  if (answer.is_discarded()) return Status::Internal(endpoint + ": the answer is not JSON");
  return answer;
}

}  // namespace

Result<nlohmann::json> CallJsonService(const JsonService& service, const JsonServiceOptions& o,
                                       std::string_view action, const nlohmann::json& body) {
  aws::HttpRequest req;
  req.method = "POST";
  req.path = "/";
  req.body = body.dump();
  req.SetHeader("Content-Type", std::string(service.content_type));
  req.SetHeader("X-Amz-Target", std::string(service.target_prefix) + "." + std::string(action));
  return Send(service, o, std::move(req));
}

Result<nlohmann::json> GetRestJson(const JsonService& service, const JsonServiceOptions& o, std::string path,
                                   std::string query) {
  aws::HttpRequest req;
  req.method = "GET";
  req.path = std::move(path);
  req.query = std::move(query);
  return Send(service, o, std::move(req));
}

}  // namespace sluice::cli
