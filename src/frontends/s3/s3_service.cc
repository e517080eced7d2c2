#include "frontends/s3/s3_service.h"

#include <chrono>

#include <fmt/format.h>

#include "awsproto/request_id.h"
#include "internal/ops.h"
#include "internal/request_metrics.h"
#include "internal/upload_sink.h"

namespace sluice::frontends::s3 {

using objects::S3Error;

namespace {

constexpr std::string_view kSigningNames[] = {"s3"};

Response Serve(Request& request, objects::ObjectStore& store);

bool IsObjectUpload(const RequestHead& head) {
  return head.method == "PUT" && head.Header("x-amz-copy-source").empty();
}


// Sub-resources of buckets and objects that sluice does not implement: answering
// NotImplemented is clearer than treating them as a plain GET or PUT.
constexpr std::string_view kUnsupported[] = {
    "acl", "policy", "cors", "lifecycle", "tagging", "website", "logging", "notification",
    "replication", "encryption", "object-lock", "retention", "legal-hold", "torrent",
    "accelerate", "requestPayment", "analytics", "metrics", "inventory", "intelligent-tiering",
    "ownershipControls", "publicAccessBlock", "policyStatus", "restore", "select", "attributes",
    "versions", "versionId"};

}  // namespace

S3Service::S3Service(objects::ObjectStore& store, int workers, metrics::Registry& metrics)
    : store_(store), metrics_(std::make_unique<RequestMetrics>(metrics, store)), pool_(std::make_unique<WorkPool>(workers, "s3")) {}

S3Service::~S3Service() = default;

std::span<const std::string_view> S3Service::SigningNames() const { return kSigningNames; }
std::span<const std::string_view> S3Service::TargetPrefixes() const { return {}; }
bool S3Service::ClaimsShape(const RequestHead&) const { return false; }

uint64_t S3Service::BodyLimit(const RequestHead& head) const {
  return IsObjectUpload(head) ? kS3MaxPutBytes : kS3MaxXmlBodyBytes;
}

Response S3Service::Overloaded(const RequestHead& head) const {
  return s3::ErrorFor(head, head.Path(), awsproto::NewS3RequestId(), S3Error::kSlowDown,
                      "Please reduce your request rate.");
}

Response S3Service::BodyTooLarge(const RequestHead& head, uint64_t limit) const {
  return s3::ErrorFor(
      head, head.Path(), awsproto::NewS3RequestId(), S3Error::kEntityTooLarge,
      fmt::format("Your proposed upload exceeds the maximum allowed size of {} bytes for one "
                  "request; use a multipart upload",
                  limit));
}

void S3Service::Handle(Request request, Responder done) {
  const auto now = std::chrono::steady_clock::now();
  done = metrics_->Wrap(ClassifyRequest(request.head), now, now, request.body.size(), std::move(done));
  pool_->Post([this, req = std::make_shared<Request>(std::move(request)), done = std::move(done)] {
    done(Serve(*req, store_));
  });
}

namespace {

std::optional<std::string_view> UnsupportedSubresource(const s3::Call& c) {
  for (std::string_view sub : kUnsupported) {
    if (c.Has(std::string(sub))) return sub;
  }
  return std::nullopt;
}

// PutObject or UploadPart: a PUT of an object's bytes (not a copy, not a sub-resource).
bool IsUpload(const s3::Call& c) {
  return IsObjectUpload(c.req.head) && !c.addr.bucket.empty() && !c.addr.key.empty() &&
         !UnsupportedSubresource(c);
}

}  // namespace

std::shared_ptr<BodySink> S3Service::StreamBody(const RequestHead& head) {
  // Asked for every request: decide on the method before parsing anything.
  if (!IsObjectUpload(head)) return nullptr;
  auto call = std::make_unique<s3::CallState>(RequestHead(head), store_, awsproto::NewS3RequestId());
  if (!IsUpload(call->call)) return nullptr;
  return metrics_->Wrap(ClassifyRequest(head), std::make_shared<S3UploadSink>(*pool_, std::move(call)));
}

namespace {

Response Serve(Request& request, objects::ObjectStore& store) {
  s3::Call c{request, store, ParseS3Address(request.head), ParseQuery(request.head.Query()),
             awsproto::NewS3RequestId()};
  const std::string& m = request.head.method;
  // Tags are not stored: an object's tag set is empty, and a request that sets tags
  // is refused rather than having them dropped.
  if (c.Has("tagging") && m == "GET" && !c.addr.key.empty()) return s3::GetObjectTagging(c);
  if (auto refused = s3::RefuseTags(c)) return std::move(*refused);
  if (const auto sub = UnsupportedSubresource(c)) {
    return s3::Error(c, S3Error::kNotImplemented,
                     fmt::format("The '{}' sub-resource is not implemented by sluice", *sub));
  }
  const auto not_allowed = [&] {
    return s3::Error(c, S3Error::kMethodNotAllowed,
                     "The specified method is not allowed against this resource.");
  };
  if (c.addr.bucket.empty()) {
    if (m == "GET") return s3::ListBuckets(c);
    return not_allowed();
  }
  if (c.addr.key.empty()) {
    if (m == "PUT") return s3::CreateBucket(c);
    if (m == "DELETE") return s3::DeleteBucket(c);
    if (m == "HEAD") return s3::HeadBucket(c);
    if (m == "POST" && c.Has("delete")) return s3::DeleteObjects(c);
    if (m == "GET") {
      if (c.Has("uploads")) return s3::ListMultipartUploads(c);
      if (c.Has("location")) return s3::GetBucketLocation(c);
      return s3::ListObjects(c, c.Q("list-type") == "2");
    }
    return not_allowed();
  }
  if (m == "PUT") {
    if (c.Has("uploadId") || c.Has("partNumber")) {
      if (!request.head.Header("x-amz-copy-source").empty()) return s3::UploadPartCopy(c);
      return s3::Upload::Whole(c);
    }
    if (!request.head.Header("x-amz-copy-source").empty()) return s3::CopyObject(c);
    return s3::Upload::Whole(c);
  }
  if (m == "GET") return c.Has("uploadId") ? s3::ListParts(c) : s3::GetObject(c, false);
  if (m == "HEAD") return s3::GetObject(c, true);
  if (m == "DELETE") return c.Has("uploadId") ? s3::AbortMultipartUpload(c) : s3::DeleteObject(c);
  if (m == "POST") {
    if (c.Has("uploads")) return s3::CreateMultipartUpload(c);
    if (c.Has("uploadId")) return s3::CompleteMultipartUpload(c);
  }
  return not_allowed();
}

}  // namespace

}  // namespace sluice::frontends::s3
