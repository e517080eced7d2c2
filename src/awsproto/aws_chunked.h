// Decoding of `Content-Encoding: aws-chunked` request bodies, which SigV4 streaming
// uploads (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD, and the
// STREAMING-UNSIGNED-PAYLOAD-TRAILER form the AWS CLI and SDKs use for checksums) send:
//
//   <hex size>[;chunk-signature=<64 hex>]\r\n<bytes>\r\n ... 0[;chunk-signature=...]\r\n
//   [<trailer name>:<value>\r\n ...]\r\n
//
// Trailers are returned so the caller may check the checksum they carry. As in S3, a
// trailer must be the one x-amz-trailer declares (or x-amz-trailer-signature), at most
// kMaxTrailers of them, and nothing may follow the closing empty line. Chunk and
// trailer signatures are verified when the caller supplies the signing context
// (VerifySignatures), chained from the request's seed signature.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/hash.h"
#include "base/status.h"
#include <optional>

namespace sluice::awsproto {

using Trailers = std::vector<std::pair<std::string, std::string>>;  // names lower-case

// Trailer lines accepted after the final chunk: the declared checksum and the trailer
// signature, with room for a client that repeats one. S3 accepts no other trailers.
inline constexpr size_t kMaxTrailers = 4;

// What a chunk's and the trailer's signatures are checked with: the request's signing
// key, X-Amz-Date, credential scope and seed signature (awsproto/sigv4_verify.h).
struct ChunkSigning {
  Sha256Digest key{};
  std::string amz_date;
  std::string scope;
  std::string seed_signature;
  bool signed_trailer = false;  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
};

// Why a body was refused, for the caller's error code.
enum class AwsChunkedError {
  kNone,
  kMalformed,         // framing (S3: IncompleteBody), including bytes after the end
  kMalformedTrailer,  // an undeclared, excess or unreadable trailer (S3: MalformedTrailerError)
  kSignature,         // a missing or wrong chunk or trailer signature (S3: SignatureDoesNotMatch)
};

// Decodes a body given in pieces of any size, as it arrives. After an error every
// later call returns the same error.
class AwsChunkedDecoder {
 public:
  // `x_amz_trailer`: the request's x-amz-trailer header, naming the trailer allowed.
  explicit AwsChunkedDecoder(std::string_view x_amz_trailer = {});
  ~AwsChunkedDecoder();
  AwsChunkedDecoder(AwsChunkedDecoder&&) noexcept;
  AwsChunkedDecoder& operator=(AwsChunkedDecoder&&) noexcept;
  // Checks every chunk-signature (and the trailer signature) from now on.
  void VerifySignatures(ChunkSigning signing);
  // Appends the data bytes found in `in` to `*out` (null: drops them). InvalidArgument
  // naming the byte offset (from the body's start) for a malformed body.
  Status Feed(std::string_view in, std::string* out);
  // The body ended: InvalidArgument unless the final (zero-size) chunk was seen.
  Status Finish();
  const Trailers& trailers() const { return trailers_; }
  uint64_t decoded_size() const { return decoded_; }
  AwsChunkedError error_kind() const { return error_kind_; }

 private:
  enum class State { kSizeLine, kData, kDataEnd, kTrailers, kDone };
  struct Signer;  // the chain of chunk signatures, when verifying
  Status Fail(std::string_view why, AwsChunkedError kind = AwsChunkedError::kMalformed);
  Status EndSizeLine();
  Status EndChunk();
  Status EndTrailerLine();
  Status EndTrailers();

  State state_ = State::kSizeLine;
  std::string line_;        // the current size or trailer line, without CRLF
  uint64_t remaining_ = 0;  // data bytes left in the current chunk (kData), CRLF bytes (kDataEnd)
  uint64_t offset_ = 0;     // body bytes consumed
  uint64_t decoded_ = 0;
  Trailers trailers_;
  std::vector<std::string> declared_;  // lower-case trailer names x-amz-trailer allows
  std::unique_ptr<Signer> signer_;
  Status error_;
  AwsChunkedError error_kind_ = AwsChunkedError::kNone;
};

struct DecodedChunks {
  std::string data;
  Trailers trailers;
};

// The whole body at once (AwsChunkedDecoder).
// `kind`, when given, receives why a body was refused.
Result<DecodedChunks> DecodeAwsChunked(std::string_view body, std::string_view x_amz_trailer = {},
                                       AwsChunkedError* kind = nullptr);

// Whether a request with these header values carries an aws-chunked body.
bool IsAwsChunked(std::string_view content_sha256, std::string_view content_encoding);

}  // namespace sluice::awsproto
