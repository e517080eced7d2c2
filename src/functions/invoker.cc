#include "functions/invoker.h"

namespace sluice::functions {

std::string_view InvokeErrorTypeName(InvokeErrorType type) {
  switch (type) {
    case InvokeErrorType::kResourceNotFound: return "ResourceNotFoundException";
    case InvokeErrorType::kResourceNotReady: return "ResourceNotReadyException";
    case InvokeErrorType::kTooManyRequests: return "TooManyRequestsException";
    case InvokeErrorType::kRequestTooLarge: return "RequestTooLargeException";
    case InvokeErrorType::kInvalidRequestContent: return "InvalidRequestContentException";
    case InvokeErrorType::kInvalidRuntime: return "InvalidRuntimeException";
    case InvokeErrorType::kService: return "ServiceException";
  }
  return "ServiceException";
}

}  // namespace sluice::functions
