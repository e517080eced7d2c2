// Internal to the S3 handler: one request being served, and the operations split by
// resource (buckets, objects, multipart uploads) across s3_*_ops.cc.
#pragma once

#include <map>
#include <string>

#include "api/http_types.h"
#include "api/s3_request.h"
#include "objects/object_store.h"

namespace sluice::api::s3 {

struct Call {
  Request& req;
  objects::ObjectStore& store;
  S3Address addr;
  std::map<std::string, std::string> query;
  std::string request_id;

  bool Has(const std::string& q) const { return query.count(q) != 0; }
  std::string Q(const std::string& q) const {
    const auto it = query.find(q);
    return it == query.end() ? std::string() : it->second;
  }
};

// S3 error XML (no body for HEAD), with x-amz-request-id.
Response Error(const Call& c, objects::S3Error code, std::string_view message);
Response Error(const Call& c, const objects::ObjectError& e);
Response ErrorFor(const RequestHead& head, std::string_view resource, std::string_view request_id,
                  objects::S3Error code, std::string_view message);
Response Xml(int status, std::string body);
std::string Quote(std::string_view etag);

// Buckets and listings.
Response ListBuckets(Call& c);
Response CreateBucket(Call& c);
Response DeleteBucket(Call& c);
Response HeadBucket(Call& c);
Response GetBucketLocation(Call& c);
Response ListObjects(Call& c, bool v2);
Response DeleteObjects(Call& c);
// Objects.
Response PutObject(Call& c);
Response GetObject(Call& c, bool head_only);
Response DeleteObject(Call& c);
Response CopyObject(Call& c);
// Multipart uploads.
Response CreateMultipartUpload(Call& c);
Response UploadPart(Call& c);
Response CompleteMultipartUpload(Call& c);
Response AbortMultipartUpload(Call& c);
Response ListParts(Call& c);
Response ListMultipartUploads(Call& c);

// Decodes an aws-chunked body in place and checks Content-MD5; an error response when
// either fails.
std::optional<Response> PrepareBody(Call& c);

}  // namespace sluice::api::s3
