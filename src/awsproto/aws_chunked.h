// Decoding of `Content-Encoding: aws-chunked` request bodies, which SigV4 streaming
// uploads (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD, and the
// STREAMING-UNSIGNED-PAYLOAD-TRAILER form the AWS CLI and SDKs use for checksums) send:
//
//   <hex size>[;chunk-signature=<64 hex>]\r\n<bytes>\r\n ... 0[;chunk-signature=...]\r\n
//   [<trailer name>:<value>\r\n ...]\r\n
//
// Chunk signatures are not verified (sluice does not verify request signatures at
// all); trailers are returned so the caller may check a checksum it knows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace sluice::awsproto {

using Trailers = std::vector<std::pair<std::string, std::string>>;  // names lower-case

// Decodes a body given in pieces of any size, as it arrives. After an error every
// later call returns the same error.
class AwsChunkedDecoder {
 public:
  // Appends the data bytes found in `in` to `*out`. InvalidArgument naming the byte
  // offset (from the body's start) for a malformed body.
  Status Feed(std::string_view in, std::string* out);
  // The body ended: InvalidArgument unless the final (zero-size) chunk was seen.
  Status Finish();
  const Trailers& trailers() const { return trailers_; }
  uint64_t decoded_size() const { return decoded_; }

 private:
  enum class State { kSizeLine, kData, kDataEnd, kTrailers, kDone };
  Status Fail(std::string_view why);
  Status EndSizeLine();
  Status EndTrailerLine();

  State state_ = State::kSizeLine;
  std::string line_;        // the current size or trailer line, without CRLF
  uint64_t remaining_ = 0;  // data bytes left in the current chunk (kData), CRLF bytes (kDataEnd)
  uint64_t offset_ = 0;     // body bytes consumed
  uint64_t decoded_ = 0;
  Trailers trailers_;
  Status error_;
};

struct DecodedChunks {
  std::string data;
  Trailers trailers;
};

// The whole body at once (AwsChunkedDecoder).
Result<DecodedChunks> DecodeAwsChunked(std::string_view body);

// Whether a request with these header values carries an aws-chunked body.
bool IsAwsChunked(std::string_view content_sha256, std::string_view content_encoding);

}  // namespace sluice::awsproto
