// The Kinesis Data Streams error types, one enumerator per AWS `__type` name, and
// which of them a client should retry. Names match the AWS API reference exactly so
// the server can map its failures onto the same enum.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::aws {

enum class KinesisErrorCode {
  kProvisionedThroughputExceeded,  // per-shard write/read limit; retry with backoff
  kResourceNotFound,
  kResourceInUse,
  kInvalidArgument,
  kLimitExceeded,      // too many control-plane calls or shards; retry with backoff
  kExpiredIterator,
  kExpiredNextToken,
  kValidation,
  kAccessDenied,
  kUnrecognizedClient,
  kInvalidSignature,
  kIncompleteSignature,
  kMissingAuthenticationToken,
  kSerialization,      // the body did not parse (SerializationException)
  kUnknownOperation,
  kThrottling,         // ThrottlingException from the request layer
  kKmsThrottling,
  kInternalFailure,    // InternalFailure / InternalFailureException (HTTP 500)
  kServiceUnavailable, // HTTP 503
  kTransport,          // no HTTP answer at all; see the message
  kUnknown,            // an error type this client does not know
};

// The AWS type name, e.g. "ProvisionedThroughputExceededException".
std::string_view KinesisErrorName(KinesisErrorCode code);
// Parses `__type` or x-amzn-ErrorType, tolerating the "namespace#" prefix and the
// ":http://..." suffix AWS sometimes adds. Unknown names map to kUnknown.
KinesisErrorCode KinesisErrorFromType(std::string_view type);
// Throttles and server-side failures are retryable; caller mistakes are not.
bool IsRetryable(KinesisErrorCode code);

struct KinesisError {
  KinesisErrorCode code = KinesisErrorCode::kUnknown;
  std::string type;     // as received (or the transport error name)
  std::string message;
  int http_status = 0;  // 0 when there was no HTTP answer
  bool retryable = false;

  std::string ToString() const;
  Status ToStatus() const;
};

}  // namespace sluice::aws
