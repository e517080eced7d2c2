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
#include "base/sigv4_core.h"
#include "aws/http_message.h"
#include "base/status.h"

namespace sluice::aws {

inline constexpr std::string_view kSigV4Algorithm = sigv4::kAlgorithm;
inline constexpr std::string_view kUnsignedPayload = sigv4::kUnsignedPayload;

// The canonicalisation and key derivation live in base/sigv4_core.h, shared with the
// server's verifier.
using sigv4::PathCanonicalization;
using sigv4::UriEncode;
using sigv4::UriDecode;
using sigv4::FormatAmzDate;
using sigv4::StringToSign;
using sigv4::DeriveSigningKey;

struct SigningScope {
  std::string region;
  std::string service;
  PathCanonicalization path = PathCanonicalization::kNormalizeAndEncode;
  // S3 requires the payload hash as a signed `x-amz-content-sha256` header.
  bool add_content_sha256_header = false;
};

// The canonical request for `request` whose body hashes to `payload_hash` (hex). Every
// header in `request.headers` is signed; `host` must be among them.
std::string CanonicalRequest(const HttpRequest& request, std::string_view payload_hash,
                             PathCanonicalization path);
// The signed-headers list: lowercase names, sorted, ';'-joined.
std::string SignedHeaders(const HttpRequest& request);
// "<date8>/<region>/<service>/aws4_request".
std::string CredentialScope(std::string_view amz_date, const SigningScope& scope);

// Signs `request` in place at time `unix_seconds`: sets Host (from the endpoint) if
// absent, X-Amz-Date, X-Amz-Security-Token for session credentials, and
// x-amz-content-sha256 when the scope asks for it, then Authorization. The body is
// hashed unless `payload_hash` is given (e.g. kUnsignedPayload).
Status SignRequest(HttpRequest& request, const Credentials& credentials, const SigningScope& scope,
                   int64_t unix_seconds, std::string_view payload_hash = {});

// The host[:port] part of an endpoint URL ("https://h:1/" -> "h:1").
Result<std::string> HostOfEndpoint(std::string_view endpoint);

}  // namespace sluice::aws
