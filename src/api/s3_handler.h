// The S3 REST API (path-style and virtual-host addressing, REST-XML bodies) over an
// ObjectStore. The router sends it every request that is neither the health check
// nor Kinesis.
//
// Threading: Handle() queues the request to a small pool of worker threads owned by
// the handler, because object operations block on disk (fsync) and must not stall the
// server's I/O threads; object uploads stream their bodies to the same pool
// (StreamBody). The store must outlive the handler; the destructor finishes queued
// work before it returns.
// Authentication: requests are not signature-checked (like the Kinesis API, sluice
// trusts its loopback clients); the Authorization header is ignored.
#pragma once

#include <cstdint>
#include <memory>

#include "api/http_types.h"
#include "base/work_pool.h"
#include "objects/object_store.h"

namespace sluice::api {

// S3's own limit for one PUT; larger objects go through multipart upload. Uploads
// stream to disk as they arrive, so --max-body-bytes (a bound on buffered bodies)
// does not apply to them.
inline constexpr uint64_t kS3MaxPutBytes = 5ull << 30;
// Bodies of requests that carry no object data (XML for Complete and DeleteObjects).
inline constexpr uint64_t kS3MaxXmlBodyBytes = 8ull << 20;

class S3Handler {
 public:
  explicit S3Handler(objects::ObjectStore& store, int workers = 4);
  ~S3Handler();

  // The body limit for a request by its head: object uploads get `max_put_bytes`.
  static uint64_t BodyLimit(const RequestHead& head);
  // S3's EntityTooLarge answer for a request whose body exceeds `limit`.
  static Response EntityTooLarge(const RequestHead& head, uint64_t limit);

  void Handle(Request request, Responder done);
  // A sink for the body of an object upload (PutObject, UploadPart); null for every
  // other request, whose (small) body is buffered and given to Handle.
  std::shared_ptr<BodySink> StreamBody(const RequestHead& head);
  // Finishes every queued job (uploads' syncs and answers) and stops the workers.
  // Nothing may be handed to the handler afterwards.
  void Quiesce() { pool_.reset(); }
  // Synchronous form, for tests: runs on the calling thread.
  Response Serve(Request& request);

 private:
  objects::ObjectStore& store_;
  std::unique_ptr<WorkPool> pool_;
};

}  // namespace sluice::api
