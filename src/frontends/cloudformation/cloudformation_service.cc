#include "cloudformation_service.h"

#include "awsproto/request_id.h"
#include "base/work_pool.h"
#include "base/xml.h"
#include "internal/actions.h"

namespace sluice::frontends::cloudformation {
namespace {

constexpr std::string_view kSigningNames[] = {"cloudformation"};
constexpr int kThreads = 2;

http::Response Error(int status, std::string_view code, std::string_view message, bool sender = true) {
  return awsproto::QueryError(kProtocol, status, code, message, awsproto::NewUuidRequestId(), sender);
}

// S3's <Error> document, for the answers to ResponseURL PUTs.
http::Response S3ErrorDocument(int status, std::string_view code, std::string_view message,
                       const std::vector<std::pair<std::string, std::string>>& details = {}) {
  const std::string request_id = awsproto::NewS3RequestId();
  std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>";
  XmlElement(body, "Code", code);
  XmlElement(body, "Message", message);
  for (const auto& [name, value] : details) XmlElement(body, name, value);
  XmlElement(body, "RequestId", request_id);
  body += "</Error>";
  http::Response r;
  r.status = status;
  r.headers.emplace_back("content-type", "application/xml");
  r.headers.emplace_back("x-amz-request-id", request_id);
  r.body = std::move(body);
  return r;
}

}  // namespace

CloudFormationService::CloudFormationService(stacks::StackManager& stacks, objects::ObjectStore* objects,
                                             stacks::CustomResourceResponses* responses)
    : stacks_(stacks), objects_(objects), responses_(responses), pool_(std::make_unique<WorkPool>(kThreads, "cfn")) {}

CloudFormationService::~CloudFormationService() = default;

std::span<const std::string_view> CloudFormationService::SigningNames() const { return kSigningNames; }

bool CloudFormationService::IsResponse(const http::RequestHead& head) const {
  return responses_ != nullptr && responses_->IsResponsePath(head.Path());
}

// An unsigned PUT to a ResponseURL's path (the URL with its query removed) is still a
// response: it is refused or accepted by the signature rules, as S3 would.
bool CloudFormationService::ClaimsShape(const http::RequestHead& head) const { return IsResponse(head); }

awsproto::SigV4Rules CloudFormationService::AuthRulesFor(const http::RequestHead& head) const {
  if (!IsResponse(head)) return AuthRules();
  return {.path = sigv4::PathCanonicalization::kAsIs, .max_skew_ms = 15 * 60 * 1000, .s3_payload = true};
}

uint64_t CloudFormationService::BodyLimit(const http::RequestHead&) const { return kMaxRequestBytes; }

std::shared_ptr<http::BodySink> CloudFormationService::StreamBody(const http::RequestHead&) { return nullptr; }

http::Response CloudFormationService::BodyTooLarge(const http::RequestHead&, uint64_t limit) const {
  return Error(413, "RequestEntityTooLarge",
               "Request body must be at most " + std::to_string(limit) + " bytes");
}

http::Response CloudFormationService::Overloaded(const http::RequestHead&) const {
  return Error(503, "ServiceUnavailable", "Service is unavailable, retry the request", false);
}

http::Response CloudFormationService::AuthFailed(const http::RequestHead& head, const awsproto::AuthFailure& f) const {
  if (IsResponse(head)) return S3ErrorDocument(awsproto::S3ErrorStatus(f.code), awsproto::S3ErrorCode(f.code), f.s3_message, f.s3_details);
  return Error(awsproto::JsonErrorStatus(f.code), awsproto::JsonErrorType(f.code), f.json_message);
}

void CloudFormationService::HandleResponse(http::Request request, http::Responder done) {
  if (request.head.method != "PUT") {
    done(S3ErrorDocument(405, "MethodNotAllowed", "The specified method is not allowed against this resource."));
    return;
  }
  // A waiting stack operation wakes up: not on the I/O thread.
  pool_->Post([this, path = std::string(request.head.Path()), body = std::move(request.body),
               done = std::move(done)]() mutable {
    const stacks::ResponseReceipt r = responses_->Deliver(path, std::move(body));
    if (r.http_status != 200) {
      done(S3ErrorDocument(r.http_status, r.error_code, r.message));
      return;
    }
    http::Response ok;
    ok.status = 200;
    ok.headers.emplace_back("x-amz-request-id", awsproto::NewS3RequestId());
    done(std::move(ok));
  });
}

void CloudFormationService::Handle(http::Request request, http::Responder done) {
  if (IsResponse(request.head)) {
    HandleResponse(std::move(request), std::move(done));
    return;
  }
  if (!awsproto::IsQueryShaped(request.head)) {
    done(Error(400, "InvalidAction", "CloudFormation takes POST / with a form-encoded body (the Query protocol)"));
    return;
  }
  pool_->Post([this, body = std::move(request.body), done = std::move(done)] {
    const std::string request_id = awsproto::NewUuidRequestId();
    auto q = awsproto::QueryParams::Parse(body);
    if (!q.ok()) {
      done(awsproto::QueryError(kProtocol, 400, "MalformedQueryString", q.status().message(), request_id));
      return;
    }
    if (q->action().empty()) {
      done(awsproto::QueryError(kProtocol, 400, "MissingAction", "Could not find operation to perform",
                                request_id));
      return;
    }
    if (q->version() != kProtocol.version) {
      done(awsproto::QueryError(kProtocol, 400, "InvalidParameterValue",
                                "Unsupported Version: '" + std::string(q->version()) + "'", request_id));
      return;
    }
    auto outcome = RunAction({stacks_, objects_}, *q);
    if (!outcome) {
      done(awsproto::QueryError(kProtocol, 400, "InvalidAction",
                                "The action " + std::string(q->action()) + " is not valid for this web service.",
                                request_id));
      return;
    }
    if (!outcome->status.ok()) {
      const stacks::StackError& e = outcome->status.error();
      done(awsproto::QueryError(kProtocol, stacks::StackErrorHttpStatus(e.code), stacks::StackErrorName(e.code),
                                e.message, request_id, e.code != stacks::StackErrorType::kInternalFailure));
      return;
    }
    done(awsproto::QueryResponse(kProtocol, q->action(), outcome->result_xml, request_id, outcome->with_result));
  });
}

void CloudFormationService::Quiesce() { pool_.reset(); }

}  // namespace sluice::frontends::cloudformation
