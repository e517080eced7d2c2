// Every route of the Lambda API sluice serves, and the operation behind it: add a
// route here (and its operation in its own file) to serve a new action.
#include "internal/ops.h"

namespace sluice::frontends::lambda {
namespace {

struct Route {
  awsproto::RestRoute route;
  Op run;
};

enum : int {
  kCreateFunction,
  kListFunctions,
  kGetFunction,
  kDeleteFunction,
  kGetFunctionConfiguration,
  kUpdateFunctionConfiguration,
  kUpdateFunctionCode,
  kInvoke,
  kAddPermission,
  kGetPolicy,
  kRemovePermission,
  kPutFunctionConcurrency,
  kGetFunctionConcurrency,
  kDeleteFunctionConcurrency,
  kTagResource,
  kUntagResource,
  kListTags,
  kCreateEventSourceMapping,
  kListEventSourceMappings,
  kGetEventSourceMapping,
  kUpdateEventSourceMapping,
  kDeleteEventSourceMapping,
};

constexpr awsproto::RestRoute kRoutes[] = {
    {"POST", "/2015-03-31/functions", kCreateFunction},
    {"GET", "/2015-03-31/functions", kListFunctions},
    {"GET", "/2015-03-31/functions/{FunctionName}", kGetFunction},
    {"DELETE", "/2015-03-31/functions/{FunctionName}", kDeleteFunction},
    {"GET", "/2015-03-31/functions/{FunctionName}/configuration", kGetFunctionConfiguration},
    {"PUT", "/2015-03-31/functions/{FunctionName}/configuration", kUpdateFunctionConfiguration},
    {"PUT", "/2015-03-31/functions/{FunctionName}/code", kUpdateFunctionCode},
    {"POST", "/2015-03-31/functions/{FunctionName}/invocations", kInvoke},
    {"POST", "/2015-03-31/functions/{FunctionName}/policy", kAddPermission},
    {"GET", "/2015-03-31/functions/{FunctionName}/policy", kGetPolicy},
    {"DELETE", "/2015-03-31/functions/{FunctionName}/policy/{StatementId}", kRemovePermission},
    {"PUT", "/2017-10-31/functions/{FunctionName}/concurrency", kPutFunctionConcurrency},
    {"GET", "/2019-09-30/functions/{FunctionName}/concurrency", kGetFunctionConcurrency},
    {"DELETE", "/2017-10-31/functions/{FunctionName}/concurrency", kDeleteFunctionConcurrency},
    {"POST", "/2017-03-31/tags/{ARN}", kTagResource},
    {"DELETE", "/2017-03-31/tags/{ARN}", kUntagResource},
    {"GET", "/2017-03-31/tags/{ARN}", kListTags},
    {"POST", "/2015-03-31/event-source-mappings/", kCreateEventSourceMapping},
    {"GET", "/2015-03-31/event-source-mappings/", kListEventSourceMappings},
    {"GET", "/2015-03-31/event-source-mappings/{UUID}", kGetEventSourceMapping},
    {"PUT", "/2015-03-31/event-source-mappings/{UUID}", kUpdateEventSourceMapping},
    {"DELETE", "/2015-03-31/event-source-mappings/{UUID}", kDeleteEventSourceMapping},
};

constexpr Op kOps[] = {
    CreateFunction,
    ListFunctions,
    GetFunction,
    DeleteFunction,
    GetFunctionConfiguration,
    UpdateFunctionConfiguration,
    UpdateFunctionCode,
    Invoke,
    AddPermission,
    GetPolicy,
    RemovePermission,
    PutFunctionConcurrency,
    GetFunctionConcurrency,
    DeleteFunctionConcurrency,
    TagResource,
    UntagResource,
    ListTags,
    EventSourceMapping,  // the five mapping routes share one operation (mapping_routes.h)
    EventSourceMapping,
    EventSourceMapping,
    EventSourceMapping,
    EventSourceMapping,
};
static_assert(std::size(kOps) == std::size(kRoutes), "one operation per route");

// Lambda's request limits: a direct zip upload (50 MB, base64 in JSON), invocation
// payloads (6 MB synchronous, 1 MB for Event), and 1 MB for everything else.
constexpr uint64_t kMaxPackageRequest = 69'905'067;
constexpr uint64_t kMaxSyncPayload = 6'291'456;
constexpr uint64_t kMaxEventPayload = 1'048'576;
constexpr uint64_t kMaxOtherRequest = 1'048'576;

}  // namespace

std::span<const awsproto::RestRoute> Routes() { return kRoutes; }

Op OperationOf(int operation) {
  if (operation < 0 || operation >= static_cast<int>(std::size(kOps))) return nullptr;
  return kOps[operation];
}

uint64_t BodyLimitOf(int operation, const http::RequestHead& head) {
  switch (operation) {
    case kCreateFunction:
    case kUpdateFunctionCode:
      return kMaxPackageRequest;
    case kInvoke:
      return head.Header("x-amz-invocation-type") == "Event" ? kMaxEventPayload : kMaxSyncPayload;
    default:
      return kMaxOtherRequest;
  }
}

http::Response TooLargeFor(int operation, const http::RequestHead& head, uint64_t limit) {
  const std::string_view length = head.Header("content-length");
  if (operation == kInvoke && head.Header("x-amz-invocation-type") == "Event") {
    return Error(functions::LambdaError::kRequestTooLarge,
                 std::string(length.empty() ? "Request" : length) + " byte payload is too large for the Event "
                 "invocation type (limit " + std::to_string(limit) + " bytes)");
  }
  const std::string_view action = operation == kInvoke           ? "InvokeFunction"
                                  : operation == kCreateFunction ? "CreateFunction"
                                  : operation == kUpdateFunctionCode ? "UpdateFunctionCode"
                                                                     : "this";
  return Error(functions::LambdaError::kRequestTooLarge,
               "Request must be smaller than " + std::to_string(limit) + " bytes for the " + std::string(action) +
                   " operation");
}

}  // namespace sluice::frontends::lambda
