#include "frontends/athena/athena_service.h"

#include "base/work_pool.h"
#include "internal/actions.h"

namespace sluice::frontends::athena {
namespace {

constexpr std::string_view kSigningNames[] = {"athena"};
constexpr std::string_view kTargetPrefixes[] = {"AmazonAthena"};
constexpr awsproto::JsonProtocol kProtocol{.target_prefix = "AmazonAthena",
                                           .json_content_type = "application/x-amz-json-1.1",
                                           .cbor_content_type = ""};
constexpr int kThreads = 2;

}  // namespace

AthenaService::AthenaService(query::Engine& engine, query::Executions& executions)
    : rpc_(kProtocol),
      actions_(std::make_unique<Actions>(engine, executions)),
      pool_(std::make_unique<WorkPool>(kThreads)) {}
AthenaService::~AthenaService() = default;

std::span<const std::string_view> AthenaService::SigningNames() const { return kSigningNames; }
std::span<const std::string_view> AthenaService::TargetPrefixes() const { return kTargetPrefixes; }

// Kinesis claims unsigned JSON POSTs without a target; Athena needs its target.
bool AthenaService::ClaimsShape(const http::RequestHead&) const { return false; }

uint64_t AthenaService::BodyLimit(const http::RequestHead&) const { return kAthenaMaxRequestBytes; }

std::shared_ptr<http::BodySink> AthenaService::StreamBody(const http::RequestHead&) { return nullptr; }

http::Response AthenaService::BodyTooLarge(const http::RequestHead&, uint64_t limit) const {
  return http::PlainBodyTooLarge(limit);
}

http::Response AthenaService::Overloaded(const http::RequestHead&) const {
  return awsproto::JsonError(400, "TooManyRequestsException", "Rate exceeded");
}

uint64_t AthenaService::ParseMemory(const http::RequestHead&, uint64_t body_bytes) const {
  return awsproto::ParseMemoryBound(body_bytes);
}

void AthenaService::Quiesce() { pool_.reset(); }

void AthenaService::Handle(http::Request request, http::Responder done) {
  const Actions::Action* action = Actions::Find(rpc_.Operation(request.head));
  std::optional<std::span<const awsproto::FieldSpec>> fields;
  if (action != nullptr) fields = action->fields;
  rpc_.Dispatch(std::move(request), std::move(done), fields,
                [this, action](awsproto::ActionCall& call, awsproto::ActionDone answer) {
                  if (pool_ == nullptr) return (actions_.get()->*(action->run))(call, std::move(answer));
                  // The call lives as long as `answer` (it holds the call's owner).
                  pool_->Post([this, action, &call, answer = std::move(answer)]() mutable {
                    (actions_.get()->*(action->run))(call, std::move(answer));
                  });
                });
}

}  // namespace sluice::frontends::athena
