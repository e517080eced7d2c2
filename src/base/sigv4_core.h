// The canonicalisation and key derivation of AWS Signature Version 4, shared by the
// client-side signer (aws/sigv4.h) and the server-side verifier
// (awsproto/sigv4_verify.h), so both compute byte-identical strings. Also the
// string-to-sign of aws-chunked chunk and trailer signatures. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/hash.h"

namespace sluice::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

enum class PathCanonicalization {
  // Every service but S3: remove "." / ".." segments and empty segments, then
  // percent-encode the wire path once more (so "%20" becomes "%2520").
  kNormalizeAndEncode,
  // S3: the wire path is used exactly as sent (object keys may contain "//" or "..").
  kAsIs,
};

// Percent-encodes everything but the unreserved set A-Z a-z 0-9 - _ . ~ (and '/'
// unless `encode_slash`), uppercase hex, per byte of UTF-8.
std::string UriEncode(std::string_view s, bool encode_slash);
// Decodes %XX; a malformed escape is kept literally (signing must not fail on it).
std::string UriDecode(std::string_view s);

// "20150830T123600Z" for a Unix time in seconds (UTC), and back (nullopt unless the
// text is exactly that shape and a valid date).
std::string FormatAmzDate(int64_t unix_seconds);
std::optional<int64_t> ParseAmzDate(std::string_view text);

// The canonical URI of a wire path.
std::string CanonicalPath(std::string_view path, PathCanonicalization mode);
// The canonical query string: parameters decoded, re-encoded, sorted; a parameter
// named `omit` (a presigned URL's X-Amz-Signature) is left out.
std::string CanonicalQuery(std::string_view query, std::string_view omit = {});

// The signed headers of a request: lower-case names, values trimmed with inner runs
// of white space collapsed, repeats joined by ',' in arrival order, sorted by name.
class CanonicalHeaders {
 public:
  void Add(std::string_view name, std::string_view value);
  // "name:value\n" per header.
  std::string Block() const;
  // "a;b;c".
  std::string SignedNames() const;

 private:
  std::vector<std::pair<std::string, std::string>> headers_;  // kept sorted by name
};

std::string CanonicalRequest(std::string_view method, std::string_view canonical_path,
                             std::string_view canonical_query, const CanonicalHeaders& headers,
                             std::string_view payload_hash);
// "<date8>/<region>/<service>/aws4_request".
std::string CredentialScope(std::string_view date8, std::string_view region, std::string_view service);
std::string StringToSign(std::string_view amz_date, std::string_view credential_scope,
                         std::string_view canonical_request);
Sha256Digest DeriveSigningKey(std::string_view secret_access_key, std::string_view date8,
                              std::string_view region, std::string_view service);
// Lower-case hex of HMAC-SHA256(key, string_to_sign).
std::string Sign(const Sha256Digest& signing_key, std::string_view string_to_sign);

// aws-chunked: the string to sign of one chunk (chained from the previous chunk's
// signature, the seed signature for the first) and of the trailer block.
std::string ChunkStringToSign(std::string_view amz_date, std::string_view credential_scope,
                              std::string_view previous_signature, std::string_view chunk_sha256_hex);
std::string TrailerStringToSign(std::string_view amz_date, std::string_view credential_scope,
                                std::string_view previous_signature, std::string_view trailer_sha256_hex);

// Compares two signatures in time independent of where they differ.
bool SignaturesEqual(std::string_view a, std::string_view b);

}  // namespace sluice::sigv4
