// Object uploads (PutObject, UploadPart) streamed through an UploadWriter.
#include <algorithm>

#include "base/clock.h"
#include "internal/ops.h"
#include "base/base64.h"
#include "base/xml.h"
#include "base/ascii.h"

namespace sluice::frontends::s3 {

using objects::S3Error;

std::variant<Upload, Response> Upload::Begin(Call& c, Source source) {
  const RequestHead& head = c.req.head;
  Upload u;
  std::optional<int> number;
  if (IsPart(c)) {
    number = ParseS3Integer(c.Q("partNumber"));
    if (!number || *number < 1 || *number > objects::kMaxPartNumber) {
      return Error(c, S3Error::kInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
    }
  }
  if (auto refused = RefuseTags(c)) return std::move(*refused);
  if (source == Source::kBody) {
    if (auto bad = ParseContentMd5(c, &u.md5_)) return std::move(*bad);
    if (IsAwsChunked(head.Header("x-amz-content-sha256"), head.Header("content-encoding"))) {
      u.chunked_.emplace(head.Header("x-amz-trailer"));
    }
    if (auto bad = u.BeginChecksum(c)) return std::move(*bad);
  }
  auto writer = number ? c.store.NewPartWriter(c.addr.bucket, c.addr.key, c.Q("uploadId"), *number)
                       : c.store.NewObjectWriter(c.addr.bucket, c.addr.key, MetaFromHeaders(head));
  if (!writer.ok()) return Error(c, writer.error());
  u.writer_ = std::move(writer).value();
  if (auto bad = u.RequireChecksum(c, source == Source::kCopy)) return std::move(*bad);
  return u;
}

std::optional<Response> Upload::RequireChecksum(const Call& c, bool copy) {
  const objects::ObjectChecksum upload = writer_->RequiredChecksum();
  const auto required = objects::ParseChecksumAlgorithm(upload.algorithm);
  if (!required) return std::nullopt;
  if (!checksum_ && (copy || upload.type == "FULL_OBJECT")) {
    // None sent: S3 computes a part's checksum itself for a full-object upload, and
    // for a copied part (whose request has no body to carry one).
    checksum_.emplace(*required);
    checksum_verify_ = false;
    return std::nullopt;
  }
  if (checksum_ && checksum_->algorithm() == *required) return std::nullopt;
  return Error(c, S3Error::kInvalidRequest,
               "Checksum Type mismatch occurred, expected checksum Type: " +
                   AsciiLower(objects::ChecksumName(*required)) + ", actual checksum Type: " +
                   (checksum_ ? AsciiLower(objects::ChecksumName(checksum_->algorithm())) : std::string("null")));
}

std::optional<Response> Upload::BeginChecksum(const Call& c) {
  const RequestHead& head = c.req.head;
  std::optional<objects::ChecksumAlgorithm> alg;
  int value_headers = 0;
  for (const auto& [name, value] : head.headers) {
    if (!name.starts_with("x-amz-checksum-")) continue;
    const auto a = objects::ParseChecksumAlgorithm(std::string_view(name).substr(15));
    if (!a) continue;  // x-amz-checksum-mode, x-amz-checksum-type: not values
    ++value_headers;
    alg = a;
    checksum_expected_ = value;
    const auto raw = Base64Decode(value);
    if (!raw || raw->size() != objects::ChecksumBytes(*a)) {
      return Error(c, S3Error::kInvalidRequest, "Value for " + name + " header is invalid.");
    }
  }
  if (value_headers > 1) {
    return Error(c, S3Error::kInvalidRequest,
                 "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  }
  if (const std::string trailer = AsciiLower(head.Header("x-amz-trailer")); !trailer.empty()) {
    const auto a = trailer.starts_with("x-amz-checksum-")
                       ? objects::ParseChecksumAlgorithm(std::string_view(trailer).substr(15))
                       : std::nullopt;
    if (!a || !chunked_) {
      return Error(c, S3Error::kInvalidRequest, "The value specified in the x-amz-trailer header is not supported");
    }
    if (alg) {  // a value header as well: one checksum per request
      return Error(c, S3Error::kInvalidRequest,
                   "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    }
    alg = a;
    checksum_trailer_ = objects::ChecksumHeader(*a);  // trailer names are kept lower-case
  }
  if (const auto sdk = head.Header("x-amz-sdk-checksum-algorithm"); !sdk.empty()) {
    const auto a = objects::ParseChecksumAlgorithm(sdk);
    if (!a) {
      return Error(c, S3Error::kInvalidRequest,
                   "Checksum algorithm provided is unsupported. Please try again with any of the valid "
                   "types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
    }
    if (!alg) {
      return Error(c, S3Error::kInvalidRequest,
                   "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or "
                   "x-amz-trailer headers were found.");
    }
    if (*alg != *a) {
      return Error(c, S3Error::kInvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid.");
    }
  }
  if (alg) checksum_.emplace(*alg);
  return std::nullopt;
}

std::optional<Response> Upload::ChecksumMismatch(const Call& c) {
  if (!checksum_) return std::nullopt;
  const std::string computed = checksum_->Finish();
  checksum_value_ = Base64Encode(computed);
  if (!checksum_verify_) return std::nullopt;
  std::string_view expected = checksum_expected_;
  if (!checksum_trailer_.empty()) {
    bool found = false;
    for (const auto& [name, value] : chunked_->trailers()) {
      if (name == checksum_trailer_) {
        expected = value;
        found = true;
      }
    }
    if (!found) {
      // S3 answers a declared trailer that never came as a malformed trailer.
      return AwsChunkedRefusal(c, awsproto::AwsChunkedError::kMalformedTrailer);
    }
    while (!expected.empty() && (expected.back() == ' ' || expected.back() == '\t')) expected.remove_suffix(1);
  }
  // Compared as bytes: unpadded base64 is the same value.
  const auto want = Base64Decode(expected);
  if (!want || want->size() != computed.size()) {
    return Error(c, S3Error::kInvalidRequest,
                 "Value for " + objects::ChecksumHeader(checksum_->algorithm()) +
                     (checksum_trailer_.empty() ? " header" : " trailing header") + " is invalid.");
  }
  if (*want == computed) return std::nullopt;
  return Error(c, S3Error::kBadDigest,
               "The " + std::string(objects::ChecksumName(checksum_->algorithm())) +
                   " you specified did not match the calculated checksum.");
}

void Upload::Feed(const Call& c, std::string_view piece) {
  if (failed_) return;
  if (chunked_) {
    decoded_.clear();
    if (const Status st = chunked_->Feed(piece, &decoded_); !st.ok()) {
      failed_ = AwsChunkedRefusal(c, chunked_->error_kind());
      return;
    }
    piece = decoded_;
  }
  if (checksum_) checksum_->Update(piece);
  if (auto st = writer_->Append(piece); !st.ok()) failed_ = Error(c, st.error());
}

std::variant<objects::ObjectInfo, Response> Upload::Commit(const Call& c) {
  if (failed_) return std::move(*failed_);
  if (chunked_) {
    if (const Status st = chunked_->Finish(); !st.ok()) return AwsChunkedRefusal(c, chunked_->error_kind());
    if (auto bad = CheckDecodedLength(c, chunked_->decoded_size())) return std::move(*bad);
  }
  if (auto bad = ChecksumMismatch(c)) return std::move(*bad);
  if (checksum_) writer_->SetChecksum({std::string(objects::ChecksumName(checksum_->algorithm())), checksum_value_});
  auto info = writer_->Commit(md5_);
  if (!info.ok()) return Error(c, info.error());
  return *std::move(info);
}

Response Upload::Finish(const Call& c) {
  auto done = Commit(c);
  if (auto* answer = std::get_if<Response>(&done)) return std::move(*answer);
  Response r;
  r.headers.emplace_back("etag", Quote(std::get<objects::ObjectInfo>(done).etag));
  if (checksum_) r.headers.emplace_back(objects::ChecksumHeader(checksum_->algorithm()), checksum_value_);
  return WithId(std::move(r), c);
}

Response Upload::Whole(Call& c) {
  auto begun = Begin(c);
  if (auto* answer = std::get_if<Response>(&begun)) return std::move(*answer);
  Upload& u = std::get<Upload>(begun);
  u.Feed(c, c.req.body);
  return u.Finish(c);
}

}  // namespace sluice::frontends::s3

namespace sluice::frontends::s3 {

namespace {

// x-amz-copy-source-range: the Range grammar, but only "bytes=first-last" with
// first <= last (no open or suffix forms).
std::optional<objects::RangeSpec> ParseCopyRange(std::string_view v) {
  auto r = ParseRange(v);
  if (!r || !r->first || !r->last || *r->first > *r->last) return std::nullopt;
  return r;
}

}  // namespace

Response UploadPartCopy(Call& c) {
  std::optional<objects::RangeSpec> range;
  if (const auto h = c.req.head.Header("x-amz-copy-source-range"); !h.empty()) {
    range = ParseCopyRange(h);
    if (!range) {
      return Error(c, S3Error::kInvalidArgument,
                   "The x-amz-copy-source-range value must be of the form bytes=first-last where first "
                   "and last are the zero-based offsets of the first and last bytes to copy");
    }
  }
  auto resolved = ResolveCopySource(c);
  if (auto* answer = std::get_if<Response>(&resolved)) return std::move(*answer);
  const CopySource& src = std::get<CopySource>(resolved);
  auto begun = Upload::Begin(c, Upload::Source::kCopy);
  if (auto* answer = std::get_if<Response>(&begun)) return std::move(*answer);
  Upload& upload = std::get<Upload>(begun);
  // The source is opened whole and the range applied to what was opened, so the
  // range check and the copied bytes concern one version of the object; a source
  // replaced since its conditions were checked is refused rather than mixed.
  auto got = c.store.GetStreaming(src.bucket, src.key, std::nullopt);
  if (!got.ok()) return Error(c, got.error());
  if (got->info.etag != src.info.etag) {
    return Error(c, S3Error::kPreconditionFailed, "The copy source changed while the copy was starting");
  }
  const uint64_t size = got->info.size;
  if (range && *range->last >= size) {
    return Error(c, S3Error::kInvalidArgument,
                 "Range specified is not valid for source object of size: " + std::to_string(size));
  }
  const uint64_t first = range ? *range->first : 0;
  const uint64_t length = range ? *range->last - first + 1 : size;
  if (got->file) {
    constexpr size_t kChunk = 1 << 20;
    std::string chunk(kChunk, '\0');
    for (uint64_t pos = first; pos < first + length;) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, first + length - pos));
      const long n = got->file->ReadAt(pos, chunk.data(), want);
      if (n <= 0) return Error(c, S3Error::kInternalError, "reading the copy source failed");
      upload.Feed(c, std::string_view(chunk.data(), static_cast<size_t>(n)));
      pos += static_cast<uint64_t>(n);
    }
  } else {
    upload.Feed(c, std::string_view(got->data).substr(first, length));
  }
  auto done = upload.Commit(c);
  if (auto* answer = std::get_if<Response>(&done)) return std::move(*answer);
  const objects::ObjectInfo& part = std::get<objects::ObjectInfo>(done);
  std::string body = "<CopyPartResult>";
  XmlElement(body, "LastModified", Iso8601Millis(part.last_modified_ms));
  XmlElement(body, "ETag", Quote(part.etag));
  ChecksumElements(body, part.checksum, false);
  body += "</CopyPartResult>";
  return WithId(Xml(200, std::move(body)), c);
}

}  // namespace sluice::frontends::s3
