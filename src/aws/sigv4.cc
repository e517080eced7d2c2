#include "aws/sigv4.h"

#include <algorithm>
#include <ctime>
#include <vector>

#include "base/ascii.h"
#include "base/hex.h"

namespace sluice::aws {
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

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t i = 0;
  while (i < query.size()) {
    size_t j = query.find('&', i);
    if (j == std::string_view::npos) j = query.size();
    const std::string_view pair = query.substr(i, j - i);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string_view k = pair.substr(0, eq);
      const std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      params.emplace_back(UriEncode(UriDecode(k), true), UriEncode(UriDecode(v), true));
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

// Lowercased names with their values joined by ',' in arrival order, sorted by name.
std::vector<std::pair<std::string, std::string>> CanonicalHeaders(const HttpRequest& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const HttpHeader& h : request.headers) {
    std::string name = AsciiLower(h.name);
    std::string value = CanonicalHeaderValue(h.value);
    auto it = std::find_if(headers.begin(), headers.end(), [&](const auto& p) { return p.first == name; });
    if (it != headers.end()) {
      it->second += ',';
      it->second += value;
    } else {
      headers.emplace_back(std::move(name), std::move(value));
    }
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return headers;
}

std::string_view AsView(const Sha256Digest& d) {
  return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
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

std::string SignedHeaders(const HttpRequest& request) {
  std::string out;
  for (const auto& [name, value] : CanonicalHeaders(request)) {
    if (!out.empty()) out.push_back(';');
    out += name;
  }
  return out;
}

std::string CanonicalRequest(const HttpRequest& request, std::string_view payload_hash,
                             PathCanonicalization path) {
  std::string out;
  out.reserve(256);
  out += request.method;
  out.push_back('\n');
  if (path == PathCanonicalization::kNormalizeAndEncode) {
    out += UriEncode(NormalizePath(request.path.empty() ? "/" : request.path), false);
  } else {
    out += request.path.empty() ? "/" : request.path;
  }
  out.push_back('\n');
  out += CanonicalQuery(request.query);
  out.push_back('\n');
  const auto headers = CanonicalHeaders(request);
  for (const auto& [name, value] : headers) {
    out += name;
    out.push_back(':');
    out += value;
    out.push_back('\n');
  }
  out.push_back('\n');
  out += SignedHeaders(request);
  out.push_back('\n');
  out += payload_hash;
  return out;
}

std::string CredentialScope(std::string_view amz_date, const SigningScope& scope) {
  std::string out(amz_date.substr(0, 8));
  out += '/';
  out += scope.region;
  out += '/';
  out += scope.service;
  out += "/aws4_request";
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view credential_scope,
                         std::string_view canonical_request) {
  std::string out(kSigV4Algorithm);
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

Result<std::string> HostOfEndpoint(std::string_view endpoint) {
  const size_t scheme = endpoint.find("://");
  if (scheme == std::string_view::npos) {
    return Status::InvalidArgument("endpoint has no scheme: " + std::string(endpoint));
  }
  std::string_view rest = endpoint.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  if (rest.empty()) return Status::InvalidArgument("endpoint has no host: " + std::string(endpoint));
  return std::string(rest);
}

Status SignRequest(HttpRequest& request, const Credentials& credentials, const SigningScope& scope,
                   int64_t unix_seconds, std::string_view payload_hash) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("cannot sign: credentials are empty");
  }
  if (request.FindHeader("host") == nullptr) {
    ASSIGN_OR_RETURN(std::string host, HostOfEndpoint(request.endpoint));
    request.SetHeader("Host", std::move(host));
  }
  const std::string amz_date = FormatAmzDate(unix_seconds);
  request.SetHeader("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    request.SetHeader("X-Amz-Security-Token", credentials.session_token);
  }
  const std::string hash = payload_hash.empty() ? Sha256Hex(request.body) : std::string(payload_hash);
  if (scope.add_content_sha256_header) request.SetHeader("x-amz-content-sha256", hash);
  // Authorization must not sign itself when a request is signed twice (a retry).
  std::erase_if(request.headers, [](const HttpHeader& h) { return HeaderNameEquals(h.name, "authorization"); });

  const std::string creq = CanonicalRequest(request, hash, scope.path);
  const std::string cscope = CredentialScope(amz_date, scope);
  const std::string sts = StringToSign(amz_date, cscope, creq);
  const Sha256Digest key =
      DeriveSigningKey(credentials.secret_access_key, amz_date.substr(0, 8), scope.region, scope.service);
  const std::string signature = HexEncode(HmacSha256(AsView(key), sts));

  std::string authz(kSigV4Algorithm);
  authz += " Credential=";
  authz += credentials.access_key_id;
  authz += '/';
  authz += cscope;
  authz += ", SignedHeaders=";
  authz += SignedHeaders(request);
  authz += ", Signature=";
  authz += signature;
  request.headers.push_back({"Authorization", std::move(authz)});
  return Status::OK();
}

}  // namespace sluice::aws
