// Object uploads (PutObject, UploadPart) streamed through an UploadWriter.
#include "api/s3_ops.h"

namespace sluice::api::s3 {

using objects::S3Error;

std::variant<Upload, Response> Upload::Begin(Call& c) {
  const RequestHead& head = c.req.head;
  Upload u;
  std::optional<int> number;
  if (IsPart(c)) {
    number = ParseInt(c.Q("partNumber"));
    if (!number || *number < 1 || *number > objects::kMaxPartNumber) {
      return Error(c, S3Error::kInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
    }
  }
  if (auto bad = ParseContentMd5(c, &u.md5_)) return std::move(*bad);
  if (IsAwsChunked(head.Header("x-amz-content-sha256"), head.Header("content-encoding"))) u.chunked_.emplace();
  auto writer = number ? c.store.NewPartWriter(c.addr.bucket, c.addr.key, c.Q("uploadId"), *number)
                       : c.store.NewObjectWriter(c.addr.bucket, c.addr.key, MetaFromHeaders(head));
  if (!writer.ok()) return Error(c, writer.error());
  u.writer_ = std::move(writer).value();
  return u;
}

void Upload::Feed(const Call& c, std::string_view piece) {
  if (failed_) return;
  if (chunked_) {
    decoded_.clear();
    if (const Status st = chunked_->Feed(piece, &decoded_); !st.ok()) {
      failed_ = Error(c, S3Error::kInvalidRequest, st.message());
      return;
    }
    piece = decoded_;
  }
  if (auto st = writer_->Append(piece); !st.ok()) failed_ = Error(c, st.error());
}

Response Upload::Finish(const Call& c) {
  if (failed_) return std::move(*failed_);
  if (chunked_) {
    if (const Status st = chunked_->Finish(); !st.ok()) return Error(c, S3Error::kInvalidRequest, st.message());
    if (auto bad = CheckDecodedLength(c, chunked_->decoded_size())) return std::move(*bad);
  }
  auto info = writer_->Commit(md5_);
  if (!info.ok()) return Error(c, info.error());
  Response r;
  r.headers.emplace_back("etag", Quote(info->etag));
  r.headers.emplace_back("x-amz-request-id", c.request_id);
  return r;
}

Response Upload::Whole(Call& c) {
  auto begun = Begin(c);
  if (auto* answer = std::get_if<Response>(&begun)) return std::move(*answer);
  Upload& u = std::get<Upload>(begun);
  u.Feed(c, c.req.body);
  return u.Finish(c);
}

}  // namespace sluice::api::s3
