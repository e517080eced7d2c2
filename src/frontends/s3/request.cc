#include "internal/request.h"

#include <cstdint>
#include <ctime>

#include "aws/sigv4.h"

namespace sluice::frontends::s3 {
namespace {

std::string_view HostWithoutPort(std::string_view host) {
  if (host.starts_with("[")) return host;  // IPv6 literal: never a bucket name
  if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  return host;
}

std::string QueryDecode(std::string_view s) {
  std::string plus(s);
  for (char& c : plus) {
    if (c == '+') c = ' ';
  }
  return aws::UriDecode(plus);
}

bool ETagMatches(std::string_view header, const std::string& etag) {
  // A list of quoted ETags, or "*".
  size_t i = 0;
  while (i < header.size()) {
    size_t comma = header.find(',', i);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view one = header.substr(i, comma - i);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one.starts_with("W/")) one.remove_prefix(2);
    if (one.size() >= 2 && one.front() == '"' && one.back() == '"') one = one.substr(1, one.size() - 2);
    if (one == "*" || one == etag) return true;
    i = comma + 1;
  }
  return false;
}

}  // namespace

S3Address ParseS3Address(const RequestHead& head) {
  S3Address a;
  std::string_view path = head.Path();
  if (path.starts_with("/")) path.remove_prefix(1);
  const std::string_view host = HostWithoutPort(head.host);
  for (std::string_view suffix : {std::string_view(".s3.localhost"), std::string_view(".localhost")}) {
    if (host.size() > suffix.size() && host.ends_with(suffix)) {
      a.bucket = std::string(host.substr(0, host.size() - suffix.size()));
      a.key = aws::UriDecode(path);
      a.virtual_host = true;
      return a;
    }
  }
  const size_t slash = path.find('/');
  a.bucket = aws::UriDecode(path.substr(0, slash));
  if (slash != std::string_view::npos) a.key = aws::UriDecode(path.substr(slash + 1));
  return a;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i <= query.size() && !query.empty()) {
    size_t amp = query.find('&', i);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view pair = query.substr(i, amp - i);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        out.emplace(QueryDecode(pair), "");
      } else {
        out.emplace(QueryDecode(pair.substr(0, eq)), QueryDecode(pair.substr(eq + 1)));
      }
    }
    if (amp == query.size()) break;
    i = amp + 1;
  }
  return out;
}

std::optional<uint64_t> ParseDecimal(std::string_view s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits || max_digits > 19) return std::nullopt;
  uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::optional<int> ParseS3Integer(std::string_view s) {
  const auto v = ParseDecimal(s, 10);
  if (!v || *v > 2147483647u) return std::nullopt;
  return static_cast<int>(*v);
}

namespace {

// A Range position: decimal digits only, any number of them. A value past uint64
// saturates: S3 reads "bytes=0-99999999999999999999" as "to the last byte" (206) and
// "bytes=99999999999999999999-" as past the end (416), not as a malformed header.
std::optional<uint64_t> RangePosition(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  bool saturated = false;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<uint64_t>(c - '0');
    if (saturated || v > (UINT64_MAX - d) / 10) {
      saturated = true;
      continue;
    }
    v = v * 10 + d;
  }
  return saturated ? UINT64_MAX : v;
}

// Whether decimal `a` < decimal `b` (digits only), exactly, whatever their length.
bool DecimalLess(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace

std::optional<objects::RangeSpec> ParseRange(std::string_view header) {
  if (!header.starts_with("bytes=")) return std::nullopt;
  header.remove_prefix(6);
  if (header.find(',') != std::string_view::npos) return std::nullopt;  // multiple ranges
  const size_t dash = header.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  objects::RangeSpec r;
  const std::string_view a = header.substr(0, dash), b = header.substr(dash + 1);
  if (a.empty()) {
    r.last = RangePosition(b);
    if (!r.last) return std::nullopt;
    return r;
  }
  r.first = RangePosition(a);
  if (!r.first) return std::nullopt;
  if (!b.empty()) {
    r.last = RangePosition(b);
    // Compared as written: two saturated positions may still be in the wrong order.
    if (!r.last || DecimalLess(b, a)) return std::nullopt;
  }
  return r;
}

std::string HttpDate(int64_t unix_ms) {
  const time_t t = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  const std::string s(text);
  struct tm tm {};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr) end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

objects::ObjectMeta MetaFromHeaders(const RequestHead& head) {
  objects::ObjectMeta m;
  m.content_type = std::string(head.Header("content-type"));
  std::string enc(head.Header("content-encoding"));
  // aws-chunked describes the transfer, not the object: S3 drops it.
  if (const size_t p = enc.find("aws-chunked"); p != std::string::npos) {
    enc.erase(p, 11);
    while (!enc.empty() && (enc.front() == ',' || enc.front() == ' ')) enc.erase(0, 1);
    while (!enc.empty() && (enc.back() == ',' || enc.back() == ' ')) enc.pop_back();
  }
  m.content_encoding = enc;
  m.content_disposition = std::string(head.Header("content-disposition"));
  m.cache_control = std::string(head.Header("cache-control"));
  for (const auto& [name, value] : head.headers) {
    if (name.starts_with("x-amz-meta-")) m.user.emplace_back(name.substr(11), value);
  }
  return m;
}

void MetaToHeaders(const objects::ObjectMeta& meta, Headers& out) {
  out.emplace_back("content-type", meta.content_type.empty() ? "binary/octet-stream" : meta.content_type);
  if (!meta.content_encoding.empty()) out.emplace_back("content-encoding", meta.content_encoding);
  if (!meta.content_disposition.empty()) out.emplace_back("content-disposition", meta.content_disposition);
  if (!meta.cache_control.empty()) out.emplace_back("cache-control", meta.cache_control);
  for (const auto& [name, value] : meta.user) out.emplace_back("x-amz-meta-" + name, value);
}

int EvaluateConditions(const RequestHead& head, const objects::ObjectInfo& info) {
  const int64_t mtime_s = info.last_modified_ms / 1000;
  const std::string_view if_match = head.Header("if-match");
  const std::string_view if_none_match = head.Header("if-none-match");
  if (!if_match.empty()) {
    if (!ETagMatches(if_match, info.etag)) return 412;
  } else if (const auto since = ParseHttpDate(head.Header("if-unmodified-since")); since) {
    if (mtime_s > *since) return 412;
  }
  if (!if_none_match.empty()) {
    if (ETagMatches(if_none_match, info.etag)) return 304;
  } else if (const auto since = ParseHttpDate(head.Header("if-modified-since")); since) {
    if (mtime_s <= *since) return 304;
  }
  return 0;
}

}  // namespace sluice::frontends::s3
