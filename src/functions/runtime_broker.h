// The Lambda Runtime API as the functions module sees it, with no HTTP: the runtime
// API front end (frontends/lambda_runtime) turns each request of a runtime process into
// one of these calls. A process is known by the token in its AWS_LAMBDA_RUNTIME_API
// (sluice serves every process on one loopback port and tells them apart by a path
// prefix that carries a random token).
// Threading: thread-safe; every call returns quickly. Next completes later, on any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/expected.h"

namespace sluice::functions {

enum class BrokerError {
  kUnknownProcess,    // 403: no live process has this token
  kInvalidRequestId,  // 400 InvalidRequestID: not the invocation the process holds
  kTooLarge,          // 413: a response over Lambda's 6 MB
};
using BrokerFailure = Error<BrokerError>;

struct NextInvocation {
  std::string request_id;
  std::string payload;
  std::string function_arn;
  int64_t deadline_ms = 0;  // epoch milliseconds
};

class RuntimeBroker {
 public:
  virtual ~RuntimeBroker() = default;
  // The next invocation for the process, delivered once one is assigned to it (a long
  // poll). `ready` runs exactly once.
  virtual void Next(std::string_view token,
                    std::function<void(Expected<NextInvocation, BrokerFailure>)> ready) = 0;
  virtual Expected<Done, BrokerFailure> Respond(std::string_view token, std::string_view request_id,
                                                std::string payload) = 0;
  // The function failed: `error` is the body the runtime posted (errorMessage, errorType...).
  virtual Expected<Done, BrokerFailure> Fail(std::string_view token, std::string_view request_id,
                                             std::string error) = 0;
  // The process could not initialise (import failed): the invocation waiting for it
  // fails with `error` and the process is replaced.
  virtual Expected<Done, BrokerFailure> InitError(std::string_view token, std::string error) = 0;
};

// Lambda's limit on a synchronous response payload.
inline constexpr uint64_t kMaxResponseBytes = 6ull << 20;

}  // namespace sluice::functions
