#include "frontends/lambda_runtime/runtime_api.h"

#include <string>

namespace sluice::frontends::lambda_runtime {
namespace {

enum : int { kNext, kResponse, kError, kInitError };

constexpr awsproto::RestRoute kRoutes[] = {
    {"GET", "/{Token}/2018-06-01/runtime/invocation/next", kNext},
    {"POST", "/{Token}/2018-06-01/runtime/invocation/{RequestId}/response", kResponse},
    {"POST", "/{Token}/2018-06-01/runtime/invocation/{RequestId}/error", kError},
    {"POST", "/{Token}/2018-06-01/runtime/init/error", kInitError},
};

// Room for a 6 MB response and a little more, so an oversized one is judged (and
// reported to the invoker) by the broker rather than cut by the transport.
constexpr uint64_t kMaxBody = (6ull << 20) + (1ull << 20);

http::Response Json(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  return r;
}

http::Response Accepted() { return Json(202, R"({"status":"OK"})"); }

http::Response Failure(const functions::BrokerFailure& f) {
  switch (f.code) {
    case functions::BrokerError::kInvalidRequestId:
      return Json(400, R"({"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"})");
    case functions::BrokerError::kTooLarge:
      return Json(413, R"({"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"})");
    case functions::BrokerError::kUnknownProcess:
      break;
  }
  return Json(403, R"({"errorMessage":"This runtime process is not known to sluice (retired or never started).","errorType":"UnknownProcess"})");
}

// What the runtime posted as its error: its body when it is JSON, else Lambda's shape
// built from the error-type header.
std::string ErrorBody(const http::Request& request) {
  if (!request.body.empty() && request.body.front() == '{') return request.body;
  std::string type(request.head.Header("lambda-runtime-function-error-type"));
  if (type.empty()) type = "Runtime.Unknown";
  return R"({"errorMessage":"Unknown application error occurred","errorType":")" + type + "\"}";
}

}  // namespace

RuntimeApiHandler::RuntimeApiHandler(functions::RuntimeBroker& broker) : broker_(broker), router_(kRoutes) {}

uint64_t RuntimeApiHandler::BodyLimit(const http::RequestHead&) const { return kMaxBody; }

void RuntimeApiHandler::Handle(http::Request request, http::Responder done) {
  std::optional<awsproto::RestMatch> m = router_.Match(request.head.method, request.head.Path());
  if (!m) return done(Json(404, R"({"errorMessage":"not a Runtime API path","errorType":"NotFound"})"));
  const std::string token(m->Label("Token"));
  switch (m->operation) {
    case kNext:
      return broker_.Next(token, [done = std::move(done)](Expected<functions::NextInvocation, functions::BrokerFailure> r) {
        if (!r.ok()) return done(Failure(r.error()));
        http::Response resp = Json(200, std::move(r->payload));
        resp.headers.emplace_back("lambda-runtime-aws-request-id", r->request_id);
        resp.headers.emplace_back("lambda-runtime-deadline-ms", std::to_string(r->deadline_ms));
        resp.headers.emplace_back("lambda-runtime-invoked-function-arn", r->function_arn);
        resp.headers.emplace_back("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000;Sampled=0");
        done(std::move(resp));
      });
    case kResponse: {
      auto r = broker_.Respond(token, m->Label("RequestId"), std::move(request.body));
      return done(r.ok() ? Accepted() : Failure(r.error()));
    }
    case kError: {
      auto r = broker_.Fail(token, m->Label("RequestId"), ErrorBody(request));
      return done(r.ok() ? Accepted() : Failure(r.error()));
    }
    case kInitError: {
      auto r = broker_.InitError(token, ErrorBody(request));
      return done(r.ok() ? Accepted() : Failure(r.error()));
    }
  }
  done(Json(404, "{}"));
}

}  // namespace sluice::frontends::lambda_runtime
