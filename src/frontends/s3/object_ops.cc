// Object operations: PUT, GET/HEAD (ranges, conditions), DELETE, copy; and the body
// preparation (aws-chunked, Content-MD5) shared with multipart uploads.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/base64.h"
#include "awsproto/aws_chunked.h"
#include "internal/ops.h"
#include "base/hash.h"
#include "aws/sigv4.h"
#include "base/xml.h"

namespace sluice::frontends::s3 {

using objects::S3Error;

namespace {

}  // namespace

std::optional<Response> ParseContentMd5(const Call& c, std::optional<Md5Digest>* out) {
  // Present but empty is not absent: S3 answers InvalidDigest for "Content-MD5:".
  const auto& headers = c.req.head.headers;
  const auto found = std::find_if(headers.begin(), headers.end(),
                                  [](const auto& h) { return h.first == "content-md5"; });
  if (found == headers.end()) return std::nullopt;
  const std::string_view md5 = found->second;
  auto want = Base64Decode(md5);
  if (!want || want->size() != 16) {
    return Error(c, S3Error::kInvalidDigest, "The Content-MD5 you specified was invalid.");
  }
  Md5Digest d;
  std::memcpy(d.data(), want->data(), d.size());
  *out = d;
  return std::nullopt;
}

std::optional<Response> CheckDecodedLength(const Call& c, uint64_t decoded) {
  const std::string_view declared = c.req.head.Header("x-amz-decoded-content-length");
  if (!declared.empty() && declared != std::to_string(decoded)) {
    return Error(c, S3Error::kIncompleteBody,
                 "You did not provide the number of bytes specified by the x-amz-decoded-content-length header");
  }
  return std::nullopt;
}

std::optional<Response> PrepareBody(Call& c) {
  const RequestHead& head = c.req.head;
  std::optional<Md5Digest> want;
  if (auto bad = ParseContentMd5(c, &want)) return bad;
  if (IsAwsChunked(head.Header("x-amz-content-sha256"), head.Header("content-encoding"))) {
    awsproto::AwsChunkedError kind{};
    auto decoded = DecodeAwsChunked(c.req.body, head.Header("x-amz-trailer"), &kind);
    if (!decoded.ok()) return AwsChunkedRefusal(c, kind);
    if (auto bad = CheckDecodedLength(c, decoded->data.size())) return bad;
    c.req.body = std::move(decoded->data);
  }
  if (want && Md5(c.req.body) != *want) return Error(c, objects::BadDigest());
  return std::nullopt;
}

Response GetObject(Call& c, bool head_only) {
  const RequestHead& head = c.req.head;
  std::optional<objects::RangeSpec> range;
  if (const auto h = head.Header("range"); !h.empty()) range = ParseRange(h);
  // Conditions are judged on the current object before any data is read.
  auto info = c.store.Head(c.addr.bucket, c.addr.key);
  if (!info.ok()) return Error(c, info.error());
  if (const int cond = EvaluateConditions(head, *info); cond == 412) {
    return Error(c, S3Error::kPreconditionFailed, "At least one of the pre-conditions you specified did not hold");
  } else if (cond == 304) {
    Response r;
    r.status = 304;
    r.headers.emplace_back("etag", Quote(info->etag));
    r.headers.emplace_back("last-modified", HttpDate(info->last_modified_ms));
    return WithId(std::move(r), c);
  }
  Response r;
  objects::ObjectInfo served = *info;
  if (head_only) {
    uint64_t length = info->size;
    if (range) {
      const auto resolved = objects::ResolveRange(*range, info->size);
      if (!resolved) return Error(c, S3Error::kInvalidRange, "The requested range is not satisfiable");
      r.status = 206;
      length = resolved->second - resolved->first + 1;
      r.headers.emplace_back("content-range", fmt::format("bytes {}-{}/{}", resolved->first, resolved->second, info->size));
    }
    // The transport keeps this length for a HEAD answer and sends no body.
    r.headers.emplace_back("content-length", std::to_string(length));
  } else {
    auto got = c.store.GetStreaming(c.addr.bucket, c.addr.key, range);
    if (!got.ok()) {
      if (got.error().code == S3Error::kInvalidRange) {
        Response e = Error(c, got.error());
        e.headers.emplace_back("content-range", fmt::format("bytes */{}", info->size));
        return e;
      }
      return Error(c, got.error());
    }
    served = got->info;
    if (got->range) {
      r.status = 206;
      r.headers.emplace_back("content-range", fmt::format("bytes {}-{}/{}", got->range->first, got->range->second, got->info.size));
    }
    r.body = std::move(got->data);
    r.file = std::move(got->file);
  }
  r.headers.emplace_back("etag", Quote(served.etag));
  r.headers.emplace_back("last-modified", HttpDate(served.last_modified_ms));
  // The checksum given at upload, for the whole object only, when asked for.
  if (const auto mode = head.Header("x-amz-checksum-mode");
      r.status == 200 && !served.checksum.algorithm.empty() && (mode == "ENABLED" || mode == "enabled")) {
    if (const auto alg = objects::ParseChecksumAlgorithm(served.checksum.algorithm)) {
      r.headers.emplace_back(objects::ChecksumHeader(*alg), served.checksum.value);
      r.headers.emplace_back("x-amz-checksum-type",
                             served.checksum.type.empty() ? "FULL_OBJECT" : served.checksum.type);
    }
  }
  r.headers.emplace_back("accept-ranges", "bytes");
  MetaToHeaders(served.meta, r.headers);
  // response-* query parameters override the stored headers (presigned downloads).
  for (const auto& [q, h] : {std::pair{"response-content-type", "content-type"},
                             std::pair{"response-content-disposition", "content-disposition"},
                             std::pair{"response-cache-control", "cache-control"},
                             std::pair{"response-content-encoding", "content-encoding"}}) {
    if (!c.Has(q)) continue;
    std::erase_if(r.headers, [&](const auto& kv) { return kv.first == h; });
    r.headers.emplace_back(h, c.Q(q));
  }
  return WithId(std::move(r), c);
}

Response DeleteObject(Call& c) {
  if (auto st = c.store.Delete(c.addr.bucket, c.addr.key); !st.ok()) return Error(c, st.error());
  Response r;
  r.status = 204;
  return WithId(std::move(r), c);
}

std::variant<CopySource, Response> ResolveCopySource(const Call& c) {
  std::string_view source = c.req.head.Header("x-amz-copy-source");
  if (const size_t q = source.find('?'); q != std::string_view::npos) source = source.substr(0, q);
  const std::string decoded = aws::UriDecode(source);
  std::string_view src = decoded;
  if (src.starts_with("/")) src.remove_prefix(1);
  const size_t slash = src.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == src.size()) {
    return Error(c, S3Error::kInvalidArgument, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
  }
  CopySource out{std::string(src.substr(0, slash)), std::string(src.substr(slash + 1)), {}};
  // x-amz-copy-source-if-* conditions apply to the source.
  auto info = c.store.Head(out.bucket, out.key);
  if (!info.ok()) return Error(c, info.error());
  RequestHead cond;
  for (const auto& [name, value] : c.req.head.headers) {
    if (name.starts_with("x-amz-copy-source-if-")) cond.headers.emplace_back("if-" + name.substr(21), value);
  }
  if (EvaluateConditions(cond, *info) != 0) {
    return Error(c, S3Error::kPreconditionFailed, "At least one of the pre-conditions you specified did not hold");
  }
  out.info = *std::move(info);
  return out;
}

Response GetObjectTagging(Call& c) {
  auto info = c.store.Head(c.addr.bucket, c.addr.key);
  if (!info.ok()) return Error(c, info.error());
  return WithId(Xml(200, R"(<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet></TagSet></Tagging>)"), c);
}

std::optional<Response> RefuseTags(const Call& c) {
  if (c.req.head.Header("x-amz-tagging").empty()) return std::nullopt;
  return Error(c, S3Error::kNotImplemented, "Object tags (x-amz-tagging) are not stored by sluice");
}

Response CopyObject(Call& c) {
  auto resolved = ResolveCopySource(c);
  if (auto* answer = std::get_if<Response>(&resolved)) return std::move(*answer);
  const CopySource& src = std::get<CopySource>(resolved);
  const bool replace = c.req.head.Header("x-amz-metadata-directive") == "REPLACE";
  if (src.bucket == c.addr.bucket && src.key == c.addr.key && !replace) {
    return Error(c, S3Error::kInvalidRequest,
                 "This copy request is illegal because it is trying to copy an object to itself "
                 "without changing the object's metadata, storage class, website redirect location "
                 "or encryption attributes.");
  }
  std::optional<objects::ObjectMeta> meta;
  if (replace) meta = MetaFromHeaders(c.req.head);
  auto info = c.store.Copy(src.bucket, src.key, c.addr.bucket, c.addr.key, meta);
  if (!info.ok()) return Error(c, info.error());
  std::string body = "<CopyObjectResult>";
  XmlElement(body, "LastModified", Iso8601Millis(info->last_modified_ms));
  XmlElement(body, "ETag", Quote(info->etag));
  body += "</CopyObjectResult>";
  return WithId(Xml(200, std::move(body)), c);
}

}  // namespace sluice::frontends::s3
