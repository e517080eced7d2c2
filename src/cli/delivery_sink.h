// The delivery module as the functions module's RecordSink: how the built-in
// send_to_firehose function puts records into a delivery stream in process.
#pragma once

#include "delivery/delivery.h"
#include "functions/builtins.h"

namespace sluice::cli {

class DeliverySink final : public functions::RecordSink {
 public:
  explicit DeliverySink(delivery::DeliveryManager& delivery) : delivery_(delivery) {}
  // Blocks until the records are durable in the stream's log (or refused).
  Status PutRecordBatch(std::string_view delivery_stream, const std::vector<std::string>& records) override;

 private:
  delivery::DeliveryManager& delivery_;
};

}  // namespace sluice::cli
