// The Lambda API over REST-JSON: `/2015-03-31/functions...` and the other dated
// prefixes Lambda uses, signed for service "lambda". Routes live in one table
// (routes.cc); errors are AWS's (x-amzn-ErrorType and a JSON body with `Type` and
// `message`).
//
// Threading: thread-safe. Every operation runs on the service's own pool (they commit
// to the catalog, unpack packages or start processes), never on an I/O thread, and
// answers through the Responder; an invocation answers when the function has.
// Lifetime: the FunctionManager must outlive the service; Quiesce drains the pool.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "awsproto/rest_json.h"
#include "awsproto/service.h"
#include "functions/event_source_mappings.h"
#include "functions/functions.h"

namespace sluice {
class WorkPool;
}

namespace sluice::frontends::lambda {

// What the operations work on.
struct LambdaBackends {
  functions::FunctionManager& functions;
  // The event-source mapping engine; null: those routes answer ServiceException.
  functions::MappingManager* mappings = nullptr;
};

class LambdaService final : public awsproto::Service {
 public:
  explicit LambdaService(LambdaBackends backends, int workers = 4);
  ~LambdaService() override;

  std::string_view Name() const override { return "lambda"; }
  std::span<const std::string_view> SigningNames() const override;
  std::span<const std::string_view> TargetPrefixes() const override { return {}; }
  bool ClaimsShape(const http::RequestHead& head) const override;
  uint64_t BodyLimit(const http::RequestHead& head) const override;
  void Handle(http::Request request, http::Responder done) override;
  std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead& head) override;
  http::Response BodyTooLarge(const http::RequestHead& head, uint64_t limit) const override;
  http::Response Overloaded(const http::RequestHead& head) const override;
  http::Response AuthFailed(const http::RequestHead& head, const awsproto::AuthFailure& failure) const override;
  void Quiesce() override;

 private:
  LambdaBackends backends_;
  awsproto::RestRouter router_;
  std::unique_ptr<WorkPool> pool_;
};

}  // namespace sluice::frontends::lambda
