#include "delivery/delivery.h"

namespace sluice::delivery {

std::string_view ErrorName(ErrorType type) {
  switch (type) {
    case ErrorType::kResourceNotFound: return "ResourceNotFoundException";
    case ErrorType::kResourceInUse: return "ResourceInUseException";
    case ErrorType::kInvalidArgument: return "InvalidArgumentException";
    case ErrorType::kLimitExceeded: return "LimitExceededException";
    case ErrorType::kConcurrentModification: return "ConcurrentModificationException";
    case ErrorType::kServiceUnavailable: return "ServiceUnavailableException";
    case ErrorType::kInternalFailure: return "InternalFailure";
  }
  return "InternalFailure";
}

}  // namespace sluice::delivery
