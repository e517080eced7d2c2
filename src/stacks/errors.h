// The failures the stacks module reports, one enumerator per CloudFormation error code,
// so the front end maps them 1:1 to the Query protocol's <Code> and HTTP status.
// Template problems are all ValidationError, as in CloudFormation; the message carries
// AWS's wording ("Template format error: ...").
#pragma once

#include <string>
#include <string_view>

#include "base/expected.h"

namespace sluice::stacks {

enum class StackErrorType {
  kValidationError,                    // bad template, parameters, or no such stack (400)
  kInsufficientCapabilitiesException,  // IAM resources without CAPABILITY_IAM (400)
  kAlreadyExistsException,             // a stack or change set of that name exists (400)
  kLimitExceededException,             // too many stacks, exports, ... (400)
  kChangeSetNotFoundException,         // (404)
  kInvalidChangeSetStatusException,    // executing a change set that cannot run (400)
  kTokenAlreadyExistsException,        // a ClientRequestToken reused (400)
  kInternalFailure,                    // a bug or an I/O failure (500)
};

// The error code string, e.g. "ValidationError".
std::string_view StackErrorName(StackErrorType e);
// The HTTP status CloudFormation answers with.
int StackErrorHttpStatus(StackErrorType e);

using StackError = Error<StackErrorType>;
template <typename T>
using StackResult = Expected<T, StackError>;
using StackStatus = Expected<Done, StackError>;

inline StackError ValidationError(std::string message) {
  return {StackErrorType::kValidationError, std::move(message)};
}

}  // namespace sluice::stacks
