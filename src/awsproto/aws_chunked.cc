#include "awsproto/aws_chunked.h"

#include <algorithm>

#include "base/ascii.h"
#include "base/hex.h"
#include "base/sigv4_core.h"

namespace sluice::awsproto {
namespace {

// A size line is "<hex>;chunk-signature=<64 hex>"; a trailer line a checksum header.
// Anything far longer is not aws-chunked framing.
constexpr size_t kMaxLineBytes = 4096;
constexpr std::string_view kSignatureExtension = "chunk-signature=";
constexpr std::string_view kTrailerSignature = "x-amz-trailer-signature";

}  // namespace

struct AwsChunkedDecoder::Signer {
  ChunkSigning signing;
  std::string previous;       // the last verified signature (the seed at first)
  std::string claimed;        // the current chunk's chunk-signature
  HashStream chunk{HashStream::Kind::kSha256};
  std::string trailer_block;  // "name:value\n" per trailer, as signed
  bool trailer_verified = false;
};

bool IsAwsChunked(std::string_view content_sha256, std::string_view content_encoding) {
  return content_sha256.starts_with("STREAMING-") ||
         content_encoding.find("aws-chunked") != std::string_view::npos;
}

AwsChunkedDecoder::AwsChunkedDecoder(std::string_view x_amz_trailer) {
  while (!x_amz_trailer.empty()) {
    const size_t comma = x_amz_trailer.find(',');
    const std::string_view name = TrimBlanks(x_amz_trailer.substr(0, comma));
    if (!name.empty() && declared_.size() < kMaxTrailers) declared_.push_back(AsciiLower(name));
    x_amz_trailer = comma == std::string_view::npos ? std::string_view{} : x_amz_trailer.substr(comma + 1);
  }
}

AwsChunkedDecoder::~AwsChunkedDecoder() = default;
AwsChunkedDecoder::AwsChunkedDecoder(AwsChunkedDecoder&&) noexcept = default;
AwsChunkedDecoder& AwsChunkedDecoder::operator=(AwsChunkedDecoder&&) noexcept = default;

void AwsChunkedDecoder::VerifySignatures(ChunkSigning signing) {
  signer_ = std::make_unique<Signer>();
  signer_->previous = signing.seed_signature;
  signer_->signing = std::move(signing);
}

Status AwsChunkedDecoder::Fail(std::string_view why, AwsChunkedError kind) {
  error_ = Status::InvalidArgument("malformed aws-chunked body at byte " + std::to_string(offset_) +
                                   ": " + std::string(why));
  error_kind_ = kind;
  return error_;
}

Status AwsChunkedDecoder::EndSizeLine() {
  std::string_view header = line_;
  std::string_view extension;
  if (const size_t semi = header.find(';'); semi != std::string_view::npos) {
    extension = header.substr(semi + 1);
    header = header.substr(0, semi);
  }
  if (header.empty() || header.size() > 16) return Fail("chunk size is not hex");
  uint64_t size = 0;
  for (const char c : header) {
    const int v = HexDigitValue(c);
    if (v < 0) return Fail("chunk size is not hex");
    size = size * 16 + static_cast<uint64_t>(v);
  }
  if (signer_) {
    if (!extension.starts_with(kSignatureExtension)) return Fail("chunk without a chunk-signature", AwsChunkedError::kSignature);
    signer_->claimed = AsciiLower(extension.substr(kSignatureExtension.size()));
  }
  line_.clear();
  remaining_ = size;
  state_ = size == 0 ? State::kTrailers : State::kData;
  if (size == 0) return EndChunk();
  return Status::OK();
}

// A chunk's data is complete: its signature must chain from the previous one.
Status AwsChunkedDecoder::EndChunk() {
  if (!signer_) return Status::OK();
  Signer& s = *signer_;
  const std::string hash = HexEncode(s.chunk.Finish());
  const std::string want = sigv4::Sign(
      s.signing.key, sigv4::ChunkStringToSign(s.signing.amz_date, s.signing.scope, s.previous, hash));
  if (!sigv4::SignaturesEqual(want, s.claimed)) {
    return Fail("a chunk signature does not match", AwsChunkedError::kSignature);
  }
  s.previous = std::move(s.claimed);
  return Status::OK();
}

Status AwsChunkedDecoder::EndTrailerLine() {
  if (line_.empty()) return EndTrailers();
  const size_t colon = line_.find(':');
  if (colon == std::string::npos) return Fail("trailer without ':'", AwsChunkedError::kMalformedTrailer);
  std::string name = AsciiLower(TrimBlanks(std::string_view(line_).substr(0, colon)));
  const std::string_view value = TrimBlanks(std::string_view(line_).substr(colon + 1));
  if (trailers_.size() == kMaxTrailers) return Fail("too many trailers", AwsChunkedError::kMalformedTrailer);
  if (name == kTrailerSignature) {
    if (signer_ && signer_->signing.signed_trailer) {
      Signer& s = *signer_;
      const std::string want =
          sigv4::Sign(s.signing.key, sigv4::TrailerStringToSign(s.signing.amz_date, s.signing.scope, s.previous,
                                                                Sha256Hex(s.trailer_block)));
      if (!sigv4::SignaturesEqual(want, AsciiLower(value))) {
        return Fail("the trailer signature does not match", AwsChunkedError::kSignature);
      }
      s.trailer_verified = true;
    }
  } else {
    if (std::find(declared_.begin(), declared_.end(), name) == declared_.end()) {
      return Fail("trailer " + name.substr(0, 64) + " is not declared in x-amz-trailer",
                  AwsChunkedError::kMalformedTrailer);
    }
    if (signer_) {
      if (signer_->trailer_verified) return Fail("a trailer follows the trailer signature", AwsChunkedError::kSignature);
      signer_->trailer_block += name + ":" + std::string(value) + "\n";
    }
  }
  trailers_.emplace_back(std::move(name), std::string(value));
  line_.clear();
  return Status::OK();
}

Status AwsChunkedDecoder::EndTrailers() {
  state_ = State::kDone;
  if (signer_ && signer_->signing.signed_trailer && !signer_->trailer_verified) {
    return Fail("the trailer signature is missing", AwsChunkedError::kSignature);
  }
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
          return state_ == State::kSizeLine ? Fail("chunk header without CRLF")
                                            : Fail("trailer line too long", AwsChunkedError::kMalformedTrailer);
        }
        if (lf == std::string_view::npos) break;
        if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
          return state_ == State::kSizeLine ? Fail("chunk header without CRLF")
                                            : Fail("trailer without CRLF", AwsChunkedError::kMalformedTrailer);
        }
        line_.resize(line_.size() - 2);
        RETURN_IF_ERROR(state_ == State::kSizeLine ? EndSizeLine() : EndTrailerLine());
        break;
      }
      case State::kData: {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size()));
        if (out != nullptr) out->append(in.substr(0, take));
        if (signer_) signer_->chunk.Update(in.substr(0, take));
        decoded_ += take;
        offset_ += take;
        remaining_ -= take;
        in.remove_prefix(take);
        if (remaining_ == 0) {
          state_ = State::kDataEnd;
          remaining_ = 2;
          RETURN_IF_ERROR(EndChunk());
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
        // S3 refuses a body that goes on after its closing empty line.
        return Fail("bytes after the final chunk and its trailers");
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
      if (!line_.empty()) {
        if (line_.find(':') == std::string::npos) return Fail("trailer without ':'", AwsChunkedError::kMalformedTrailer);
        RETURN_IF_ERROR(EndTrailerLine());
      }
      return EndTrailers();
    case State::kSizeLine:
      return Fail(line_.empty() ? "no final chunk" : "chunk header without CRLF");
    case State::kData:
    case State::kDataEnd:
      return Fail("chunk shorter than its size");
  }
  return Fail("unexpected state");
}

Result<DecodedChunks> DecodeAwsChunked(std::string_view body, std::string_view x_amz_trailer,
                                       AwsChunkedError* kind) {
  AwsChunkedDecoder decoder(x_amz_trailer);
  DecodedChunks out;
  Status st = decoder.Feed(body, &out.data);
  if (st.ok()) st = decoder.Finish();
  if (kind != nullptr) *kind = decoder.error_kind();
  if (!st.ok()) return st;
  out.trailers = decoder.trailers();
  return out;
}

}  // namespace sluice::awsproto
