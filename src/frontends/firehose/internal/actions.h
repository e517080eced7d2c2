// Internal to the Firehose front end: the actions behind FirehoseService.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "awsproto/codec.h"
#include "awsproto/json_rpc.h"
#include "awsproto/schema.h"
#include "delivery/delivery.h"
#include "internal/put_metrics.h"

namespace sluice::frontends::firehose {

using awsproto::ActionCall;
using awsproto::ActionDone;
using awsproto::ActionResult;
using awsproto::BodyWriter;
using awsproto::FieldSpec;
using awsproto::FieldType;
using awsproto::Value;

class Actions {
 public:
  Actions(delivery::DeliveryManager& delivery, metrics::Registry& metrics) : delivery_(delivery), metrics_(metrics) {}

  struct Action {
    std::string_view name;
    std::span<const FieldSpec> fields;
    void (Actions::*run)(ActionCall& call, ActionDone done);
    // Commits to the catalog or writes objects: runs off the I/O threads.
    bool control_plane = false;
  };
  static const Action* Find(std::string_view name);

  void CreateDeliveryStream(ActionCall& c, ActionDone done);
  void DescribeDeliveryStream(ActionCall& c, ActionDone done);
  void ListDeliveryStreams(ActionCall& c, ActionDone done);
  void DeleteDeliveryStream(ActionCall& c, ActionDone done);
  void UpdateDestination(ActionCall& c, ActionDone done);
  void TagDeliveryStream(ActionCall& c, ActionDone done);
  void UntagDeliveryStream(ActionCall& c, ActionDone done);
  void ListTagsForDeliveryStream(ActionCall& c, ActionDone done);
  void PutRecord(ActionCall& c, ActionDone done);
  void PutRecordBatch(ActionCall& c, ActionDone done);
  void SluiceFlushDeliveryStream(ActionCall& c, ActionDone done);
  void SluiceListDeliveryStreamStats(ActionCall& c, ActionDone done);

 private:
  delivery::DeliveryManager& delivery_;
  PutMetrics metrics_;
};

// An error of the delivery module as the API answers it.
ActionResult FromError(const delivery::Error& e);
// The configuration structures of the request, as the delivery module takes them.
delivery::S3Destination ParseDestination(const Value& v, bool extended);
// DescribeDeliveryStream's body.
std::string WriteDescription(const delivery::DeliveryStreamInfo& info);
void WriteStats(BodyWriter& w, const delivery::DeliveryStats& s);

}  // namespace sluice::frontends::firehose
