#include "api/router.h"

#include <fmt/format.h>

namespace sluice::api {

namespace {
// The health check takes no body; a small one is read so a wrong method gets 405.
constexpr uint64_t kHealthBodyLimit = 4096;
constexpr uint64_t kDefaultBodyLimit = 64ull << 20;
}  // namespace

Router::Router(RouterInfo info) : info_(std::move(info)), started_(std::chrono::steady_clock::now()) {
  if (info_.streams != nullptr) kinesis_ = std::make_unique<KinesisHandler>(*info_.streams);
  if (info_.objects != nullptr) s3_ = std::make_unique<S3Handler>(*info_.objects);
}

// S3 gets what is neither the health check nor claimed by Kinesis.
bool Router::IsS3(const RequestHead& head) const {
  return s3_ && head.Path() != "/health" && !(kinesis_ && KinesisHandler::Claims(head));
}

Response Router::BodyTooLarge(const RequestHead& head, uint64_t limit) const {
  if (IsS3(head)) return S3Handler::EntityTooLarge(head, limit);
  return Handler::BodyTooLarge(head, limit);
}

uint64_t Router::BodyLimit(const RequestHead& head) const {
  if (head.Path() == "/health") return kHealthBodyLimit;
  if (kinesis_ && KinesisHandler::Claims(head)) return kKinesisMaxRequestBytes;
  if (IsS3(head)) return S3Handler::BodyLimit(head);
  return kDefaultBodyLimit;
}

void Router::Handle(Request request, Responder done) {
  const RequestHead& head = request.head;
  if (head.Path() == "/health") {
    if (head.method != "GET" && head.method != "HEAD") {
      Response r = Response::Text(405, "method not allowed; use GET /health\n");
      r.headers.emplace_back("allow", "GET, HEAD");
      return done(std::move(r));
    }
    return done(Health());
  }
  if (kinesis_ && KinesisHandler::Claims(head)) return kinesis_->Handle(std::move(request), std::move(done));
  if (IsS3(head)) return s3_->Handle(std::move(request), std::move(done));
  done(Response::Text(404, fmt::format("no route for {} {}\n", head.method, head.Path())));
}

std::shared_ptr<BodySink> Router::StreamBody(const RequestHead& head) {
  return IsS3(head) ? s3_->StreamBody(head) : nullptr;
}

void Router::Quiesce() {
  if (s3_) s3_->Quiesce();
}

Response Router::Health() const {
  const auto up = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::steady_clock::now() - started_)
                      .count();
  return Response::Json(
      200, fmt::format(R"({{"status":"ok","version":"{}","uptime_seconds":{}}})", info_.version, up) +
               "\n");
}

}  // namespace sluice::api
