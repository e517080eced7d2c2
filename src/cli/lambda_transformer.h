// The functions module as the delivery module's RecordTransformer: how a delivery
// stream's Lambda processor runs a function in process (the reverse direction of
// delivery_sink.h). The FunctionManager is opened after the DeliveryManager (functions
// depend on delivery), so it is bound later; until then an invocation fails as a
// function that cannot be reached, and delivery retries it with backoff.
#pragma once

#include <atomic>

#include "delivery/delivery.h"
#include "functions/invoker.h"

namespace sluice::cli {

class LambdaTransformer final : public delivery::RecordTransformer {
 public:
  // `invoker` must outlive every Invoke; nullptr unbinds it.
  void Bind(functions::Invoker* invoker) { invoker_.store(invoker, std::memory_order_release); }
  // Blocks until the function answers (its Timeout bounds it).
  delivery::TransformResult Invoke(std::string_view function_arn, std::string event) override;

 private:
  std::atomic<functions::Invoker*> invoker_{nullptr};
};

}  // namespace sluice::cli
