#include "gateway/gateway.h"

#include <algorithm>

#include <fmt/format.h>

#include "awsproto/credential_scope.h"
#include "awsproto/json_rpc.h"
#include "gateway/authenticate.h"
#include "gateway/request_memory.h"

namespace sluice::gateway {
namespace {

constexpr std::string_view kHealthPath = "/health";
constexpr std::string_view kMetricsPath = "/metrics";
// The health check takes no body; a small one is read so a wrong method gets 405.
constexpr uint64_t kHealthBodyLimit = 4096;
// A request no service takes is answered without looking at its body.
constexpr uint64_t kUnclaimedBodyLimit = 64 * 1024;
// Longer X-Amz-Target values are not echoed whole in the error.
constexpr size_t kMaxEchoedTarget = 128;

bool Contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string_view Clip(std::string_view s) { return s.substr(0, kMaxEchoedTarget); }

}  // namespace

Gateway::Gateway(std::string version, MemoryBudget* memory_budget, const awsproto::SigV4Verifier* verifier)
    : version_(std::move(version)),
      memory_budget_(memory_budget),
      verifier_(verifier != nullptr && verifier->enforcing() ? verifier : nullptr),
      started_(std::chrono::steady_clock::now()) {}

void Gateway::Add(std::unique_ptr<awsproto::Service> service) { services_.push_back(std::move(service)); }

void Gateway::AddCatchAll(std::unique_ptr<awsproto::Service> service) {
  catch_all_ = service.get();
  services_.push_back(std::move(service));
}

awsproto::Service* Gateway::Route(const http::RequestHead& head) const {
  if (const auto scope = awsproto::ParseCredentialScope(head)) {
    for (const auto& s : services_) {
      if (Contains(s->SigningNames(), scope->service)) return s.get();
    }
    return nullptr;
  }
  if (const std::string_view target = head.Header("x-amz-target"); !target.empty()) {
    const std::string_view prefix = target.substr(0, target.find('.'));
    for (const auto& s : services_) {
      if (Contains(s->TargetPrefixes(), prefix)) return s.get();
    }
    return nullptr;
  }
  for (const auto& s : services_) {
    if (s->ClaimsShape(head)) return s.get();
  }
  return catch_all_;
}

http::Response Gateway::Unclaimed(const http::RequestHead& head) const {
  if (const auto scope = awsproto::ParseCredentialScope(head)) {
    return awsproto::JsonError(
        400, "UnknownOperationException",
        fmt::format("sluice does not serve the '{}' API this request is signed for", Clip(scope->service)));
  }
  if (const std::string_view target = head.Header("x-amz-target"); !target.empty()) {
    return awsproto::JsonError(400, "UnknownOperationException",
                               fmt::format("no service here understands X-Amz-Target '{}'", Clip(target)));
  }
  return awsproto::JsonError(404, "UnknownOperationException",
                             fmt::format("no service here understands {} {}", head.method, Clip(head.Path())));
}

bool Gateway::IsOwn(const http::RequestHead& head) const {
  if (head.Path() == kHealthPath) return true;
  return head.Path() == kMetricsPath && metrics_text_ && !awsproto::ParseCredentialScope(head);
}

http::Response Gateway::Own(const http::RequestHead& head) const {
  const bool metrics = head.Path() == kMetricsPath;
  if (head.method != "GET" && head.method != "HEAD") {
    http::Response r = http::Response::Text(
        405, metrics ? "method not allowed; use GET /metrics\n" : "method not allowed; use GET /health\n");
    r.headers.emplace_back("allow", "GET, HEAD");
    return r;
  }
  if (!metrics) return Health();
  http::Response r;
  r.status = 200;
  r.headers.emplace_back("content-type", "text/plain; version=0.0.4");
  r.body = metrics_text_();
  return r;
}

uint64_t Gateway::BodyLimit(const http::RequestHead& head) const {
  if (IsOwn(head)) return kHealthBodyLimit;
  const awsproto::Service* s = Route(head);
  return s != nullptr ? s->BodyLimit(head) : kUnclaimedBodyLimit;
}

http::Response Gateway::Overloaded(const http::RequestHead& head) const {
  if (const awsproto::Service* s = Route(head)) return s->Overloaded(head);
  return http::PlainOverloaded();
}

http::Response Gateway::BodyTooLarge(const http::RequestHead& head, uint64_t limit) const {
  if (!IsOwn(head)) {
    if (const awsproto::Service* s = Route(head)) return s->BodyTooLarge(head, limit);
  }
  return http::PlainBodyTooLarge(limit);
}

void Gateway::Handle(http::Request request, http::Responder done) {
  const http::RequestHead& head = request.head;
  if (IsOwn(head)) return done(Own(head));
  awsproto::Service* s = Route(head);
  if (s == nullptr) return done(Unclaimed(head));
  if (verifier_ != nullptr) {
    if (auto refused = Authenticate(*verifier_, *s, request)) return done(std::move(*refused));
  }
  if (!HoldParseMemory(memory_budget_, s->ParseMemory(head, request.body.size()), done)) {
    return done(s->Overloaded(head));
  }
  s->Handle(std::move(request), std::move(done));
}

std::shared_ptr<http::BodySink> Gateway::StreamBody(const http::RequestHead& head) {
  if (IsOwn(head)) return nullptr;
  awsproto::Service* s = Route(head);
  if (s == nullptr) return nullptr;
  auto sink = s->StreamBody(head);
  if (sink == nullptr || verifier_ == nullptr) return sink;
  return AuthenticatedSink(*verifier_, *s, head, std::move(sink));
}

void Gateway::Quiesce() {
  for (const auto& s : services_) s->Quiesce();
}

http::Response Gateway::Health() const {
  const auto up =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
  return http::Response::Json(
      200, fmt::format(R"({{"status":"ok","version":"{}","uptime_seconds":{}}})", version_, up) + "\n");
}

}  // namespace sluice::gateway
