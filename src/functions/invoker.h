// Invoker: how in-process callers (event-source mapping pollers, Firehose's Lambda
// processor, alarm actions) run a Lambda function without going through HTTP. The
// function registry (FunctionManager) implements it; tests use a fake.
//
// Threading: every method may be called concurrently from any thread. Invoke blocks the
// calling thread until the function answers, fails or times out (the function's own
// Timeout bounds it), so callers run it on threads of their own (each mapping poller
// has one), never on an I/O thread.
// Errors: an InvokeError whose type is the Lambda `__type` a client of the Invoke API
// would see. A function that ran and failed is NOT an InvokeError: it is a successful
// Invoke whose InvokeOutcome says FunctionError::kUnhandled or kHandled, exactly as
// Lambda answers 200 with X-Amz-Function-Error.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/expected.h"

namespace sluice::functions {

// Why an invocation did not run (or did not finish on the service's side). One
// enumerator per Lambda error type; the name is the `__type`/x-amzn-ErrorType.
enum class InvokeErrorType {
  kResourceNotFound,       // ResourceNotFoundException (404): no such function
  kResourceNotReady,       // ResourceNotReadyException (502): function state not Active
  kTooManyRequests,        // TooManyRequestsException (429): concurrency limit reached
  kRequestTooLarge,        // RequestTooLargeException (413): payload over the limit
  kInvalidRequestContent,  // InvalidRequestContentException (400): payload not JSON
  kInvalidRuntime,         // InvalidRuntimeException (502): runtime cannot be started
  kService,                // ServiceException (500): anything else on sluice's side
};

std::string_view InvokeErrorTypeName(InvokeErrorType type);

using InvokeError = sluice::Error<InvokeErrorType>;

// How a function that ran ended.
enum class FunctionError {
  kNone,       // returned normally; `payload` is its JSON result
  kUnhandled,  // raised, crashed, timed out or ran out of memory: X-Amz-Function-Error: Unhandled
  kHandled,    // reported an error through the runtime API's error endpoint as handled
};

struct InvokeRequest {
  // A function name ("my-function"), partial ARN ("123456789012:function:my-function")
  // or full ARN, as Lambda's FunctionName accepts; a qualifier suffix (":$LATEST") is
  // allowed.
  std::string function;
  // The event, JSON text. At most 6 MB (synchronous invocation limit).
  std::string payload;
};

struct InvokeOutcome {
  FunctionError function_error = FunctionError::kNone;
  // The function's response (JSON text, possibly "null"), or with a function error the
  // error document Lambda returns: {"errorMessage":..., "errorType":..., ...}.
  std::string payload;
  // The function that ran, as a full ARN.
  std::string function_arn;
};

// What a caller learns about a function without running it: a mapping needs the ARN to
// report FunctionArn, and the handler to take a built-in's fast path (builtins.h).
struct ResolvedFunction {
  std::string name;
  std::string arn;  // unqualified full ARN: arn:aws:lambda:<region>:<account>:function:<name>
  std::string handler;
  std::string role;  // the execution role's ARN: a Kinesis event's invokeIdentityArn
  std::map<std::string, std::string> environment;  // the function's Environment.Variables
  int64_t memory_mb = 128;                          // MemorySize: a built-in's REPORT line
};

class Invoker {
 public:
  virtual ~Invoker() = default;

  // Runs the function synchronously (RequestResponse) with `request.payload` and waits
  // for its answer. Errors as listed above; a function error is a successful result.
  virtual Expected<InvokeOutcome, InvokeError> Invoke(const InvokeRequest& request) = 0;

  // The function named by a name, partial or full ARN, or kResourceNotFound with
  // Lambda's message ("Function not found: <arn>"). Does not start anything.
  virtual Expected<ResolvedFunction, InvokeError> Resolve(std::string_view function) = 0;
};

}  // namespace sluice::functions
