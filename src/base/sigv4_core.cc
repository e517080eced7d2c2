#include "base/sigv4_core.h"

#include <algorithm>
#include <ctime>

#include "base/ascii.h"
#include "base/hex.h"

namespace sluice::sigv4 {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// Trims and collapses runs of spaces to one, as the spec asks for header values.
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (const char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// RFC 3986 section 5.2.4 dot-segment removal, plus collapsing empty segments, which
// is what the suite's normalize-path vectors expect.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    const std::string_view seg = path.substr(i, j - i);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(seg);
    }
    i = j + 1;
  }
  const bool trailing_slash =
      !path.empty() && (path.back() == '/' || path.ends_with("/.") || path.ends_with("/.."));
  std::string result = "/";
  for (size_t k = 0; k < out.size(); ++k) {
    if (k > 0) result.push_back('/');
    result.append(out[k]);
  }
  if (trailing_slash && !out.empty()) result.push_back('/');
  return result;
}

std::string_view AsView(const Sha256Digest& d) {
  return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
}

// The four-line chained string to sign of aws-chunked bodies.
std::string ChainedStringToSign(std::string_view algorithm, std::string_view amz_date,
                                std::string_view scope, std::string_view previous, std::string_view last) {
  std::string out(algorithm);
  for (const std::string_view part : {amz_date, scope, previous}) {
    out.push_back('\n');
    out += part;
  }
  out.push_back('\n');
  out += last;
  return out;
}

}  // namespace

std::string UriEncode(std::string_view s, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string UriDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexDigitValue(s[i + 1]);
      const int lo = HexDigitValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string FormatAmzDate(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  const size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

std::optional<int64_t> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  const auto num = [&](size_t at, size_t len) -> int {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
      tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  const int64_t t = static_cast<int64_t>(timegm(&tm));
  if (FormatAmzDate(t) != text) return std::nullopt;  // e.g. February 30th
  return t;
}

std::string CanonicalPath(std::string_view path, PathCanonicalization mode) {
  if (path.empty()) return "/";
  if (mode == PathCanonicalization::kAsIs) return std::string(path);
  return UriEncode(NormalizePath(path), false);
}

std::string CanonicalQuery(std::string_view query, std::string_view omit) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t i = 0;
  while (i < query.size()) {
    size_t j = query.find('&', i);
    if (j == std::string_view::npos) j = query.size();
    const std::string_view pair = query.substr(i, j - i);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string k = UriDecode(pair.substr(0, eq));
      const std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      if (omit.empty() || k != omit) params.emplace_back(UriEncode(k, true), UriEncode(UriDecode(v), true));
    }
    i = j + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

void CanonicalHeaders::Add(std::string_view name, std::string_view value) {
  std::string lower = AsciiLower(name);
  std::string v = CanonicalHeaderValue(value);
  auto it = std::lower_bound(headers_.begin(), headers_.end(), lower,
                             [](const auto& h, const std::string& n) { return h.first < n; });
  if (it != headers_.end() && it->first == lower) {
    it->second += ',';
    it->second += v;
    return;
  }
  headers_.emplace(it, std::move(lower), std::move(v));
}

std::string CanonicalHeaders::Block() const {
  std::string out;
  for (const auto& [name, value] : headers_) {
    out += name;
    out.push_back(':');
    out += value;
    out.push_back('\n');
  }
  return out;
}

std::string CanonicalHeaders::SignedNames() const {
  std::string out;
  for (const auto& [name, value] : headers_) {
    if (!out.empty()) out.push_back(';');
    out += name;
  }
  return out;
}

std::string CanonicalRequest(std::string_view method, std::string_view canonical_path,
                             std::string_view canonical_query, const CanonicalHeaders& headers,
                             std::string_view payload_hash) {
  std::string out;
  out.reserve(256);
  out += method;
  out.push_back('\n');
  out += canonical_path;
  out.push_back('\n');
  out += canonical_query;
  out.push_back('\n');
  out += headers.Block();
  out.push_back('\n');
  out += headers.SignedNames();
  out.push_back('\n');
  out += payload_hash;
  return out;
}

std::string CredentialScope(std::string_view date8, std::string_view region, std::string_view service) {
  std::string out(date8);
  out += '/';
  out += region;
  out += '/';
  out += service;
  out += "/aws4_request";
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view credential_scope,
                         std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out += amz_date;
  out.push_back('\n');
  out += credential_scope;
  out.push_back('\n');
  out += Sha256Hex(canonical_request);
  return out;
}

Sha256Digest DeriveSigningKey(std::string_view secret_access_key, std::string_view date8,
                              std::string_view region, std::string_view service) {
  const std::string k_secret = "AWS4" + std::string(secret_access_key);
  const Sha256Digest k_date = HmacSha256(k_secret, date8);
  const Sha256Digest k_region = HmacSha256(AsView(k_date), region);
  const Sha256Digest k_service = HmacSha256(AsView(k_region), service);
  return HmacSha256(AsView(k_service), "aws4_request");
}

std::string Sign(const Sha256Digest& signing_key, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(AsView(signing_key), string_to_sign));
}

std::string ChunkStringToSign(std::string_view amz_date, std::string_view credential_scope,
                              std::string_view previous_signature, std::string_view chunk_sha256_hex) {
  // The fifth line is the hash of the empty string (there are no chunk headers).
  static const std::string kEmptyHash = Sha256Hex("");
  return ChainedStringToSign("AWS4-HMAC-SHA256-PAYLOAD", amz_date, credential_scope, previous_signature,
                             kEmptyHash + "\n" + std::string(chunk_sha256_hex));
}

std::string TrailerStringToSign(std::string_view amz_date, std::string_view credential_scope,
                                std::string_view previous_signature, std::string_view trailer_sha256_hex) {
  return ChainedStringToSign("AWS4-HMAC-SHA256-TRAILER", amz_date, credential_scope, previous_signature,
                             trailer_sha256_hex);
}

bool SignaturesEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace sluice::sigv4
