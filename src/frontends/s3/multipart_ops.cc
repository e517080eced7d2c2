// Multipart upload operations.
#include <algorithm>
#include <cstdlib>
#include <tuple>

#include <fmt/format.h>

#include "internal/ops.h"
#include "objects/xml.h"

namespace sluice::frontends::s3 {

using objects::S3Error;
using objects::XmlElement;

namespace {

}  // namespace

std::optional<int> ParseInt(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoi(s);
}

Response CreateMultipartUpload(Call& c) {
  auto id = c.store.CreateMultipartUpload(c.addr.bucket, c.addr.key, MetaFromHeaders(c.req.head));
  if (!id.ok()) return Error(c, id.error());
  std::string body = R"(<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  XmlElement(body, "Bucket", c.addr.bucket);
  XmlElement(body, "Key", c.addr.key);
  XmlElement(body, "UploadId", *id);
  body += "</InitiateMultipartUploadResult>";
  return WithId(Xml(200, std::move(body)), c);
}

Response CompleteMultipartUpload(Call& c) {
  if (auto bad = PrepareBody(c)) return std::move(*bad);
  const auto doc = objects::ParseXml(c.req.body);
  const auto malformed = [&] {
    return Error(c, S3Error::kMalformedXML,
                 "The XML you provided was not well-formed or did not validate against our published schema");
  };
  if (!doc || doc->name != "CompleteMultipartUpload") return malformed();
  std::vector<objects::CompletedPart> parts;
  for (const objects::XmlNode* p : doc->Children("Part")) {
    const auto n = ParseInt(p->ChildText("PartNumber"));
    if (!n) return malformed();
    parts.push_back({*n, p->ChildText("ETag")});
  }
  auto info = c.store.CompleteMultipartUpload(c.addr.bucket, c.addr.key, c.Q("uploadId"), parts);
  if (!info.ok()) return Error(c, info.error());
  std::string body = R"(<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  XmlElement(body, "Location", "/" + c.addr.bucket + "/" + c.addr.key);
  XmlElement(body, "Bucket", c.addr.bucket);
  XmlElement(body, "Key", c.addr.key);
  XmlElement(body, "ETag", Quote(info->etag));
  body += "</CompleteMultipartUploadResult>";
  return WithId(Xml(200, std::move(body)), c);
}

Response AbortMultipartUpload(Call& c) {
  if (auto st = c.store.AbortMultipartUpload(c.addr.bucket, c.addr.key, c.Q("uploadId")); !st.ok()) {
    return Error(c, st.error());
  }
  Response r;
  r.status = 204;
  return WithId(std::move(r), c);
}

Response ListParts(Call& c) {
  const int marker = c.Has("part-number-marker") ? ParseInt(c.Q("part-number-marker")).value_or(0) : 0;
  const int max_parts = std::min(c.Has("max-parts") ? ParseInt(c.Q("max-parts")).value_or(1000) : 1000, 1000);
  // One more than asked tells whether the list is truncated.
  auto parts = c.store.ListParts(c.addr.bucket, c.addr.key, c.Q("uploadId"), marker, max_parts + 1);
  if (!parts.ok()) return Error(c, parts.error());
  const bool truncated = static_cast<int>(parts->size()) > max_parts;
  if (truncated) parts->resize(static_cast<size_t>(max_parts));
  std::string body = R"(<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  XmlElement(body, "Bucket", c.addr.bucket);
  XmlElement(body, "Key", c.addr.key);
  XmlElement(body, "UploadId", c.Q("uploadId"));
  XmlElement(body, "PartNumberMarker", std::to_string(marker));
  XmlElement(body, "NextPartNumberMarker", std::to_string(parts->empty() ? marker : parts->back().number));
  XmlElement(body, "MaxParts", std::to_string(max_parts));
  XmlElement(body, "IsTruncated", truncated ? "true" : "false");
  body += "<StorageClass>STANDARD</StorageClass>";
  for (const auto& p : *parts) {
    body += "<Part>";
    XmlElement(body, "PartNumber", std::to_string(p.number));
    XmlElement(body, "LastModified", IsoDate(p.last_modified_ms));
    XmlElement(body, "ETag", Quote(p.etag));
    XmlElement(body, "Size", std::to_string(p.size));
    body += "</Part>";
  }
  body += "</ListPartsResult>";
  return WithId(Xml(200, std::move(body)), c);
}

Response ListMultipartUploads(Call& c) {
  // Paging as S3 does it: at most max-uploads (default and ceiling 1000) in (key, upload
  // id) order after key-marker / upload-id-marker, with the next markers when truncated.
  int64_t max_uploads = 1000;
  if (c.Has("max-uploads")) {
    const std::string v(c.Q("max-uploads"));
    char* end = nullptr;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 0 || n > 2147483647) {
      return Error(c, S3Error::kInvalidArgument, "Provided max-uploads not an integer or within integer range");
    }
    max_uploads = std::min<int64_t>(n, 1000);
  }
  const std::string key_marker(c.Q("key-marker"));
  const std::string id_marker(c.Q("upload-id-marker"));
  auto uploads = c.store.ListMultipartUploads(c.addr.bucket, c.Q("prefix"));
  if (!uploads.ok()) return Error(c, uploads.error());
  std::sort(uploads->begin(), uploads->end(), [](const auto& a, const auto& b) {
    return std::tie(a.key, a.upload_id) < std::tie(b.key, b.upload_id);
  });
  // With a delimiter, keys with the delimiter after the prefix fold into one common
  // prefix each, which counts once toward max-uploads; a key marker equal to a common
  // prefix (a page that ended on it) skips the uploads folded into it.
  const std::string prefix(c.Q("prefix")), delimiter(c.Q("delimiter"));
  std::vector<const objects::UploadInfo*> page;
  std::vector<std::string> common;
  bool truncated = false;
  std::string next_key, next_id;
  for (const auto& u : *uploads) {
    std::string folded;
    if (!delimiter.empty()) {
      const size_t at = u.key.find(delimiter, prefix.size());
      if (at != std::string::npos) folded = u.key.substr(0, at + delimiter.size());
    }
    if (!folded.empty()) {
      if ((!key_marker.empty() && folded <= key_marker) || (!common.empty() && common.back() == folded)) continue;
    } else {
      const bool after = key_marker.empty() || u.key > key_marker ||
                         (!id_marker.empty() && u.key == key_marker && u.upload_id > id_marker);
      if (!after) continue;
    }
    if (static_cast<int64_t>(page.size() + common.size()) == max_uploads) {
      truncated = true;
      break;
    }
    if (!folded.empty()) {
      common.push_back(folded);
      next_key = folded;
      next_id.clear();
    } else {
      page.push_back(&u);
      next_key = u.key;
      next_id = u.upload_id;
    }
  }
  std::string body = R"(<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  XmlElement(body, "Bucket", c.addr.bucket);
  XmlElement(body, "KeyMarker", key_marker);
  XmlElement(body, "UploadIdMarker", id_marker);
  if (truncated) {
    XmlElement(body, "NextKeyMarker", next_key);
    XmlElement(body, "NextUploadIdMarker", next_id);
  }
  XmlElement(body, "Prefix", prefix);
  if (!delimiter.empty()) XmlElement(body, "Delimiter", delimiter);
  XmlElement(body, "MaxUploads", std::to_string(max_uploads));
  XmlElement(body, "IsTruncated", truncated ? "true" : "false");
  for (const auto* u : page) {
    body += "<Upload>";
    XmlElement(body, "Key", u->key);
    XmlElement(body, "UploadId", u->upload_id);
    XmlElement(body, "Initiated", IsoDate(u->initiated_ms));
    body += "<StorageClass>STANDARD</StorageClass></Upload>";
  }
  for (const std::string& p : common) {
    body += "<CommonPrefixes>";
    XmlElement(body, "Prefix", p);
    body += "</CommonPrefixes>";
  }
  body += "</ListMultipartUploadsResult>";
  return WithId(Xml(200, std::move(body)), c);
}

}  // namespace sluice::frontends::s3
