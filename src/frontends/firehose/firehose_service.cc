#include "frontends/firehose/firehose_service.h"

#include "base/work_pool.h"
#include "internal/actions.h"

namespace sluice::frontends::firehose {
namespace {

constexpr std::string_view kSigningNames[] = {"firehose"};
constexpr std::string_view kTargetPrefixes[] = {"Firehose_20150804"};
constexpr awsproto::JsonProtocol kProtocol{.target_prefix = "Firehose_20150804",
                                           .json_content_type = "application/x-amz-json-1.1",
                                           .cbor_content_type = ""};
// Control-plane actions and flushes block on catalog commits and object writes.
constexpr int kControlThreads = 2;

}  // namespace

FirehoseService::FirehoseService(delivery::DeliveryManager& delivery, metrics::Registry& metrics)
    : rpc_(kProtocol),
      actions_(std::make_unique<Actions>(delivery, metrics)),
      control_(std::make_unique<WorkPool>(kControlThreads, "firehose-ctl")) {}
FirehoseService::~FirehoseService() = default;

std::span<const std::string_view> FirehoseService::SigningNames() const { return kSigningNames; }
std::span<const std::string_view> FirehoseService::TargetPrefixes() const { return kTargetPrefixes; }

uint64_t FirehoseService::BodyLimit(const http::RequestHead&) const { return kFirehoseMaxRequestBytes; }

http::Response FirehoseService::Overloaded(const http::RequestHead&) const {
  return awsproto::JsonError(503, "ServiceUnavailableException", "Slow down.");
}

uint64_t FirehoseService::ParseMemory(const http::RequestHead&, uint64_t body_bytes) const {
  return awsproto::ParseMemoryBound(body_bytes);
}

http::Response FirehoseService::BodyTooLarge(const http::RequestHead&, uint64_t limit) const {
  return http::PlainBodyTooLarge(limit);
}

void FirehoseService::Quiesce() { control_.reset(); }

void FirehoseService::Handle(http::Request request, http::Responder done) {
  const Actions::Action* action = Actions::Find(rpc_.Operation(request.head));
  std::optional<std::span<const awsproto::FieldSpec>> fields;
  if (action != nullptr) fields = action->fields;
  rpc_.Dispatch(std::move(request), std::move(done), fields,
                [this, action](awsproto::ActionCall& call, awsproto::ActionDone answer) {
                  if (!action->control_plane || control_ == nullptr) {
                    return (actions_.get()->*(action->run))(call, std::move(answer));
                  }
                  // The call lives as long as `answer` (it holds the call's owner).
                  control_->Post([this, action, &call, answer = std::move(answer)]() mutable {
                    (actions_.get()->*(action->run))(call, std::move(answer));
                  });
                });
}

}  // namespace sluice::frontends::firehose
