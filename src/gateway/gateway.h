// Gateway: the one http::Handler behind the server port. It answers the health check
// itself and routes every other request to one registered awsproto::Service:
//   1. the service whose signing name is the request's SigV4 credential scope service;
//   2. else the service whose X-Amz-Target prefix the request carries;
//   3. else the first service that claims the request's shape (ClaimsShape);
//   4. else the catch-all service (S3), if one is registered.
// A request signed for a service sluice does not serve, or carrying a target no service
// owns, is answered with an AWS-shaped error naming what was not understood; it never
// falls through to the catch-all.
//
// With a verifier that enforces (credentials configured), every request routed to a
// service is SigV4-verified first (gateway/authenticate.h) and refused in that
// service's words; /health, /metrics and unclaimed requests are answered without it.
//
// Threading: register every service before the server starts; after that every method
// is thread-safe (the registry is read-only). Lifetime: services live as long as the
// gateway; call Quiesce once the server has stopped, before destroying it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "awsproto/service.h"
#include "awsproto/sigv4_verify.h"
#include "base/memory_budget.h"
#include "http/types.h"

namespace sluice::gateway {

class Gateway final : public http::Handler {
 public:
  // `memory_budget` bounds memory held for requests in flight (null: unbounded);
  // `verifier` checks signatures (null: none). Both must outlive the gateway.
  Gateway(std::string version, MemoryBudget* memory_budget = nullptr,
          const awsproto::SigV4Verifier* verifier = nullptr);

  // Adds a service routed by signing name, target prefix and shape (steps 1-3).
  void Add(std::unique_ptr<awsproto::Service> service);
  // Adds the service asked last (step 4), which also takes part in steps 1-3.
  void AddCatchAll(std::unique_ptr<awsproto::Service> service);

  // The service a request goes to, or null when none takes it.
  awsproto::Service* Route(const http::RequestHead& head) const;
  // Whether the gateway answers the request itself: /health, and /metrics when served.
  bool IsOwn(const http::RequestHead& head) const;

  uint64_t BodyLimit(const http::RequestHead& head) const override;
  void Handle(http::Request request, http::Responder done) override;
  std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead& head) override;
  http::Response BodyTooLarge(const http::RequestHead& head, uint64_t limit) const override;
  http::Response Overloaded(const http::RequestHead& head) const override;
  // Runs every service's queued background work to completion.
  void Quiesce();
  // Serves GET /metrics (an unsigned request: a signed one is S3's, for a bucket named
  // "metrics") with what `text` returns, in the Prometheus text format 0.0.4. Call
  // before the server starts.
  void ServeMetrics(std::function<std::string()> text) { metrics_text_ = std::move(text); }

 private:
  http::Response Health() const;
  http::Response Own(const http::RequestHead& head) const;
  // The answer to a request no service takes.
  http::Response Unclaimed(const http::RequestHead& head) const;

  const std::string version_;
  // Before a buffered request reaches its service, the parse memory of its body is
  // reserved here (request_memory.h); when it cannot be, the service's Overloaded answers.
  MemoryBudget* const memory_budget_;
  const awsproto::SigV4Verifier* const verifier_;  // null or not enforcing: no checks
  const std::chrono::steady_clock::time_point started_;
  std::vector<std::unique_ptr<awsproto::Service>> services_;
  awsproto::Service* catch_all_ = nullptr;
  std::function<std::string()> metrics_text_;
};

}  // namespace sluice::gateway
