// Internal to the S3 front end: one request being served, and the operations split by
// resource (buckets, objects, multipart uploads) across *_ops.cc.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "awsproto/aws_chunked.h"
#include "http/types.h"
#include "internal/request.h"
#include "objects/checksum.h"
#include "objects/object_store.h"

namespace sluice::frontends::s3 {

using awsproto::AwsChunkedDecoder;
using awsproto::DecodeAwsChunked;
using awsproto::IsAwsChunked;

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

// A Call that owns its request (head only): for work that outlives the transport's
// call, such as an upload whose body is still arriving.
struct CallState {
  CallState(RequestHead head, objects::ObjectStore& store, std::string request_id)
      : request{std::move(head), {}},
        call{request, store, ParseS3Address(request.head), ParseQuery(request.head.Query()),
             std::move(request_id)} {}
  Request request;
  Call call;  // refers to `request`
};

// S3 error XML (no body for HEAD), with x-amz-request-id. An internal error (500, or a
// 503 of our own) never shows its detail, which names server paths and errno text: the
// detail is logged with the request id and the client reads S3's generic message.
Response Error(const Call& c, objects::S3Error code, std::string_view message);
Response Error(const Call& c, const objects::ObjectError& e);
// The message a client may read for an error (see Error); logs an internal one.
std::string ClientMessage(const Call& c, objects::S3Error code, std::string_view detail, int sys_errno);
Response ErrorFor(const RequestHead& head, std::string_view resource, std::string_view request_id,
                  objects::S3Error code, std::string_view message);
Response Xml(int status, std::string body);
// `r` with the request's x-amz-request-id header.
Response WithId(Response r, const Call& c);
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
Response GetObject(Call& c, bool head_only);
Response DeleteObject(Call& c);
Response CopyObject(Call& c);
// The object's tag set: always empty, since sluice stores no tags.
Response GetObjectTagging(Call& c);
// NotImplemented for a request that sets tags (x-amz-tagging), which would otherwise
// be dropped.
std::optional<Response> RefuseTags(const Call& c);
// The source an x-amz-copy-source header names, after its x-amz-copy-source-if-*
// conditions held.
struct CopySource {
  std::string bucket;
  std::string key;
  objects::ObjectInfo info;
};
std::variant<CopySource, Response> ResolveCopySource(const Call& c);
// Multipart uploads.
// <ChecksumSHA256>value</ChecksumSHA256> (S3's element for the algorithm), and
// <ChecksumType> when asked; nothing without a checksum.
void ChecksumElements(std::string& body, const objects::ObjectChecksum& sum, bool with_type);
Response CreateMultipartUpload(Call& c);
Response UploadPartCopy(Call& c);
Response CompleteMultipartUpload(Call& c);
Response AbortMultipartUpload(Call& c);
Response ListParts(Call& c);
Response ListMultipartUploads(Call& c);

// An object upload, PutObject or UploadPart, fed its body in pieces as they arrive
// (aws-chunked framing decoded on the way) and written through the store's
// UploadWriter, so the body is hashed and written while it is still arriving. After a
// failure the rest of the body is discarded and Finish answers that failure; an
// Upload destroyed before Finish leaves nothing behind.
class Upload {
 public:
  static bool IsPart(const Call& c) { return c.Has("uploadId") || c.Has("partNumber"); }
  // Checks the head (part number, Content-MD5) and opens the writer, which checks the
  // bucket, key or upload; the error answer when any of that fails.
  // A copy (UploadPartCopy) has no body: its request's body headers (Content-MD5,
  // aws-chunked, checksums) say nothing about the copied bytes and are not applied.
  enum class Source { kBody, kCopy };
  static std::variant<Upload, Response> Begin(Call& c, Source source = Source::kBody);
  void Feed(const Call& c, std::string_view piece);
  // Checks the framing, the declared decoded length and Content-MD5, then commits:
  // the part or object written, or the error answer.
  std::variant<objects::ObjectInfo, Response> Commit(const Call& c);
  // Commit, answered as PutObject and UploadPart answer (the ETag header).
  Response Finish(const Call& c);
  // Begin, one Feed of the whole (buffered) body, Finish.
  static Response Whole(Call& c);

 private:
  // The flexible checksum asked for: a value header, a trailer, or the SDK's algorithm
  // alone (computed and answered, nothing to compare). InvalidRequest when malformed.
  std::optional<Response> BeginChecksum(const Call& c);
  // BadDigest (or InvalidRequest for a missing trailer) when the body does not match.
  std::optional<Response> ChecksumMismatch(const Call& c);
  // A part of an upload created with a checksum: refuses another algorithm, or none
  // for a COMPOSITE upload (InvalidRequest); computes it for a FULL_OBJECT upload
  // whose request sent none and for a copied part.
  std::optional<Response> RequireChecksum(const Call& c, bool copy);

  std::unique_ptr<objects::UploadWriter> writer_;
  std::optional<AwsChunkedDecoder> chunked_;
  std::optional<objects::ChecksumStream> checksum_;
  std::string checksum_expected_;  // base64 from the header; empty: from the trailer
  std::string checksum_trailer_;   // x-amz-trailer's name, when the value comes there
  std::string checksum_value_;     // computed, base64, once committed
  bool checksum_verify_ = true;    // false: computed only, nothing was sent to compare
  std::optional<Md5Digest> md5_;
  std::optional<Response> failed_;
  std::string decoded_;  // scratch for one piece's decoded bytes
};

// Request body helpers shared by uploads and the XML requests.
// nullopt and `*out` set (or left empty without the header), or InvalidDigest.
std::optional<Response> ParseContentMd5(const Call& c, std::optional<Md5Digest>* out);
// IncompleteBody when x-amz-decoded-content-length is present and differs.
std::optional<Response> CheckDecodedLength(const Call& c, uint64_t decoded);
// S3's answer to an aws-chunked body the decoder refused: IncompleteBody for broken
// framing (or bytes after the end), MalformedTrailerError for a trailer x-amz-trailer
// did not declare.
Response AwsChunkedRefusal(const Call& c, awsproto::AwsChunkedError kind);

// Decodes an aws-chunked body in place and checks Content-MD5; an error response when
// either fails.
std::optional<Response> PrepareBody(Call& c);
// A decimal of at most 9 digits (part numbers, markers).

}  // namespace sluice::frontends::s3
