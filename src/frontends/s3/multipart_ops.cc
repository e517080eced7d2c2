// Multipart upload operations.
#include <algorithm>
#include <cstdlib>
#include <tuple>

#include <fmt/format.h>

#include "base/clock.h"
#include "internal/ops.h"
#include "base/ascii.h"
#include "objects/listing.h"
#include "base/xml.h"

namespace sluice::frontends::s3 {

using objects::S3Error;

namespace {

// x-amz-checksum-algorithm and x-amz-checksum-type of CreateMultipartUpload, checked
// as S3 checks them, the type defaulted as S3 does.
std::variant<objects::ObjectChecksum, Response> UploadChecksumFrom(const Call& c) {
  const std::string_view name = c.req.head.Header("x-amz-checksum-algorithm");
  const std::string_view type_name = c.req.head.Header("x-amz-checksum-type");
  if (name.empty()) {
    if (type_name.empty()) return objects::ObjectChecksum{};
    return Error(c, S3Error::kInvalidRequest,
                 "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
  }
  const auto alg = objects::ParseChecksumAlgorithm(name);
  if (!alg) {
    return Error(c, S3Error::kInvalidRequest,
                 "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
                 "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
  }
  auto type = objects::DefaultChecksumType(*alg);
  if (!type_name.empty()) {
    const auto parsed = objects::ParseChecksumType(type_name);
    if (!parsed) return Error(c, S3Error::kInvalidRequest, "Value for x-amz-checksum-type header is invalid.");
    type = *parsed;
  }
  if (!objects::ChecksumTypeAllowed(*alg, type)) {
    return Error(c, S3Error::kInvalidRequest,
                 fmt::format("The {} checksum type cannot be used with the {} checksum algorithm.",
                             objects::ChecksumTypeName(type), AsciiLower(objects::ChecksumName(*alg))));
  }
  return objects::ObjectChecksum{std::string(objects::ChecksumName(*alg)), {},
                                 std::string(objects::ChecksumTypeName(type))};
}

}  // namespace

void ChecksumElements(std::string& body, const objects::ObjectChecksum& sum, bool with_type) {
  if (sum.algorithm.empty()) return;
  XmlElement(body, "Checksum" + sum.algorithm, sum.value);
  if (with_type) XmlElement(body, "ChecksumType", sum.type.empty() ? "FULL_OBJECT" : sum.type);
}

Response CreateMultipartUpload(Call& c) {
  auto checksum = UploadChecksumFrom(c);
  if (auto* answer = std::get_if<Response>(&checksum)) return std::move(*answer);
  const auto& sum = std::get<objects::ObjectChecksum>(checksum);
  auto id = c.store.CreateMultipartUpload(c.addr.bucket, c.addr.key, MetaFromHeaders(c.req.head), sum);
  if (!id.ok()) return Error(c, id.error());
  std::string body = R"(<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  XmlElement(body, "Bucket", c.addr.bucket);
  XmlElement(body, "Key", c.addr.key);
  XmlElement(body, "UploadId", *id);
  body += "</InitiateMultipartUploadResult>";
  Response r = WithId(Xml(200, std::move(body)), c);
  if (!sum.algorithm.empty()) {
    r.headers.emplace_back("x-amz-checksum-algorithm", sum.algorithm);
    r.headers.emplace_back("x-amz-checksum-type", sum.type);
  }
  return r;
}

Response CompleteMultipartUpload(Call& c) {
  if (auto bad = PrepareBody(c)) return std::move(*bad);
  const auto doc = ParseXml(c.req.body);
  const auto malformed = [&] {
    return Error(c, S3Error::kMalformedXML,
                 "The XML you provided was not well-formed or did not validate against our published schema");
  };
  if (!doc || doc->name != "CompleteMultipartUpload") return malformed();
  std::vector<objects::CompletedPart> parts;
  for (const XmlNode* p : doc->Children("Part")) {
    const auto n = ParseS3Integer(p->ChildText("PartNumber"));
    if (!n) return malformed();
    objects::CompletedPart part{*n, p->ChildText("ETag"), {}};
    for (const auto alg : {objects::ChecksumAlgorithm::kCrc32, objects::ChecksumAlgorithm::kCrc32c,
                           objects::ChecksumAlgorithm::kCrc64Nvme, objects::ChecksumAlgorithm::kSha1,
                           objects::ChecksumAlgorithm::kSha256}) {
      const std::string name(objects::ChecksumName(alg));
      if (const std::string v = p->ChildText("Checksum" + name); !v.empty()) part.checksum = {name, v, {}};
    }
    parts.push_back(std::move(part));
  }
  // The whole object's checksum, when the request states it, is checked by the store.
  objects::ObjectChecksum expect;
  expect.type = std::string(c.req.head.Header("x-amz-checksum-type"));
  for (const auto& [name, value] : c.req.head.headers) {
    if (!name.starts_with("x-amz-checksum-")) continue;
    if (const auto alg = objects::ParseChecksumAlgorithm(std::string_view(name).substr(15))) {
      expect.algorithm = std::string(objects::ChecksumName(*alg));
      expect.value = value;
    }
  }
  auto info = c.store.CompleteMultipartUpload(c.addr.bucket, c.addr.key, c.Q("uploadId"), parts, expect);
  if (!info.ok()) return Error(c, info.error());
  std::string body = R"(<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  XmlElement(body, "Location", "/" + c.addr.bucket + "/" + c.addr.key);
  XmlElement(body, "Bucket", c.addr.bucket);
  XmlElement(body, "Key", c.addr.key);
  XmlElement(body, "ETag", Quote(info->etag));
  ChecksumElements(body, info->checksum, true);
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
  const int marker = c.Has("part-number-marker") ? ParseS3Integer(c.Q("part-number-marker")).value_or(0) : 0;
  const int max_parts = std::min(c.Has("max-parts") ? ParseS3Integer(c.Q("max-parts")).value_or(1000) : 1000, 1000);
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
    XmlElement(body, "LastModified", Iso8601Millis(p.last_modified_ms));
    XmlElement(body, "ETag", Quote(p.etag));
    XmlElement(body, "Size", std::to_string(p.size));
    ChecksumElements(body, p.checksum, false);
    body += "</Part>";
  }
  body += "</ListPartsResult>";
  return WithId(Xml(200, std::move(body)), c);
}

namespace {

// One page of ListMultipartUploads: uploads in (key, upload id) order after the
// markers; with a delimiter, keys fold into common prefixes that count once each
// toward max-uploads, and a key marker equal to a common prefix (a page that ended on
// it) skips the uploads folded into it.
struct UploadPage {
  std::vector<const objects::UploadInfo*> uploads;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key, next_id;
};

UploadPage SelectUploads(const std::vector<objects::UploadInfo>& sorted, const std::string& prefix,
                         const std::string& delimiter, const std::string& key_marker,
                         const std::string& id_marker, int max_uploads) {
  UploadPage page;
  for (const auto& u : sorted) {
    const std::string folded = objects::CommonPrefixOf(u.key, prefix, delimiter);
    if (!folded.empty()) {
      if ((!key_marker.empty() && folded <= key_marker) ||
          (!page.common_prefixes.empty() && page.common_prefixes.back() == folded)) {
        continue;
      }
    } else {
      const bool after = key_marker.empty() || u.key > key_marker ||
                         (!id_marker.empty() && u.key == key_marker && u.upload_id > id_marker);
      if (!after) continue;
    }
    if (static_cast<int>(page.uploads.size() + page.common_prefixes.size()) == max_uploads) {
      page.truncated = true;
      break;
    }
    if (!folded.empty()) {
      page.common_prefixes.push_back(folded);
      page.next_key = folded;
      page.next_id.clear();
    } else {
      page.uploads.push_back(&u);
      page.next_key = u.key;
      page.next_id = u.upload_id;
    }
  }
  return page;
}

}  // namespace

Response ListMultipartUploads(Call& c) {
  // Paging as S3 does it: at most max-uploads (default and ceiling 1000), with the next
  // markers when truncated.
  int max_uploads = 1000;
  if (c.Has("max-uploads")) {
    const auto n = ParseS3Integer(c.Q("max-uploads"));
    if (!n) return Error(c, S3Error::kInvalidArgument, "Provided max-uploads not an integer or within integer range");
    max_uploads = std::min(*n, 1000);
  }
  const std::string key_marker(c.Q("key-marker"));
  const std::string id_marker(c.Q("upload-id-marker"));
  const std::string prefix(c.Q("prefix")), delimiter(c.Q("delimiter"));
  auto uploads = c.store.ListMultipartUploads(c.addr.bucket, prefix);
  if (!uploads.ok()) return Error(c, uploads.error());
  std::sort(uploads->begin(), uploads->end(), [](const auto& a, const auto& b) {
    return std::tie(a.key, a.upload_id) < std::tie(b.key, b.upload_id);
  });
  const UploadPage page = SelectUploads(*uploads, prefix, delimiter, key_marker, id_marker, max_uploads);

  std::string body = R"(<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  XmlElement(body, "Bucket", c.addr.bucket);
  XmlElement(body, "KeyMarker", key_marker);
  XmlElement(body, "UploadIdMarker", id_marker);
  if (page.truncated) {
    XmlElement(body, "NextKeyMarker", page.next_key);
    XmlElement(body, "NextUploadIdMarker", page.next_id);
  }
  XmlElement(body, "Prefix", prefix);
  if (!delimiter.empty()) XmlElement(body, "Delimiter", delimiter);
  XmlElement(body, "MaxUploads", std::to_string(max_uploads));
  XmlElement(body, "IsTruncated", page.truncated ? "true" : "false");
  for (const auto* u : page.uploads) {
    body += "<Upload>";
    XmlElement(body, "Key", u->key);
    XmlElement(body, "UploadId", u->upload_id);
    XmlElement(body, "Initiated", Iso8601Millis(u->initiated_ms));
    body += "<StorageClass>STANDARD</StorageClass></Upload>";
  }
  for (const std::string& p : page.common_prefixes) {
    body += "<CommonPrefixes>";
    XmlElement(body, "Prefix", p);
    body += "</CommonPrefixes>";
  }
  body += "</ListMultipartUploadsResult>";
  return WithId(Xml(200, std::move(body)), c);
}

}  // namespace sluice::frontends::s3
