// Kinesis Data Streams over AWS JSON 1.1 and CBOR 1.1: `POST /` with
// `X-Amz-Target: Kinesis_20131202.<Action>`, signed for service "kinesis". Checks the
// request the way AWS does (content type, target, authentication header shape, types,
// constraints), runs the action against the StreamManager and answers in the encoding
// the request used.
//
// Order of checks, and when the body is read: routing (SigningNames, TargetPrefixes,
// ClaimsShape) and BodyLimit see only the request head, so nothing reads the body
// before the gateway has verified the request's signature and reserved its parse
// memory (gateway/request_memory.h). Handle is the one place the body is parsed, once,
// within the limits the action's shape allows (awsproto::LimitsFor): a body deeper or
// with more values than any valid request of the action is a SerializationException,
// found without growing past the parse's fixed node array.
//
// Threading: thread-safe. Data-plane actions run on the calling I/O thread and answer
// PutRecord(s) once their records are durable; control-plane actions (create, delete,
// reshard, retention, tags), which commit to the catalog and open or close logs, run on
// a small pool of the service's own so no I/O thread waits on them. Lifetime: the
// StreamManager must outlive the service.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "awsproto/json_rpc.h"
#include "awsproto/service.h"
#include "stream/stream_manager.h"

namespace sluice {
class WorkPool;
}

namespace sluice::frontends::kinesis {

// AWS answers larger Kinesis requests with 413.
inline constexpr uint64_t kKinesisMaxRequestBytes = 16ull << 20;

class Actions;

class KinesisService final : public awsproto::Service {
 public:
  explicit KinesisService(stream::StreamManager& streams);
  ~KinesisService() override;

  std::string_view Name() const override { return "kinesis"; }
  std::span<const std::string_view> SigningNames() const override;
  std::span<const std::string_view> TargetPrefixes() const override;
  // A JSON or CBOR POST to "/" without a target: Kinesis answers it with AWS's errors.
  bool ClaimsShape(const http::RequestHead& head) const override;
  uint64_t BodyLimit(const http::RequestHead& head) const override;
  void Handle(http::Request request, http::Responder done) override;
  std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead& head) override;
  http::Response BodyTooLarge(const http::RequestHead& head, uint64_t limit) const override;
  http::Response Overloaded(const http::RequestHead& head) const override;
  // awsproto::ParseMemoryBound: the tree, and blobs decoded from JSON.
  uint64_t ParseMemory(const http::RequestHead& head, uint64_t body_bytes) const override;
  // Finishes queued control-plane actions and stops their pool.
  void Quiesce() override;

 private:
  awsproto::JsonRpc rpc_;
  std::unique_ptr<Actions> actions_;
  std::unique_ptr<WorkPool> control_;
};

}  // namespace sluice::frontends::kinesis
