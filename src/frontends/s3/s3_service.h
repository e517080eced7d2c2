// The S3 REST API (path-style and virtual-host addressing, REST-XML bodies) over an
// ObjectStore, signed for service "s3". The gateway's catch-all: it gets every request
// that is neither the health check nor claimed by another service.
//
// Threading: Handle() queues the request to a small pool of worker threads owned by
// the service, because object operations block on disk (fsync) and must not stall the
// server's I/O threads; object uploads stream their bodies to the same pool
// (StreamBody). The store must outlive the service; the destructor finishes queued
// work before it returns.
// Authentication: the gateway verifies SigV4 before a request reaches the service
// (S3's rules: the wire path as signed, 15 minutes of clock skew, x-amz-content-sha256);
// AuthFailed words a failure as S3 does.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "awsproto/service.h"
#include "http/types.h"
#include "base/work_pool.h"
#include "metrics/metrics.h"
#include "objects/object_store.h"

namespace sluice::frontends::s3 {

// S3's own limit for one PUT; larger objects go through multipart upload. Uploads
// stream to disk as they arrive, so --max-body-bytes (a bound on buffered bodies)
// does not apply to them.
inline constexpr uint64_t kS3MaxPutBytes = 5ull << 30;
// Bodies of requests that carry no object data (XML for Complete and DeleteObjects).
inline constexpr uint64_t kS3MaxXmlBodyBytes = 8ull << 20;

class RequestMetrics;

class S3Service final : public awsproto::Service {
 public:
  // Request metrics (AWS/S3, per bucket) go to `metrics`, which must outlive the service.
  S3Service(objects::ObjectStore& store, int workers,
            metrics::Registry& metrics = metrics::NullRegistry());
  ~S3Service() override;

  std::string_view Name() const override { return "s3"; }
  std::span<const std::string_view> SigningNames() const override;
  std::span<const std::string_view> TargetPrefixes() const override;
  // S3 claims nothing by shape: it is the gateway's catch-all, asked last.
  bool ClaimsShape(const http::RequestHead& head) const override;
  // Object uploads get S3's 5 GiB; everything else the XML body limit.
  uint64_t BodyLimit(const http::RequestHead& head) const override;
  // S3's EntityTooLarge answer.
  http::Response BodyTooLarge(const http::RequestHead& head, uint64_t limit) const override;
  http::Response Overloaded(const http::RequestHead& head) const override;
  awsproto::SigV4Rules AuthRules() const override;
  http::Response AuthFailed(const http::RequestHead& head, const awsproto::AuthFailure& failure) const override;
  void Handle(http::Request request, http::Responder done) override;
  // A sink for the body of an object upload (PutObject, UploadPart); null for every
  // other request, whose (small) body is buffered and given to Handle.
  std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead& head) override;
  // Finishes every queued job (uploads' syncs and answers) and stops the workers.
  // Nothing may be handed to the service afterwards.
  void Quiesce() override { pool_.reset(); }

 private:
  objects::ObjectStore& store_;
  const std::unique_ptr<RequestMetrics> metrics_;
  std::unique_ptr<WorkPool> pool_;
};

}  // namespace sluice::frontends::s3
