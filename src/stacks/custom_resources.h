// Custom resources: AWS::CloudFormation::CustomResource and Custom::<Name>, backed by a
// Lambda function named by the ServiceToken property. As CloudFormation does, each
// create, update and delete invokes the function asynchronously with a request event
// (RequestType, ResponseURL, StackId, RequestId, ResourceType, LogicalResourceId,
// PhysicalResourceId on update and delete, ResourceProperties, OldResourceProperties on
// update) and then waits for the function to PUT its response object (Status, Reason,
// PhysicalResourceId, Data, NoEcho) to the ResponseURL. The ResponseURL is a presigned
// S3-style URL on sluice's own port, answered by the CloudFormation front end, which
// hands the body to CustomResourceResponses::Deliver. Fn::GetAtt of a custom resource
// reads its response's Data.
//
// Threading: every method is thread-safe. Wait blocks the calling thread (a stack
// engine worker) until the response, the request's deadline or Shutdown.
// Durability: pending requests live in memory only. A stack operation interrupted by a
// restart is resumed by the engine (a create rolls back, a delete runs again), which
// sends new requests with new ResponseURLs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/mutex.h"
#include "stacks/errors.h"
#include "stacks/resources.h"

namespace sluice::stacks {

inline constexpr std::string_view kCustomResourceType = "AWS::CloudFormation::CustomResource";
// CloudFormation's limit on a response object.
inline constexpr size_t kMaxCustomResponseBytes = 4096;
// ServiceTimeout's range and default (seconds), as CloudFormation documents it.
inline constexpr int64_t kMaxServiceTimeoutSeconds = 3600;

// AWS::CloudFormation::CustomResource or Custom::<Name>.
bool IsCustomResourceType(std::string_view type);

// Fn::GetAtt of a custom resource: the key of its response's Data, or CloudFormation's
// "CustomResource attribute error" when the response has none.
StackResult<Json> CustomResourceAttribute(const Json& attributes, const std::string& attribute);
// Whether the response asked for its Data to be masked (NoEcho).
bool CustomResourceNoEcho(const Json& attributes);

// How a request event reaches the function: an Event (asynchronous) invocation of the
// ServiceToken's function. Implemented over the functions module (providers.h); tests
// use a fake. An error's message becomes the resource's failure reason.
class CustomResourceInvoker {
 public:
  virtual ~CustomResourceInvoker() = default;
  virtual StackStatus InvokeAsync(const std::string& function_arn, const std::string& payload) = 0;
};

// How sluice answers a PUT to a ResponseURL (as S3 answers a presigned PUT).
struct ResponseReceipt {
  int http_status = 200;
  std::string error_code;  // S3's <Code> when not 200
  std::string message;
};

struct CustomResponsesOptions {
  Clock* clock = nullptr;  // nullptr: Clock::Real(); deadlines are read from it
  std::string region = "us-east-1";
};

// The ResponseURLs of requests in flight and the responses PUT to them.
class CustomResourceResponses {
 public:
  explicit CustomResourceResponses(CustomResponsesOptions options);
  ~CustomResourceResponses();

  // Where ResponseURLs point (sluice's own base URL, "http://127.0.0.1:4566") and the
  // access key they are presigned with (a configured one when the server verifies
  // signatures, any well-formed one otherwise). Call once the server is bound.
  void SetEndpoint(std::string base_url, std::string access_key_id, std::string secret_access_key);

  // Registers a request whose response object is named `object_key`
  // ("<StackId>|<LogicalResourceId>|<RequestId>", as CloudFormation names it) and
  // must arrive within `timeout_ms`. Returns its ResponseURL.
  std::string Expect(const std::string& object_key, int64_t timeout_ms);

  enum class WaitEnd { kAnswered, kTimedOut, kShutDown };
  struct Waited {
    WaitEnd end = WaitEnd::kTimedOut;
    std::string body;  // kAnswered: the response object as PUT
  };
  // Blocks until the response to `object_key` (Expect'ed before) arrives, its deadline
  // passes on the clock, or Shutdown; then forgets the request.
  Waited Wait(const std::string& object_key);
  // Forgets a request that will not be waited for (its invocation failed).
  void Forget(const std::string& object_key);

  // Whether `path` is a ResponseURL's path ("/cloudformation-custom-resource-response-
  // <region without dashes>/<key>"): the front end claims such PUTs.
  bool IsResponsePath(std::string_view path) const;
  // A PUT of `body` to `path` (its signature already verified where the server
  // verifies). The first response to a pending request is kept; a later one, or one
  // for a request no longer pending, is accepted and ignored, as a PUT to S3 would be.
  ResponseReceipt Deliver(std::string_view path, std::string body);

  // Makes waiters read the clock again (tests that move a ManualClock).
  void Wake();
  // Ends every wait (kShutDown) and every later one at once.
  void Shutdown();

 private:
  struct Pending {
    int64_t deadline_ms = 0;
    std::optional<std::string> body;
  };
  std::string Presign(const std::string& path, int64_t expires_s) const REQUIRES(mu_);

  const CustomResponsesOptions options_;
  Clock& clock_;
  const std::string bucket_;  // cloudformation-custom-resource-response-<region without dashes>
  mutable Mutex mu_;
  CondVar cv_;
  std::string base_url_ GUARDED_BY(mu_) = "http://127.0.0.1:4566";
  std::string key_id_ GUARDED_BY(mu_) = "sluice-local";
  std::string secret_ GUARDED_BY(mu_) = "sluice-local";
  bool shut_down_ GUARDED_BY(mu_) = false;
  std::map<std::string, Pending, std::less<>> pending_ GUARDED_BY(mu_);
};

struct CustomResourceOptions {
  // The wait for a response when the resource sets no ServiceTimeout (CloudFormation:
  // one hour).
  int64_t default_timeout_ms = kMaxServiceTimeoutSeconds * 1000;
};

// The provider of AWS::CloudFormation::CustomResource (ResourceProviders::Find also
// answers Custom::<Name> with it). `responses` must outlive it.
std::unique_ptr<ResourceProvider> NewCustomResourceProvider(std::unique_ptr<CustomResourceInvoker> invoker,
                                                            CustomResourceResponses& responses,
                                                            CustomResourceOptions options = {});

}  // namespace sluice::stacks
