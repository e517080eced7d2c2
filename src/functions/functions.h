// The Lambda function registry and its runtimes: functions are created from zip
// packages (unpacked under the data dir), recorded in the catalog, and invoked as local
// processes speaking the Lambda Runtime API (runtime_broker.h), one process per
// concurrent invocation, reused while warm.
//
// Errors: every expected failure is an Error<LambdaError> whose code names the AWS error
// type one to one (LambdaErrorName) and whose message is AWS's wording.
//
// Threading: FunctionManager is thread-safe. Every call that changes a function commits
// to the catalog and may unpack a package or spawn a process: it blocks, so front ends
// call it from a pool, never from an I/O thread. Invoke returns at once and completes
// through its callback, on a thread of the manager (the runtime broker's caller or its
// supervisor thread).
// Lifetime: the catalog and object store must outlive the manager; the destructor
// kills every runtime process and completes their invocations with an error.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.h"
#include "base/status.h"
#include "functions/invoker.h"
#include "metrics/metrics.h"

namespace sluice::catalog {
class Catalog;
}
namespace sluice::objects {
class ObjectStore;
}

namespace sluice::functions {

class RuntimeBroker;
class RecordSink;
class LogStore;

enum class LambdaError {
  kResourceNotFound,          // 404 ResourceNotFoundException
  kResourceConflict,          // 409 ResourceConflictException
  kInvalidParameterValue,     // 400 InvalidParameterValueException
  kValidation,                // 400 ValidationException
  kRequestTooLarge,           // 413 RequestEntityTooLargeException (what Lambda sends)
  kInvalidRequestContent,     // 400 InvalidRequestContentException
  kTooManyRequests,           // 429 TooManyRequestsException
  kPreconditionFailed,        // 412 PreconditionFailedException
  kService,                   // 500 ServiceException
};
std::string_view LambdaErrorName(LambdaError e);
int LambdaErrorStatus(LambdaError e);

using LambdaFailure = Error<LambdaError>;
template <typename T>
using LambdaResult = Expected<T, LambdaFailure>;

struct Environment {
  std::map<std::string, std::string> variables;
};

// The configuration Lambda reports (FunctionConfiguration), as recorded.
struct FunctionConfig {
  std::string name;
  std::string arn;
  std::string runtime;
  std::string handler;
  std::string role;
  std::string description;
  int64_t timeout_s = 3;
  int64_t memory_mb = 128;
  int64_t ephemeral_mb = 512;
  std::map<std::string, std::string> environment;
  std::string code_sha256;  // base64 of the zip's SHA-256, as Lambda reports it
  int64_t code_size = 0;
  std::string last_modified;  // 2026-01-01T00:00:00.000+0000
  std::string revision_id;
  std::string state = "Active";
  std::string last_update_status = "Successful";
  std::string package_type = "Zip";
  std::vector<std::string> architectures{"x86_64"};
  std::optional<int64_t> reserved_concurrency;
  std::map<std::string, std::string> tags;
  std::string policy;  // the resource policy document (JSON), empty when none
  int64_t generation = 0;  // bumped by each code or configuration change
  int64_t package = 0;     // the unpacked code's directory: the generation that installed it
};

// A code package: the zip bytes themselves, or where to read them.
struct CodeSource {
  std::optional<std::string> zip;  // decoded ZipFile
  std::string s3_bucket;
  std::string s3_key;
};

struct CreateFunctionInput {
  FunctionConfig config;  // name, runtime, handler, role, description, timeout, memory, env, tags
  CodeSource code;
};

// Fields of UpdateFunctionConfiguration; unset ones keep their value.
struct ConfigUpdate {
  std::optional<std::string> runtime, handler, role, description;
  std::optional<int64_t> timeout_s, memory_mb;
  std::optional<std::map<std::string, std::string>> environment;
  std::optional<std::string> revision_id;  // the caller's expected RevisionId
};

struct Permission {
  std::string statement_id, action, principal, source_arn, source_account;
  std::optional<std::string> revision_id;
};

enum class InvocationType { kRequestResponse, kEvent, kDryRun };

struct InvokeResult {
  bool function_error = false;  // X-Amz-Function-Error: Unhandled
  std::string payload;
  std::string log_tail;  // the invocation's log, its last 4 KB
};
using InvokeDone = std::function<void(LambdaResult<InvokeResult>)>;

struct ListPage {
  std::vector<FunctionConfig> functions;
  std::string next_marker;  // empty: last page
};

struct FunctionManagerOptions {
  std::string dir;            // packages and runtime clients live here
  std::string region = "us-east-1";
  std::string account = "000000000000";
  std::string endpoint_url;  // what functions' SDKs call (AWS_ENDPOINT_URL)
  std::string python;        // --python: interpreter for python3.x; empty: pick one with boto3
  bool strict_runtimes = false;  // refuse deprecated runtimes as AWS does
  int max_processes = 64;        // runtime processes across all functions
  // Where the send_to_firehose built-in delivers; null: that built-in fails when invoked.
  RecordSink* sink = nullptr;
  // Where runtime processes' log streams go (/aws/lambda/<name>); null: nowhere (the
  // LogType Tail of an Invoke still works).
  LogStore* logs = nullptr;
  // Invocations, Errors, Duration, Throttles, ConcurrentExecutions (AWS/Lambda).
  std::reference_wrapper<metrics::Registry> metrics = metrics::NullRegistry();
};

// A zip package of `files` (path, text), each mode 0644: how CloudFormation packages a
// function's inline Code.ZipFile (with the cfn-response module beside it).
LambdaResult<std::string> ZipFiles(const std::vector<std::pair<std::string, std::string>>& files);

// Also the Invoker that in-process callers (event-source mappings) run functions
// through; handlers named `sluice.builtin.<name>` run in process (builtins.h).
class FunctionManager : public Invoker {
 public:
  // Loads the recorded functions. `runtime_api` is the host:port the runtime API is
  // served on; it may be set later (SetRuntimeApi) once its server is bound.
  static Result<std::unique_ptr<FunctionManager>> Open(const FunctionManagerOptions& options,
                                                       catalog::Catalog& catalog,
                                                       objects::ObjectStore& objects);
  virtual ~FunctionManager() = default;

  // The broker the runtime API front end serves, and where it listens.
  virtual RuntimeBroker& broker() = 0;
  virtual void SetRuntimeApi(std::string host_port) = 0;
  // The URL functions' SDKs are pointed at (AWS_ENDPOINT_URL), once the server is bound.
  virtual void SetEndpointUrl(std::string url) = 0;
  // Kills every runtime process and fails what is in flight; the manager stays usable
  // only for answering errors. Call before stopping the runtime API server.
  virtual void Shutdown() = 0;

  virtual LambdaResult<FunctionConfig> Create(CreateFunctionInput input) = 0;
  // `name`: a function name, its ARN or partial ARN; `qualifier` empty or $LATEST.
  virtual LambdaResult<FunctionConfig> Get(std::string_view name, std::string_view qualifier) = 0;
  virtual LambdaResult<ListPage> List(std::string_view marker, int64_t max_items) = 0;
  virtual LambdaResult<Done> Delete(std::string_view name, std::string_view qualifier) = 0;
  virtual LambdaResult<FunctionConfig> UpdateCode(std::string_view name, CodeSource code,
                                                  std::optional<std::string> revision_id) = 0;
  virtual LambdaResult<FunctionConfig> UpdateConfig(std::string_view name, ConfigUpdate update) = 0;
  // Returns the statement added (JSON).
  virtual LambdaResult<std::string> AddPermission(std::string_view name, Permission p) = 0;
  virtual LambdaResult<Done> RemovePermission(std::string_view name, std::string_view statement_id,
                                              std::optional<std::string> revision_id) = 0;
  virtual LambdaResult<Done> PutConcurrency(std::string_view name, std::optional<int64_t> reserved) = 0;
  // Tags by function ARN.
  virtual LambdaResult<std::map<std::string, std::string>> ListTags(std::string_view arn) = 0;
  virtual LambdaResult<Done> TagResource(std::string_view arn, const std::map<std::string, std::string>& tags) = 0;
  virtual LambdaResult<Done> UntagResource(std::string_view arn, const std::vector<std::string>& keys) = 0;

  using Invoker::Invoke;  // the blocking form the mapping engine calls
  // Runs the function with `payload` (JSON text). kEvent queues the invocation and
  // completes at once with an empty result; kDryRun only checks that the function exists.
  virtual void Invoke(std::string_view name, std::string_view qualifier, InvocationType type,
                      std::string payload, InvokeDone done) = 0;
};

}  // namespace sluice::functions
