#include "awsproto/pooled_json_service.h"

#include "awsproto/codec.h"
#include "base/work_pool.h"

namespace sluice::awsproto {

PooledJsonService::PooledJsonService(const PooledJsonOptions& options)
    : options_(options), rpc_(options.protocol), pool_(std::make_unique<WorkPool>(options.threads, options.thread_name)) {}
PooledJsonService::~PooledJsonService() = default;

// Kinesis claims unsigned JSON POSTs without a target; these services need their target.
bool PooledJsonService::ClaimsShape(const http::RequestHead&) const { return false; }

uint64_t PooledJsonService::BodyLimit(const http::RequestHead&) const { return options_.body_limit; }

std::shared_ptr<http::BodySink> PooledJsonService::StreamBody(const http::RequestHead&) { return nullptr; }

http::Response PooledJsonService::BodyTooLarge(const http::RequestHead&, uint64_t limit) const {
  return http::PlainBodyTooLarge(limit);
}

http::Response PooledJsonService::Overloaded(const http::RequestHead&) const {
  return JsonError(400, options_.overloaded_type, "Rate exceeded");
}

uint64_t PooledJsonService::ParseMemory(const http::RequestHead&, uint64_t body_bytes) const {
  return ParseMemoryBound(body_bytes);
}

void PooledJsonService::Quiesce() { pool_.reset(); }

void PooledJsonService::Handle(http::Request request, http::Responder done) {
  std::optional<Action> action = FindAction(rpc_.Operation(request.head));
  std::optional<std::span<const FieldSpec>> fields;
  if (action) fields = action->fields;
  rpc_.Dispatch(std::move(request), std::move(done), fields,
                [this, run = action ? std::move(action->run) : nullptr](ActionCall& call, ActionDone answer) {
                  if (pool_ == nullptr) return run(call, std::move(answer));
                  // The call lives as long as `answer` (it holds the call's owner).
                  pool_->Post([run, &call, answer = std::move(answer)]() mutable { run(call, std::move(answer)); });
                });
}

}  // namespace sluice::awsproto
