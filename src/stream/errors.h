// The Kinesis errors the stream module reports: one enum value per AWS `__type`, so the
// API layer maps them without guessing. Messages are AWS's wording.
#pragma once

#include <string>
#include <string_view>

#include "base/expected.h"
#include "base/status.h"

namespace sluice::stream {

enum class ErrorType {
  kResourceNotFound,
  kResourceInUse,
  kInvalidArgument,
  kLimitExceeded,
  kExpiredIterator,
  kExpiredNextToken,
  kProvisionedThroughputExceeded,
  kInternalFailure,
};

// "ResourceNotFoundException", ... ("InternalFailure" has no suffix, as in AWS).
std::string_view AwsErrorName(ErrorType type);

struct Error {
  ErrorType type;
  std::string message;
};

template <typename T>
using KResult = Expected<T, Error>;

inline Error MakeError(ErrorType type, std::string message) { return Error{type, std::move(message)}; }
// Storage failures surface as InternalFailure; the detail goes to the log, not the client.
Error InternalError(const Status& st);

}  // namespace sluice::stream
