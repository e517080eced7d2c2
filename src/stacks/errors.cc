#include "stacks/errors.h"

namespace sluice::stacks {

std::string_view StackErrorName(StackErrorType e) {
  switch (e) {
    case StackErrorType::kValidationError: return "ValidationError";
    case StackErrorType::kInsufficientCapabilitiesException: return "InsufficientCapabilitiesException";
    case StackErrorType::kAlreadyExistsException: return "AlreadyExistsException";
    case StackErrorType::kLimitExceededException: return "LimitExceededException";
    case StackErrorType::kChangeSetNotFoundException: return "ChangeSetNotFound";
    case StackErrorType::kInvalidChangeSetStatusException: return "InvalidChangeSetStatus";
    case StackErrorType::kTokenAlreadyExistsException: return "TokenAlreadyExistsException";
    case StackErrorType::kInternalFailure: return "InternalFailure";
  }
  return "InternalFailure";
}

int StackErrorHttpStatus(StackErrorType e) {
  switch (e) {
    case StackErrorType::kChangeSetNotFoundException: return 404;
    case StackErrorType::kInternalFailure: return 500;
    default: return 400;
  }
}

}  // namespace sluice::stacks
