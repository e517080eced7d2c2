// Service: one AWS API behind the server port (Kinesis, S3, Firehose, ...). A front end
// implements it; the gateway keeps a registry of them and routes each request to one:
// first by the service named in the request's SigV4 credential scope, then by the
// prefix of its X-Amz-Target, then by asking each service whether the request's shape
// is its own (ClaimsShape), and last to the catch-all service (S3), if one is set.
//
// Threading: every method may be called concurrently from any I/O thread; none may
// block for long (slow work answers later through the Responder).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "awsproto/auth_failure.h"
#include "base/sigv4_core.h"
#include "http/types.h"

namespace sluice::awsproto {

// How a service's SigV4 signatures are computed and judged.
struct SigV4Rules {
  sigv4::PathCanonicalization path = sigv4::PathCanonicalization::kNormalizeAndEncode;
  // Allowed distance between X-Amz-Date and the server's clock (AWS: 5 min; S3: 15).
  int64_t max_skew_ms = 5 * 60 * 1000;
  // S3's payload rules: a header-signed request must carry x-amz-content-sha256; a
  // presigned URL signs UNSIGNED-PAYLOAD.
  bool s3_payload = false;
};

class Service {
 public:
  virtual ~Service() = default;

  // A short name for logs and errors: "kinesis", "s3".
  virtual std::string_view Name() const = 0;
  // The SigV4 signing names that select this service ({"kinesis"}, {"s3"}).
  virtual std::span<const std::string_view> SigningNames() const = 0;
  // X-Amz-Target prefixes, the part before the '.' ({"Kinesis_20131202"}); empty for
  // services that are not AWS JSON.
  virtual std::span<const std::string_view> TargetPrefixes() const = 0;
  // For a request that neither its credential scope nor its target assigns: whether
  // its shape (method, path, content type) makes it this service's.
  virtual bool ClaimsShape(const http::RequestHead& head) const = 0;

  // As http::Handler: the body limit, the request, a streamed body, the answer to an
  // oversized body.
  virtual uint64_t BodyLimit(const http::RequestHead& head) const = 0;
  virtual void Handle(http::Request request, http::Responder done) = 0;
  virtual std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead& head) = 0;
  virtual http::Response BodyTooLarge(const http::RequestHead& head, uint64_t limit) const = 0;
  // The service's retryable 503 for a request refused because the server's
  // request-memory budget is full (Kinesis: ServiceUnavailable; S3: SlowDown).
  virtual http::Response Overloaded(const http::RequestHead& head) const = 0;
  // SigV4 is verified by the gateway before the service sees a request; these say how
  // for this service and how it words a failure. Defaults: AWS's usual rules and the
  // AWS JSON protocol's error (`__type`, 400).
  virtual SigV4Rules AuthRules() const { return {}; }
  // The rules for one request: AuthRules() unless the service serves requests of
  // another family too (CloudFormation answers S3-style presigned PUTs).
  virtual SigV4Rules AuthRulesFor(const http::RequestHead& head) const {
    (void)head;
    return AuthRules();
  }
  virtual http::Response AuthFailed(const http::RequestHead& head, const AuthFailure& failure) const;

  // The most memory Handle may take, beyond the buffered body itself, to parse a body of
  // `body_bytes` (awsproto::ParseMemoryBound for a JSON/CBOR tree). The gateway reserves
  // it from the request-memory budget before Handle runs and answers Overloaded when it
  // does not fit. Default: 0, for a service that keeps no parsed copy of its bodies.
  virtual uint64_t ParseMemory(const http::RequestHead& head, uint64_t body_bytes) const {
    (void)head;
    (void)body_bytes;
    return 0;
  }
  // Finishes the service's queued background work. Called once the server has stopped.
  virtual void Quiesce() = 0;
};

}  // namespace sluice::awsproto
