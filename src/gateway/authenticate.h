// SigV4 authentication at the front door: every request a service would get is
// verified here first, before any service parses its body (awsproto/sigv4_verify.h).
// A buffered request is verified whole; a streamed upload is verified from its head,
// and its body (x-amz-content-sha256, chunk and trailer signatures) as it streams,
// by a BodySink wrapped around the service's: a body that fails is never finished
// (the service's sink is aborted, so nothing is stored) and is answered with the
// service's authentication error.
#pragma once

#include <memory>
#include <optional>

#include "awsproto/service.h"
#include "awsproto/sigv4_verify.h"
#include "http/types.h"

namespace sluice::gateway {

// The answer refusing a buffered `request` for `service`, or nullopt when it is
// authentic (or the verifier does not enforce).
std::optional<http::Response> Authenticate(const awsproto::SigV4Verifier& verifier,
                                           const awsproto::Service& service, const http::Request& request);

// `inner`, the service's sink for a streamed body, wrapped so the body is checked as
// it arrives; or a sink that refuses the request when its head fails already.
std::shared_ptr<http::BodySink> AuthenticatedSink(const awsproto::SigV4Verifier& verifier,
                                                  const awsproto::Service& service, const http::RequestHead& head,
                                                  std::shared_ptr<http::BodySink> inner);

}  // namespace sluice::gateway
