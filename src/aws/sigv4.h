// AWS Signature Version 4 (header form): canonical request, string to sign, signing
// key and the Authorization header, as specified in the AWS General Reference.
//
// The pieces are exposed separately because the server verifies signatures with the
// same functions and because a mismatch is found by comparing the intermediate
// strings, not the final hex. Everything here is pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "base/hash.h"
#include "aws/http_message.h"
#include "base/status.h"

namespace sluice::aws {

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

enum class PathCanonicalization {
  // Every service but S3: remove "." / ".." segments and empty segments, then
  // percent-encode the wire path once more (so "%20" becomes "%2520").
  kNormalizeAndEncode,
  // S3: the wire path is used exactly as sent (object keys may contain "//" or "..").
  kAsIs,
};

struct SigningScope {
  std::string region;
  std::string service;
  PathCanonicalization path = PathCanonicalization::kNormalizeAndEncode;
  // S3 requires the payload hash as a signed `x-amz-content-sha256` header.
  bool add_content_sha256_header = false;
};

// Percent-encodes everything but the unreserved set A-Z a-z 0-9 - _ . ~ (and '/'
// unless `encode_slash`), uppercase hex, per byte of UTF-8.
std::string UriEncode(std::string_view s, bool encode_slash);
// Decodes %XX; a malformed escape is kept literally (signing must not fail on it).
std::string UriDecode(std::string_view s);

// "20150830T123600Z" for a Unix time in seconds (UTC).
std::string FormatAmzDate(int64_t unix_seconds);

// The canonical request for `request` whose body hashes to `payload_hash` (hex). Every
// header in `request.headers` is signed; `host` must be among them.
std::string CanonicalRequest(const HttpRequest& request, std::string_view payload_hash,
                             PathCanonicalization path);
// The signed-headers list: lowercase names, sorted, ';'-joined.
std::string SignedHeaders(const HttpRequest& request);
// "<date8>/<region>/<service>/aws4_request".
std::string CredentialScope(std::string_view amz_date, const SigningScope& scope);
std::string StringToSign(std::string_view amz_date, std::string_view credential_scope,
                         std::string_view canonical_request);
Sha256Digest DeriveSigningKey(std::string_view secret_access_key, std::string_view date8,
                              std::string_view region, std::string_view service);

// Signs `request` in place at time `unix_seconds`: sets Host (from the endpoint) if
// absent, X-Amz-Date, X-Amz-Security-Token for session credentials, and
// x-amz-content-sha256 when the scope asks for it, then Authorization. The body is
// hashed unless `payload_hash` is given (e.g. kUnsignedPayload).
Status SignRequest(HttpRequest& request, const Credentials& credentials, const SigningScope& scope,
                   int64_t unix_seconds, std::string_view payload_hash = {});

// The host[:port] part of an endpoint URL ("https://h:1/" -> "h:1").
Result<std::string> HostOfEndpoint(std::string_view endpoint);

}  // namespace sluice::aws
