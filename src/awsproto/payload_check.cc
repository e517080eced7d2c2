#include "awsproto/payload_check.h"

#include "base/hex.h"

namespace sluice::awsproto {

bool PayloadCheck::Needed(const VerifiedHead& head) {
  return head.payload == PayloadMode::kSha256 || head.payload == PayloadMode::kStreamingSigned ||
         head.payload == PayloadMode::kStreamingSignedTrailer;
}

PayloadCheck::PayloadCheck(const VerifiedHead& head, std::string_view x_amz_trailer) : head_(head) {
  if (head.payload == PayloadMode::kSha256) {
    sha256_ = std::make_unique<HashStream>(HashStream::Kind::kSha256);
  } else if (Needed(head)) {
    chunks_ = std::make_unique<AwsChunkedDecoder>(x_amz_trailer);
    chunks_->VerifySignatures(ChunkSigning{head.signing_key, head.amz_date, head.scope, head.seed_signature,
                                           head.payload == PayloadMode::kStreamingSignedTrailer});
  } else {
    done_ = true;
  }
}

std::optional<AuthFailure> PayloadCheck::FromDecoder(const Status& st) {
  if (st.ok()) return std::nullopt;
  done_ = true;
  // Framing errors are the decoding service's to report, in its own words.
  if (chunks_->error_kind() != AwsChunkedError::kSignature) return std::nullopt;
  return SignatureMismatch();
}

std::optional<AuthFailure> PayloadCheck::Feed(std::string_view piece) {
  if (done_) return std::nullopt;
  if (sha256_) {
    sha256_->Update(piece);
    return std::nullopt;
  }
  return FromDecoder(chunks_->Feed(piece, nullptr));
}

std::optional<AuthFailure> PayloadCheck::Finish() {
  if (done_) return std::nullopt;
  done_ = true;
  if (chunks_) {
    done_ = false;
    return FromDecoder(chunks_->Finish());
  }
  const std::string computed = HexEncode(sha256_->Finish());
  if (computed == head_.payload_sha256) return std::nullopt;
  return ContentSha256Mismatch(head_.payload_sha256, computed);
}

}  // namespace sluice::awsproto
