#include "frontends/lambda/lambda_service.h"

#include "base/work_pool.h"
#include "internal/ops.h"

namespace sluice::frontends::lambda {
namespace {

constexpr std::string_view kSigningNames[] = {"lambda"};

}  // namespace

LambdaService::LambdaService(LambdaBackends backends, int workers)
    : backends_(backends), router_(Routes()), pool_(std::make_unique<WorkPool>(workers, "lambda")) {}
LambdaService::~LambdaService() = default;

std::span<const std::string_view> LambdaService::SigningNames() const { return kSigningNames; }

bool LambdaService::ClaimsShape(const http::RequestHead& head) const {
  // Unsigned requests on Lambda's paths; bucket names cannot hold these dates' dashes
  // followed by the API's segments, so S3 loses nothing.
  return router_.KnowsPath(head.Path());
}

uint64_t LambdaService::BodyLimit(const http::RequestHead& head) const {
  const auto m = router_.Match(head.method, head.Path());
  return BodyLimitOf(m ? m->operation : -1, head);
}

std::shared_ptr<http::BodySink> LambdaService::StreamBody(const http::RequestHead&) { return nullptr; }

http::Response LambdaService::BodyTooLarge(const http::RequestHead& head, uint64_t limit) const {
  const auto m = router_.Match(head.method, head.Path());
  return TooLargeFor(m ? m->operation : -1, head, limit);
}

http::Response LambdaService::Overloaded(const http::RequestHead&) const {
  return Error(functions::LambdaError::kService, "The service is temporarily overloaded. Retry the request.");
}

http::Response LambdaService::AuthFailed(const http::RequestHead&, const awsproto::AuthFailure& failure) const {
  return awsproto::RestJsonError(awsproto::JsonErrorStatus(failure.code), awsproto::JsonErrorType(failure.code),
                                 failure.json_message);
}

void LambdaService::Quiesce() { pool_.reset(); }

void LambdaService::Handle(http::Request request, http::Responder done) {
  std::optional<awsproto::RestMatch> m = router_.Match(request.head.method, request.head.Path());
  if (!m) {
    return done(awsproto::RestJsonError(404, "UnknownOperationException",
                                        "Unknown operation " + request.head.method + " " +
                                            std::string(request.head.Path())));
  }
  const Op op = OperationOf(m->operation);
  auto call = std::make_shared<Call>();
  call->query = awsproto::ParseQuery(request.head.Query());
  call->request = std::move(request);
  call->match = std::move(*m);
  if (pool_ == nullptr) return done(Error(functions::LambdaError::kService, "sluice is shutting down"));
  pool_->Post([this, op, call, done = std::move(done)]() mutable { op(backends_, *call, std::move(done)); });
}

}  // namespace sluice::frontends::lambda
