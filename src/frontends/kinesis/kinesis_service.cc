#include "frontends/kinesis/kinesis_service.h"

#include "base/work_pool.h"
#include "internal/actions.h"

namespace sluice::frontends::kinesis {
namespace {

constexpr std::string_view kSigningNames[] = {"kinesis"};
constexpr std::string_view kTargetPrefixes[] = {"Kinesis_20131202"};
constexpr awsproto::JsonProtocol kProtocol{.target_prefix = "Kinesis_20131202",
                                           .json_content_type = "application/x-amz-json-1.1",
                                           .cbor_content_type = "application/x-amz-cbor-1.1"};
// Control-plane actions are rare and short; two threads keep one slow catalog commit
// from holding up the rest.
constexpr int kControlThreads = 2;

}  // namespace

KinesisService::KinesisService(stream::StreamManager& streams)
    : rpc_(kProtocol),
      actions_(std::make_unique<Actions>(streams)),
      control_(std::make_unique<WorkPool>(kControlThreads, "kinesis-ctl")) {}
KinesisService::~KinesisService() = default;

std::span<const std::string_view> KinesisService::SigningNames() const { return kSigningNames; }
std::span<const std::string_view> KinesisService::TargetPrefixes() const { return kTargetPrefixes; }

bool KinesisService::ClaimsShape(const http::RequestHead& head) const { return rpc_.IsJsonShaped(head); }

uint64_t KinesisService::BodyLimit(const http::RequestHead&) const { return kKinesisMaxRequestBytes; }

std::shared_ptr<http::BodySink> KinesisService::StreamBody(const http::RequestHead&) { return nullptr; }

http::Response KinesisService::Overloaded(const http::RequestHead&) const {
  // What Kinesis answers when it sheds load; every SDK retries it with backoff.
  return awsproto::JsonError(503, "ServiceUnavailable",
                             "The request has failed due to a temporary failure of the server.");
}

uint64_t KinesisService::ParseMemory(const http::RequestHead&, uint64_t body_bytes) const {
  return awsproto::ParseMemoryBound(body_bytes);
}

http::Response KinesisService::BodyTooLarge(const http::RequestHead&, uint64_t limit) const {
  return http::PlainBodyTooLarge(limit);
}

void KinesisService::Quiesce() { control_.reset(); }

void KinesisService::Handle(http::Request request, http::Responder done) {
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

}  // namespace sluice::frontends::kinesis
