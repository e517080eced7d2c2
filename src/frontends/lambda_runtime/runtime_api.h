// The Lambda Runtime API (2018-06-01) that runtime processes call: served on a
// loopback port of its own, separate from the AWS API port, over the functions
// module's RuntimeBroker. Each process's AWS_LAMBDA_RUNTIME_API is "host:port/TOKEN",
// so its requests arrive as /TOKEN/2018-06-01/runtime/...
//
// Threading: thread-safe; `invocation/next` is a long poll answered when an invocation
// is assigned to the process. Lifetime: the broker must outlive the handler.
#pragma once

#include "awsproto/rest_json.h"
#include "functions/runtime_broker.h"
#include "http/types.h"

namespace sluice::frontends::lambda_runtime {

class RuntimeApiHandler final : public http::Handler {
 public:
  explicit RuntimeApiHandler(functions::RuntimeBroker& broker);

  uint64_t BodyLimit(const http::RequestHead& head) const override;
  void Handle(http::Request request, http::Responder done) override;

 private:
  functions::RuntimeBroker& broker_;
  awsproto::RestRouter router_;
};

}  // namespace sluice::frontends::lambda_runtime
