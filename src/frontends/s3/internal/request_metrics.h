// Internal to the S3 front end: S3's request metrics (namespace AWS/S3, dimensions
// BucketName and FilterId=EntireBucket), as CloudWatch names them: AllRequests,
// GetRequests, PutRequests, HeadRequests, DeleteRequests, ListRequests, PostRequests,
// BytesDownloaded, BytesUploaded, 4xxErrors, 5xxErrors (1 or 0 per request, so the
// average is the error rate), FirstByteLatency and TotalRequestLatency.
//
// Latencies are measured inside the server: FirstByteLatency from the complete request
// (for an upload, its last body byte) to the answer being handed to the transport;
// TotalRequestLatency from the moment the service first saw the request (its head, for
// a streamed upload) to the same point. Neither includes the time the transport then
// spends sending the answer.
//
// Thread-safe. Requests that name no bucket (ListBuckets) or a bucket that does not
// exist report nothing, as in AWS (and so random bucket names cannot grow the series
// without bound).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "base/mutex.h"
#include "http/types.h"
#include "metrics/metrics.h"
#include "objects/object_store.h"

namespace sluice::frontends::s3 {

enum class RequestKind { kGet, kPut, kHead, kDelete, kList, kPost, kOther };

struct ClassifiedRequest {
  std::string bucket;  // empty: not a request to a bucket
  RequestKind kind = RequestKind::kOther;
};
ClassifiedRequest ClassifyRequest(const http::RequestHead& head);

class RequestMetrics {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  RequestMetrics(metrics::Registry& registry, objects::ObjectStore& store);
  ~RequestMetrics();

  // Reports one answered request.
  void Report(const ClassifiedRequest& request, TimePoint seen, TimePoint complete, uint64_t bytes_in,
              const http::Response& response);
  // `done`, reporting the answer first.
  http::Responder Wrap(ClassifiedRequest request, TimePoint seen, TimePoint complete, uint64_t bytes_in,
                       http::Responder done);
  // A sink that passes everything to `inner` and reports the answer (or the refusal).
  std::shared_ptr<http::BodySink> Wrap(ClassifiedRequest request, std::shared_ptr<http::BodySink> inner);

 private:
  struct Bucket;
  // The bucket's handles; null if it has none yet and does not exist.
  Bucket* For(const std::string& bucket);

  metrics::Registry& registry_;
  objects::ObjectStore& store_;
  Mutex mu_;
  std::map<std::string, std::unique_ptr<Bucket>> buckets_ GUARDED_BY(mu_);
};

}  // namespace sluice::frontends::s3
