#include "cli/lambda_transformer.h"

#include <utility>

namespace sluice::cli {

delivery::TransformResult LambdaTransformer::Invoke(std::string_view function_arn, std::string event) {
  delivery::TransformResult r;
  functions::Invoker* invoker = invoker_.load(std::memory_order_acquire);
  if (invoker == nullptr) {
    r.unavailable = true;
    r.error_message = "functions are not running";
    return r;
  }
  auto out = invoker->Invoke({.function = std::string(function_arn), .payload = std::move(event)});
  if (!out.ok()) {
    // The errorCode Firehose writes for an invocation Lambda refused.
    switch (out.error().code) {
      case functions::InvokeErrorType::kResourceNotFound:
        r.error_code = "Lambda.ResourceNotFound";
        r.error_message = "The specified Lambda function does not exist. Use a different function that does exist.";
        break;
      case functions::InvokeErrorType::kTooManyRequests:
        r.error_code = "Lambda.InvokeLimitExceeded";
        r.error_message =
            "The Lambda concurrent execution limit is exceeded. Increase the concurrent execution limit.";
        break;
      default:
        r.error_code = "Lambda." + std::string(functions::InvokeErrorTypeName(out.error().code));
        r.error_message = out.error().message;
        break;
    }
    return r;
  }
  if (out->function_error != functions::FunctionError::kNone) {
    r.error_code = "Lambda.FunctionError";
    r.error_message = "The Lambda function was successfully invoked but it returned an error result.";
    return r;
  }
  r.payload = std::move(out->payload);
  return r;
}

}  // namespace sluice::cli
