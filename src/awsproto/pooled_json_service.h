// A Service for the AWS JSON protocol whose actions are blocking calls run on a small
// pool the service owns, never on an I/O thread (Athena, CloudWatch Logs): everything
// but the service's names and its action table. Requests need their X-Amz-Target
// (ClaimsShape is false) and are read whole (no streamed bodies).
//
// Threading: thread-safe. Quiesce() drains the pool; actions arriving after it run on
// the caller's thread. Lifetime: what the actions use must outlive the service.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "awsproto/json_rpc.h"
#include "awsproto/schema.h"
#include "awsproto/service.h"

namespace sluice {
class WorkPool;
}

namespace sluice::awsproto {

struct PooledJsonOptions {
  JsonProtocol protocol;
  uint64_t body_limit = 1ull << 20;
  int threads = 2;
  std::string_view overloaded_type;  // the __type of a request shed under load
  std::string_view thread_name = "json-service";  // the pool's threads (NameThisThread)
};

class PooledJsonService : public Service {
 public:
  explicit PooledJsonService(const PooledJsonOptions& options);
  ~PooledJsonService() override;

  bool ClaimsShape(const http::RequestHead& head) const override;
  uint64_t BodyLimit(const http::RequestHead& head) const override;
  void Handle(http::Request request, http::Responder done) override;
  std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead& head) override;
  http::Response BodyTooLarge(const http::RequestHead& head, uint64_t limit) const override;
  http::Response Overloaded(const http::RequestHead& head) const override;
  uint64_t ParseMemory(const http::RequestHead& head, uint64_t body_bytes) const override;
  void Quiesce() override;

 protected:
  struct Action {
    std::span<const FieldSpec> fields;
    std::function<void(ActionCall& call, ActionDone done)> run;
  };
  // The action an X-Amz-Target names (without the prefix), or nullopt.
  virtual std::optional<Action> FindAction(std::string_view name) = 0;

 private:
  const PooledJsonOptions options_;
  JsonRpc rpc_;
  std::unique_ptr<WorkPool> pool_;
};

}  // namespace sluice::awsproto
