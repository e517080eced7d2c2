#include "awsproto/sigv4_verify.h"

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "base/ascii.h"
#include "base/hex.h"

namespace sluice::awsproto {
namespace {

using Failed = Unexpected<AuthFailure>;

// Bounds on what is parsed: a longer credential or header list is no SigV4 request.
constexpr size_t kMaxCredentialBytes = 512;
constexpr size_t kMaxSignedHeaders = 64;

constexpr std::string_view kQueryParamsRequired =
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";

// What the request says about its own signature, not yet checked.
struct Claimed {
  bool presigned = false;
  std::string access_key, date8, region, service;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;
  std::string amz_date;
  int64_t expires = 0;  // presigned only
};

AuthFailure Fail(AuthError code, std::string json_message, std::string s3_message) {
  return AuthFailure{code, std::move(json_message), std::move(s3_message), {}};
}

AuthFailure Malformed(bool presigned, std::string message) {
  return Fail(presigned ? AuthError::kMalformedQuery : AuthError::kMalformedHeader, message, message);
}

// "<key>/<date8>/<region>/<service>/aws4_request".
bool SplitCredential(std::string_view credential, Claimed& c) {
  if (credential.size() > kMaxCredentialBytes) return false;
  std::string_view parts[5];
  for (size_t i = 0; i < 5; ++i) {
    const size_t slash = credential.find('/');
    if ((slash == std::string_view::npos) != (i == 4)) return false;
    parts[i] = credential.substr(0, slash);
    credential = slash == std::string_view::npos ? std::string_view{} : credential.substr(slash + 1);
  }
  if (parts[4] != "aws4_request" || parts[0].empty() || parts[1].size() != 8 || parts[3].empty()) return false;
  c.access_key = parts[0];
  c.date8 = parts[1];
  c.region = parts[2];
  c.service = parts[3];
  return true;
}

Expected<Claimed, AuthFailure> FromHeader(std::string_view auth, const http::RequestHead& head) {
  Claimed c;
  const std::string_view prefix = "AWS4-HMAC-SHA256 ";
  if (!auth.starts_with(prefix)) {
    return Failed{Malformed(false, "The authorization header is malformed; the authorization mechanism is "
                                   "not supported: only AWS4-HMAC-SHA256 is.")};
  }
  bool credential = false;
  std::string_view rest = auth.substr(prefix.size());
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view part = TrimBlanks(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (part.starts_with("Credential=")) {
      credential = SplitCredential(part.substr(11), c);
      if (!credential) {
        return Failed{Malformed(false, "The authorization header is malformed; the Credential is mal-formed; "
                                       "expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")};
      }
    } else if (part.starts_with("SignedHeaders=")) {
      c.signed_headers = part.substr(14);
    } else if (part.starts_with("Signature=")) {
      c.signature = part.substr(10);
    }
  }
  std::string missing;
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (c.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (c.signed_headers.empty()) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  c.amz_date = head.Header("x-amz-date");
  if (c.amz_date.empty()) {
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) return Failed{Malformed(false, missing + "Authorization=" + std::string(auth.substr(0, 512)))};
  return c;
}

Expected<Claimed, AuthFailure> FromQuery(std::string_view query) {
  Claimed c;
  c.presigned = true;
  std::string algorithm, credential, expires;
  size_t i = 0;
  while (i < query.size()) {
    size_t j = query.find('&', i);
    if (j == std::string_view::npos) j = query.size();
    const std::string_view pair = query.substr(i, j - i);
    i = j + 1;
    const size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    if (!name.starts_with("X-Amz-") || eq == std::string_view::npos) continue;
    std::string value = sigv4::UriDecode(pair.substr(eq + 1));
    if (name == "X-Amz-Algorithm") algorithm = std::move(value);
    else if (name == "X-Amz-Credential") credential = std::move(value);
    else if (name == "X-Amz-Date") c.amz_date = std::move(value);
    else if (name == "X-Amz-Expires") expires = std::move(value);
    else if (name == "X-Amz-SignedHeaders") c.signed_headers = std::move(value);
    else if (name == "X-Amz-Signature") c.signature = std::move(value);
  }
  if (algorithm.empty() || credential.empty() || c.amz_date.empty() || expires.empty() ||
      c.signed_headers.empty() || c.signature.empty()) {
    return Failed{Malformed(true, std::string(kQueryParamsRequired))};
  }
  if (algorithm != sigv4::kAlgorithm) {
    return Failed{Malformed(true, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")};
  }
  if (!SplitCredential(credential, c)) {
    return Failed{Malformed(true, "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
                                  "expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")};
  }
  if (expires.front() == '-') return Failed{Malformed(true, "X-Amz-Expires must be non-negative")};
  if (expires.size() > 12 || expires.find_first_not_of("0123456789") != std::string::npos) {
    return Failed{Malformed(true, "X-Amz-Expires should be a number")};
  }
  c.expires = std::stoll(expires);
  if (c.expires > kMaxPresignExpiresSeconds) {
    return Failed{Malformed(true, "X-Amz-Expires must be less than a week (in seconds) that is, the given "
                                  "X-Amz-Expires must be less than 604800 seconds")};
  }
  return c;
}

bool HasQueryAuth(std::string_view query) {
  for (const std::string_view key : {"X-Amz-Algorithm=", "X-Amz-Credential=", "X-Amz-Signature="}) {
    const size_t at = query.find(key);
    if (at != std::string_view::npos && (at == 0 || query[at - 1] == '&')) return true;
  }
  return false;
}

// ISO 8601 as S3 writes times in its error documents: "2015-08-30T12:36:00Z".
std::string IsoTime(int64_t unix_seconds) {
  const std::string d = sigv4::FormatAmzDate(unix_seconds);
  return fmt::format("{}-{}-{}T{}:{}:{}Z", d.substr(0, 4), d.substr(4, 2), d.substr(6, 2), d.substr(9, 2),
                     d.substr(11, 2), d.substr(13, 2));
}

std::string SpacedHex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 3);
  for (const char b : bytes) {
    if (!out.empty()) out.push_back(' ');
    out += HexEncode(std::string_view(&b, 1));
  }
  return out;
}

std::optional<AuthFailure> CheckTime(const Claimed& c, int64_t date, int64_t now_ms, const SigV4Rules& rules) {
  const int64_t now = now_ms / 1000;
  const int64_t skew = rules.max_skew_ms / 1000;
  const int64_t minutes = rules.max_skew_ms / 60000;
  const auto skewed = [&](std::string json) {
    AuthFailure f = Fail(AuthError::kTimeSkewed, std::move(json),
                         "The difference between the request time and the current time is too large.");
    f.s3_details = {{"RequestTime", c.amz_date},
                    {"ServerTime", IsoTime(now)},
                    {"MaxAllowedSkewMilliseconds", std::to_string(rules.max_skew_ms)}};
    return f;
  };
  if (date > now + skew) {
    return skewed(fmt::format("Signature not yet current: {} is still later than {} ({} + {} min.)", c.amz_date,
                              sigv4::FormatAmzDate(now + skew), sigv4::FormatAmzDate(now), minutes));
  }
  if (c.presigned) {
    if (now <= date + c.expires) return std::nullopt;
    AuthFailure f = Fail(AuthError::kPresignExpired,
                         fmt::format("Signature expired: {} is now earlier than {} ({} - {} sec.)", c.amz_date,
                                     sigv4::FormatAmzDate(now - c.expires), sigv4::FormatAmzDate(now), c.expires),
                         "Request has expired");
    f.s3_details = {{"X-Amz-Expires", std::to_string(c.expires)},
                    {"Expires", IsoTime(date + c.expires)},
                    {"ServerTime", IsoTime(now)}};
    return f;
  }
  if (date < now - skew) {
    return skewed(fmt::format("Signature expired: {} is now earlier than {} ({} - {} min.)", c.amz_date,
                              sigv4::FormatAmzDate(now - skew), sigv4::FormatAmzDate(now), minutes));
  }
  return std::nullopt;
}

// The signed headers' canonical form, values taken from the request.
Expected<sigv4::CanonicalHeaders, AuthFailure> SignedHeaderValues(const Claimed& c, const http::RequestHead& head) {
  sigv4::CanonicalHeaders out;
  std::vector<std::string> seen;
  std::string_view names = c.signed_headers;
  while (!names.empty()) {
    const size_t semi = names.find(';');
    const std::string name = AsciiLower(names.substr(0, semi));
    names = semi == std::string_view::npos ? std::string_view{} : names.substr(semi + 1);
    if (name.empty() || std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    if (seen.size() == kMaxSignedHeaders) {
      return Failed{Malformed(c.presigned, "The request signs more headers than sluice accepts (64)")};
    }
    seen.push_back(name);
    bool found = false;
    for (const auto& [n, v] : head.headers) {
      if (n != name) continue;
      out.Add(n, v);
      found = true;
    }
    // HTTP/2 carries the host as :authority, which the JS SDK signs under that name.
    const bool is_host = name == "host" || name == ":authority";
    if (!found) out.Add(name, is_host ? std::string_view(head.host) : std::string_view());
  }
  return out;
}

bool IsHexSha256(std::string_view s) {
  if (s.size() != 64) return false;
  for (const char ch : s) {
    if (HexDigitValue(ch) < 0) return false;
  }
  return true;
}

// The payload line of the canonical request and what it promises.
Expected<std::pair<std::string, PayloadMode>, AuthFailure> PayloadOf(const Claimed& c, const http::RequestHead& head,
                                                                     const SigV4Rules& rules, const std::string* body) {
  const std::string_view declared = head.Header("x-amz-content-sha256");
  if (declared.empty()) {
    if (c.presigned && (rules.s3_payload || body == nullptr)) {
      return std::pair{std::string(sigv4::kUnsignedPayload), PayloadMode::kUnsigned};
    }
    if (rules.s3_payload || body == nullptr) {
      return Failed{Fail(AuthError::kMissingContentSha256, "Missing required header: x-amz-content-sha256",
                         "Missing required header for this request: x-amz-content-sha256")};
    }
    return std::pair{Sha256Hex(*body), PayloadMode::kUnsigned};
  }
  static constexpr std::pair<std::string_view, PayloadMode> kModes[] = {
      {"UNSIGNED-PAYLOAD", PayloadMode::kUnsigned},
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD", PayloadMode::kStreamingSigned},
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", PayloadMode::kStreamingSignedTrailer},
      {"STREAMING-UNSIGNED-PAYLOAD-TRAILER", PayloadMode::kStreamingUnsignedTrailer},
  };
  for (const auto& [name, mode] : kModes) {
    if (declared == name) return std::pair{std::string(declared), mode};
  }
  if (IsHexSha256(declared)) return std::pair{std::string(declared), PayloadMode::kSha256};
  return Failed{Fail(AuthError::kInvalidContentSha256, "Invalid x-amz-content-sha256 header",
                     "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
                     "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
                     "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "
                     "or a valid sha256 value.")};
}

std::string CanonicalPathFor(const http::RequestHead& head, const SigV4Rules& rules) {
  if (rules.path == sigv4::PathCanonicalization::kAsIs) {
    // S3 signs the URI-encoded key; clients differ in which characters they escape
    // on the wire, so the wire path is decoded and encoded the canonical way.
    const std::string_view path = head.Path().empty() ? std::string_view("/") : head.Path();
    return sigv4::UriEncode(sigv4::UriDecode(path), false);
  }
  return sigv4::CanonicalPath(head.Path(), rules.path);
}

}  // namespace

SigV4Verifier::SigV4Verifier(CredentialStore credentials, const Clock& clock)
    : credentials_(std::move(credentials)), clock_(clock) {}

Expected<VerifiedHead, AuthFailure> SigV4Verifier::Verify(const http::RequestHead& head, const SigV4Rules& rules,
                                                          const std::string* body) const {
  if (!enforcing()) return VerifiedHead{};
  const std::string_view auth = head.Header("authorization");
  const bool query_auth = HasQueryAuth(head.Query());
  if (auth.empty() && !query_auth) {
    return Failed{Fail(AuthError::kMissingAuthentication, "Missing Authentication Token", "Access Denied")};
  }
  if (!auth.empty() && query_auth) {
    return Failed{Malformed(false, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' "
                                   "as HTTP header.")};
  }
  auto claimed = query_auth ? FromQuery(head.Query()) : FromHeader(auth, head);
  if (!claimed.ok()) return Failed{std::move(claimed).error()};
  const Claimed& c = *claimed;

  const std::string* secret = credentials_.SecretFor(c.access_key);
  if (secret == nullptr) {
    AuthFailure f = Fail(AuthError::kUnknownAccessKey, "The security token included in the request is invalid.",
                         "The AWS Access Key Id you provided does not exist in our records.");
    f.s3_details = {{"AWSAccessKeyId", c.access_key}};
    return Failed{std::move(f)};
  }
  const auto date = sigv4::ParseAmzDate(c.amz_date);
  if (!date) {
    return Failed{Malformed(c.presigned, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")};
  }
  if (c.amz_date.substr(0, 8) != c.date8) {
    return Failed{Malformed(c.presigned, "The authorization header is malformed; Invalid credential date. Date is "
                                         "not the same as X-Amz-Date.")};
  }
  if (auto f = CheckTime(c, *date, clock_.NowMillis(), rules)) return Failed{std::move(*f)};

  auto payload = PayloadOf(c, head, rules, body);
  if (!payload.ok()) return Failed{std::move(payload).error()};
  auto headers = SignedHeaderValues(c, head);
  if (!headers.ok()) return Failed{std::move(headers).error()};
  const std::string creq =
      sigv4::CanonicalRequest(head.method, CanonicalPathFor(head, rules),
                              sigv4::CanonicalQuery(head.Query(), c.presigned ? "X-Amz-Signature" : ""), *headers,
                              payload->first);
  VerifiedHead v;
  v.scope = sigv4::CredentialScope(c.date8, c.region, c.service);
  v.amz_date = c.amz_date;
  const std::string sts = sigv4::StringToSign(c.amz_date, v.scope, creq);
  v.signing_key = sigv4::DeriveSigningKey(*secret, c.date8, c.region, c.service);
  v.seed_signature = sigv4::Sign(v.signing_key, sts);
  if (!sigv4::SignaturesEqual(v.seed_signature, AsciiLower(c.signature))) {
    AuthFailure f = SignatureMismatch();
    f.s3_details = {{"AWSAccessKeyId", c.access_key}, {"StringToSign", sts},
                    {"SignatureProvided", c.signature}, {"StringToSignBytes", SpacedHex(sts)},
                    {"CanonicalRequest", creq},         {"CanonicalRequestBytes", SpacedHex(creq)}};
    return Failed{std::move(f)};
  }
  v.payload = payload->second;
  if (v.payload == PayloadMode::kSha256) {
    v.payload_sha256 = AsciiLower(payload->first);
    if (body != nullptr) {
      const std::string computed = Sha256Hex(*body);
      if (computed != v.payload_sha256) return Failed{ContentSha256Mismatch(payload->first, computed)};
      v.payload = PayloadMode::kUnsigned;  // checked
    }
  }
  return v;
}

}  // namespace sluice::awsproto
