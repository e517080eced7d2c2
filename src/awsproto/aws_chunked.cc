#include "awsproto/aws_chunked.h"
#include "base/ascii.h"
#include "base/hex.h"

#include <algorithm>

namespace sluice::awsproto {
namespace {

// A size line is "<hex>;chunk-signature=<64 hex>"; a trailer line a checksum header.
// Anything far longer is not aws-chunked framing.
constexpr size_t kMaxLineBytes = 4096;

}  // namespace

bool IsAwsChunked(std::string_view content_sha256, std::string_view content_encoding) {
  return content_sha256.starts_with("STREAMING-") ||
         content_encoding.find("aws-chunked") != std::string_view::npos;
}

Status AwsChunkedDecoder::Fail(std::string_view why) {
  error_ = Status::InvalidArgument("malformed aws-chunked body at byte " + std::to_string(offset_) +
                                   ": " + std::string(why));
  return error_;
}

Status AwsChunkedDecoder::EndSizeLine() {
  std::string_view header = line_;
  if (const size_t semi = header.find(';'); semi != std::string_view::npos) header = header.substr(0, semi);
  if (header.empty() || header.size() > 16) return Fail("chunk size is not hex");
  uint64_t size = 0;
  for (const char c : header) {
    const int v = HexDigitValue(c);
    if (v < 0) return Fail("chunk size is not hex");
    size = size * 16 + static_cast<uint64_t>(v);
  }
  line_.clear();
  remaining_ = size;
  state_ = size == 0 ? State::kTrailers : State::kData;
  return Status::OK();
}

Status AwsChunkedDecoder::EndTrailerLine() {
  if (line_.empty()) {
    state_ = State::kDone;
    return Status::OK();
  }
  const size_t colon = line_.find(':');
  if (colon == std::string::npos) return Fail("trailer without ':'");
  std::string name = AsciiLower(std::string_view(line_).substr(0, colon));
  std::string_view value = std::string_view(line_).substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  trailers_.emplace_back(std::move(name), std::string(value));
  line_.clear();
  return Status::OK();
}

Status AwsChunkedDecoder::Feed(std::string_view in, std::string* out) {
  if (!error_.ok()) return error_;
  while (!in.empty()) {
    switch (state_) {
      case State::kSizeLine:
      case State::kTrailers: {
        // Lines end in CRLF; a CR may end one piece and its LF start the next.
        // Bounded: a body without line ends grows the line only past the limit.
        const size_t lf = in.substr(0, kMaxLineBytes + 1).find('\n');
        const size_t take = lf == std::string_view::npos ? std::min(in.size(), kMaxLineBytes + 1) : lf + 1;
        line_.append(in.substr(0, take));
        offset_ += take;
        in.remove_prefix(take);
        if (line_.size() > kMaxLineBytes) {
          return Fail(state_ == State::kSizeLine ? "chunk header without CRLF" : "trailer line too long");
        }
        if (lf == std::string_view::npos) break;
        if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
          return Fail(state_ == State::kSizeLine ? "chunk header without CRLF" : "trailer without CRLF");
        }
        line_.resize(line_.size() - 2);
        RETURN_IF_ERROR(state_ == State::kSizeLine ? EndSizeLine() : EndTrailerLine());
        break;
      }
      case State::kData: {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size()));
        out->append(in.substr(0, take));
        decoded_ += take;
        offset_ += take;
        remaining_ -= take;
        in.remove_prefix(take);
        if (remaining_ == 0) {
          state_ = State::kDataEnd;
          remaining_ = 2;
        }
        break;
      }
      case State::kDataEnd: {
        const char want = remaining_ == 2 ? '\r' : '\n';
        if (in.front() != want) return Fail("chunk data not followed by CRLF");
        in.remove_prefix(1);
        ++offset_;
        if (--remaining_ == 0) state_ = State::kSizeLine;
        break;
      }
      case State::kDone:
        // Bytes after the closing empty line are ignored, as S3 does.
        offset_ += in.size();
        in = {};
        break;
    }
  }
  return Status::OK();
}

Status AwsChunkedDecoder::Finish() {
  if (!error_.ok()) return error_;
  switch (state_) {
    case State::kDone:
      return Status::OK();
    case State::kTrailers:
      // A body that simply ends after the last chunk or trailer is accepted too (some
      // clients omit the final CRLF when there are no trailers).
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      if (line_.empty()) return Status::OK();
      if (line_.find(':') != std::string::npos) return EndTrailerLine();
      return Fail("trailer without ':'");
    case State::kSizeLine:
      return Fail(line_.empty() ? "no final chunk" : "chunk header without CRLF");
    case State::kData:
    case State::kDataEnd:
      return Fail("chunk shorter than its size");
  }
  return Fail("unexpected state");
}

Result<DecodedChunks> DecodeAwsChunked(std::string_view body) {
  AwsChunkedDecoder decoder;
  DecodedChunks out;
  RETURN_IF_ERROR(decoder.Feed(body, &out.data));
  RETURN_IF_ERROR(decoder.Finish());
  out.trailers = decoder.trailers();
  return out;
}

}  // namespace sluice::awsproto
