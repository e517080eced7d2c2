// Custom resources' request events reach their function as Lambda's Event invocations
// (InvocationType Event), as CloudFormation sends them: queued, not awaited.
#include <future>

#include "functions/functions.h"
#include "providers/common.h"
#include "providers/providers_internal.h"

namespace sluice::stacks::providers {
namespace {

class LambdaEventInvoker final : public CustomResourceInvoker {
 public:
  explicit LambdaEventInvoker(functions::FunctionManager& functions) : functions_(functions) {}

  StackStatus InvokeAsync(const std::string& function_arn, const std::string& payload) override {
    std::promise<functions::LambdaResult<functions::InvokeResult>> queued;
    auto result = queued.get_future();
    functions_.Invoke(function_arn, "", functions::InvocationType::kEvent, payload,
                      [&queued](functions::LambdaResult<functions::InvokeResult> r) { queued.set_value(std::move(r)); });
    const auto r = result.get();  // an Event invocation completes once queued
    if (!r.ok()) return HandlerError("Lambda", functions::LambdaErrorStatus(r.error().code), r.error().message);
    return Done{};
  }

 private:
  functions::FunctionManager& functions_;
};

}  // namespace

std::unique_ptr<CustomResourceInvoker> NewLambdaEventInvoker(functions::FunctionManager& functions) {
  return std::make_unique<LambdaEventInvoker>(functions);
}

}  // namespace sluice::stacks::providers
