// The event-source mapping routes: the decoding and encoding live in mapping_routes.cc
// (transport-neutral, unit-tested there); this turns its answer into a response.
#include "frontends/lambda/mapping_routes.h"
#include "internal/ops.h"

namespace sluice::frontends::lambda {

void EventSourceMapping(LambdaBackends& b, Call& call, http::Responder done) {
  if (b.mappings == nullptr) {
    return done(Error(functions::LambdaError::kService, "event-source mappings are not available in this server"));
  }
  const http::RequestHead& head = call.request.head;
  MappingAnswer a = HandleMappingRequest(*b.mappings, head.method, head.Path(), head.Query(), call.request.body);
  http::Response r = awsproto::RestJsonResponse(a.status, std::move(a.body));
  if (!a.error_type.empty()) r.headers.emplace_back("x-amzn-errortype", a.error_type);
  done(std::move(r));
}

}  // namespace sluice::frontends::lambda
