// Bucket operations and listings.
#include <fmt/format.h>

#include "base/clock.h"
#include "base/base64.h"
#include "internal/ops.h"
#include "base/hash.h"
#include "aws/sigv4.h"
#include "base/xml.h"

namespace sluice::frontends::s3 {

using objects::S3Error;

namespace {

constexpr std::string_view kNs = R"( xmlns="http://s3.amazonaws.com/doc/2006-03-01/")";

Response Empty(const Call& c, int status) {
  Response r;
  r.status = status;
  return WithId(std::move(r), c);
}

std::optional<int> ParseMaxKeys(const Call& c, const std::string& name) {
  if (!c.Has(name)) return objects::kMaxListKeys;
  const auto n = ParseS3Integer(c.Q(name));
  if (!n) return std::nullopt;
  return std::min(*n, objects::kMaxListKeys);
}

}  // namespace

Response ListBuckets(Call& c) {
  auto buckets = c.store.ListBuckets();
  if (!buckets.ok()) return Error(c, buckets.error());
  std::string body = fmt::format("<ListAllMyBucketsResult{}><Owner><ID>sluice</ID><DisplayName>sluice"
                                 "</DisplayName></Owner><Buckets>",
                                 kNs);
  for (const auto& b : *buckets) {
    body += "<Bucket>";
    XmlElement(body, "Name", b.name);
    XmlElement(body, "CreationDate", Iso8601Millis(b.created_ms));
    body += "</Bucket>";
  }
  body += "</Buckets></ListAllMyBucketsResult>";
  return WithId(Xml(200, std::move(body)), c);
}

Response CreateBucket(Call& c) {
  if (auto st = c.store.CreateBucket(c.addr.bucket); !st.ok()) return Error(c, st.error());
  Response r = Empty(c, 200);
  r.headers.emplace_back("location", "/" + c.addr.bucket);
  return r;
}

Response DeleteBucket(Call& c) {
  if (auto st = c.store.DeleteBucket(c.addr.bucket); !st.ok()) return Error(c, st.error());
  return Empty(c, 204);
}

Response HeadBucket(Call& c) {
  if (auto st = c.store.HeadBucket(c.addr.bucket); !st.ok()) return Error(c, st.error());
  Response r = Empty(c, 200);
  r.headers.emplace_back("x-amz-bucket-region", "us-east-1");
  return r;
}

Response GetBucketLocation(Call& c) {
  if (auto st = c.store.HeadBucket(c.addr.bucket); !st.ok()) return Error(c, st.error());
  return WithId(Xml(200, fmt::format("<LocationConstraint{}></LocationConstraint>", kNs)), c);
}

Response ListObjects(Call& c, bool v2) {
  const auto max_keys = ParseMaxKeys(c, "max-keys");
  if (!max_keys) return Error(c, S3Error::kInvalidArgument, "Provided max-keys not an integer or within integer range");
  const std::string encoding = c.Q("encoding-type");
  if (!encoding.empty() && encoding != "url") {
    return Error(c, S3Error::kInvalidArgument, "Invalid Encoding Method specified in Request");
  }
  const bool url = encoding == "url";
  auto enc = [url](std::string_view s) { return url ? aws::UriEncode(s, false) : std::string(s); };

  objects::ListRequest lr;
  lr.prefix = c.Q("prefix");
  lr.delimiter = c.Q("delimiter");
  lr.max_keys = *max_keys;
  std::string token;
  if (v2) {
    lr.start_after = c.Q("start-after");
    if (c.Has("continuation-token")) {
      token = c.Q("continuation-token");
      auto decoded = Base64Decode(token);
      if (!decoded) return Error(c, S3Error::kInvalidArgument, "The continuation token provided is incorrect");
      lr.start_after = *decoded;
    }
  } else {
    lr.start_after = c.Q("marker");
  }
  auto res = c.store.List(c.addr.bucket, lr);
  if (!res.ok()) return Error(c, res.error());

  std::string body = fmt::format("<ListBucketResult{}>", kNs);
  XmlElement(body, "Name", c.addr.bucket);
  XmlElement(body, "Prefix", enc(lr.prefix));
  if (v2) {
    XmlElement(body, "KeyCount", std::to_string(res->objects.size() + res->common_prefixes.size()));
    if (!token.empty()) XmlElement(body, "ContinuationToken", token);
    if (res->truncated) XmlElement(body, "NextContinuationToken", Base64Encode(res->last));
    if (c.Has("start-after")) XmlElement(body, "StartAfter", enc(c.Q("start-after")));
  } else {
    XmlElement(body, "Marker", enc(lr.start_after));
    if (res->truncated && !lr.delimiter.empty()) XmlElement(body, "NextMarker", enc(res->last));
  }
  XmlElement(body, "MaxKeys", std::to_string(lr.max_keys));
  if (!lr.delimiter.empty()) XmlElement(body, "Delimiter", enc(lr.delimiter));
  if (url) XmlElement(body, "EncodingType", "url");
  XmlElement(body, "IsTruncated", res->truncated ? "true" : "false");
  for (const auto& o : res->objects) {
    body += "<Contents>";
    XmlElement(body, "Key", enc(o.key));
    XmlElement(body, "LastModified", Iso8601Millis(o.last_modified_ms));
    XmlElement(body, "ETag", Quote(o.etag));
    XmlElement(body, "Size", std::to_string(o.size));
    if (!v2 || c.Q("fetch-owner") == "true") {
      body += "<Owner><ID>sluice</ID><DisplayName>sluice</DisplayName></Owner>";
    }
    body += "<StorageClass>STANDARD</StorageClass></Contents>";
  }
  for (const auto& p : res->common_prefixes) {
    body += "<CommonPrefixes>";
    XmlElement(body, "Prefix", enc(p));
    body += "</CommonPrefixes>";
  }
  body += "</ListBucketResult>";
  return WithId(Xml(200, std::move(body)), c);
}

Response DeleteObjects(Call& c) {
  if (auto bad = PrepareBody(c)) return std::move(*bad);
  if (auto st = c.store.HeadBucket(c.addr.bucket); !st.ok()) return Error(c, st.error());
  const auto doc = ParseXml(c.req.body);
  if (!doc || doc->name != "Delete") {
    return Error(c, S3Error::kMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema");
  }
  const auto objects = doc->Children("Object");
  if (objects.empty() || objects.size() > 1000) {
    return Error(c, S3Error::kMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema");
  }
  const bool quiet = doc->ChildText("Quiet") == "true";
  std::string body = fmt::format("<DeleteResult{}>", kNs);
  for (const XmlNode* o : objects) {
    const std::string key = o->ChildText("Key");
    auto st = key.empty() ? objects::ObjStatus(objects::Err(S3Error::kInvalidArgument, "empty key"))
                          : c.store.Delete(c.addr.bucket, key);
    if (st.ok()) {
      if (quiet) continue;
      body += "<Deleted>";
      XmlElement(body, "Key", key);
      body += "</Deleted>";
    } else {
      body += "<Error>";
      XmlElement(body, "Key", key);
      XmlElement(body, "Code", objects::S3ErrorName(st.error().code));
      XmlElement(body, "Message", ClientMessage(c, st.error().code, st.error().message, st.error().sys_errno));
      body += "</Error>";
    }
  }
  body += "</DeleteResult>";
  return WithId(Xml(200, std::move(body)), c);
}

}  // namespace sluice::frontends::s3
