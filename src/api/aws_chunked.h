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

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace sluice::api {

struct DecodedChunks {
  std::string data;
  std::vector<std::pair<std::string, std::string>> trailers;  // names lower-case
};

// InvalidArgument naming the byte offset for a malformed body.
Result<DecodedChunks> DecodeAwsChunked(std::string_view body);

// Whether a request with these header values carries an aws-chunked body.
bool IsAwsChunked(std::string_view content_sha256, std::string_view content_encoding);

}  // namespace sluice::api
