#include "cloudformation_service.h"

#include "awsproto/request_id.h"
#include "base/work_pool.h"
#include "internal/actions.h"

namespace sluice::frontends::cloudformation {
namespace {

constexpr std::string_view kSigningNames[] = {"cloudformation"};
constexpr int kThreads = 2;

http::Response Error(int status, std::string_view code, std::string_view message, bool sender = true) {
  return awsproto::QueryError(kProtocol, status, code, message, awsproto::NewUuidRequestId(), sender);
}

}  // namespace

CloudFormationService::CloudFormationService(stacks::StackManager& stacks, objects::ObjectStore* objects)
    : stacks_(stacks), objects_(objects), pool_(std::make_unique<WorkPool>(kThreads)) {}

CloudFormationService::~CloudFormationService() = default;

std::span<const std::string_view> CloudFormationService::SigningNames() const { return kSigningNames; }

bool CloudFormationService::ClaimsShape(const http::RequestHead&) const { return false; }

uint64_t CloudFormationService::BodyLimit(const http::RequestHead&) const { return kMaxRequestBytes; }

std::shared_ptr<http::BodySink> CloudFormationService::StreamBody(const http::RequestHead&) { return nullptr; }

http::Response CloudFormationService::BodyTooLarge(const http::RequestHead&, uint64_t limit) const {
  return Error(413, "RequestEntityTooLarge",
               "Request body must be at most " + std::to_string(limit) + " bytes");
}

http::Response CloudFormationService::Overloaded(const http::RequestHead&) const {
  return Error(503, "ServiceUnavailable", "Service is unavailable, retry the request", false);
}

http::Response CloudFormationService::AuthFailed(const http::RequestHead&, const awsproto::AuthFailure& f) const {
  return Error(awsproto::JsonErrorStatus(f.code), awsproto::JsonErrorType(f.code), f.json_message);
}

void CloudFormationService::Handle(http::Request request, http::Responder done) {
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
