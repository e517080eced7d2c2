#include "stream/errors.h"

#include <spdlog/spdlog.h>

namespace sluice::stream {

std::string_view AwsErrorName(ErrorType type) {
  switch (type) {
    case ErrorType::kResourceNotFound: return "ResourceNotFoundException";
    case ErrorType::kResourceInUse: return "ResourceInUseException";
    case ErrorType::kInvalidArgument: return "InvalidArgumentException";
    case ErrorType::kLimitExceeded: return "LimitExceededException";
    case ErrorType::kExpiredIterator: return "ExpiredIteratorException";
    case ErrorType::kExpiredNextToken: return "ExpiredNextTokenException";
    case ErrorType::kProvisionedThroughputExceeded: return "ProvisionedThroughputExceededException";
    case ErrorType::kInternalFailure: return "InternalFailure";
  }
  return "InternalFailure";
}

Error InternalError(const Status& st) {
  spdlog::error("msg=\"storage failure\" error=\"{}\"", st.ToString());
  return Error{ErrorType::kInternalFailure, "Internal service failure."};
}

}  // namespace sluice::stream
