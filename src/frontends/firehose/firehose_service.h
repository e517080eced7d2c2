// Kinesis Data Firehose over AWS JSON 1.1: `POST /` with
// `X-Amz-Target: Firehose_20150804.<Action>`, signed for service "firehose". Checks the
// request the way AWS does (content type, target, types, constraints, with AWS's
// wording), runs it against the DeliveryManager and answers in JSON.
//
// sluice extensions (not AWS actions; documented in docs/compatibility.md):
//   Firehose_20150804.SluiceFlushDeliveryStream   {DeliveryStreamName} delivers what is
//       buffered now and answers the stream's counters;
//   Firehose_20150804.SluiceListDeliveryStreamStats {} answers every stream's counters
//       (buffered bytes, oldest record age, objects written, last error).
//
// Threading: thread-safe. PutRecord(Batch) run on the calling I/O thread and answer once
// the records are durable in the stream's log; control-plane actions and the flush,
// which commit to the catalog or write objects, run on a small pool of the service's
// own. Lifetime: the DeliveryManager must outlive the service.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "awsproto/json_rpc.h"
#include "awsproto/service.h"
#include "delivery/delivery.h"
#include "metrics/metrics.h"

namespace sluice {
class WorkPool;
}

namespace sluice::frontends::firehose {

// A PutRecordBatch holds at most 4 MiB of data, base64 in JSON: 16 MiB is ample.
inline constexpr uint64_t kFirehoseMaxRequestBytes = 16ull << 20;

class Actions;

class FirehoseService final : public awsproto::Service {
 public:
  // PutRecord.* and PutRecordBatch.* go to `metrics` (AWS/Firehose, DeliveryStreamName);
  // it must outlive the service.
  explicit FirehoseService(delivery::DeliveryManager& delivery,
                           metrics::Registry& metrics = metrics::NullRegistry());
  ~FirehoseService() override;

  std::string_view Name() const override { return "firehose"; }
  std::span<const std::string_view> SigningNames() const override;
  std::span<const std::string_view> TargetPrefixes() const override;
  bool ClaimsShape(const http::RequestHead&) const override { return false; }
  uint64_t BodyLimit(const http::RequestHead& head) const override;
  void Handle(http::Request request, http::Responder done) override;
  std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead&) override { return nullptr; }
  http::Response BodyTooLarge(const http::RequestHead& head, uint64_t limit) const override;
  http::Response Overloaded(const http::RequestHead& head) const override;
  uint64_t ParseMemory(const http::RequestHead& head, uint64_t body_bytes) const override;
  void Quiesce() override;

 private:
  awsproto::JsonRpc rpc_;
  std::unique_ptr<Actions> actions_;
  std::unique_ptr<WorkPool> control_;
};

}  // namespace sluice::frontends::firehose
