#include "awsproto/rest_json.h"

#include "awsproto/codec.h"
#include "awsproto/request_id.h"
#include "base/sigv4_core.h"

namespace sluice::awsproto {
namespace {

// Splits "/a/b/c" into {"a","b","c"}; a trailing "/" is dropped.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  if (path.ends_with('/')) path.remove_suffix(1);
  if (path.empty()) return out;
  // Empty segments are kept ("a//b" has three), so they never match a label.
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::optional<RestMatch> MatchOne(const RestRoute& route, const std::vector<std::string_view>& got) {
  const std::vector<std::string_view> want = Segments(route.pattern);
  if (want.size() != got.size()) return std::nullopt;
  RestMatch m;
  m.operation = route.operation;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].starts_with('{') && want[i].ends_with('}')) {
      if (got[i].empty()) return std::nullopt;
      m.labels.emplace_back(want[i].substr(1, want[i].size() - 2), sigv4::UriDecode(got[i]));
    } else if (want[i] != got[i]) {
      return std::nullopt;
    }
  }
  return m;
}

}  // namespace

std::string_view RestMatch::Label(std::string_view name) const {
  for (const auto& [k, v] : labels) {
    if (k == name) return v;
  }
  return {};
}

std::optional<RestMatch> RestRouter::Match(std::string_view method, std::string_view path) const {
  const std::vector<std::string_view> got = Segments(path);
  for (const RestRoute& r : routes_) {
    if (r.method != method) continue;
    if (auto m = MatchOne(r, got)) return m;
  }
  return std::nullopt;
}

bool RestRouter::KnowsPath(std::string_view path) const {
  const std::vector<std::string_view> got = Segments(path);
  for (const RestRoute& r : routes_) {
    if (MatchOne(r, got)) return true;
  }
  return false;
}

bool RestRouter::ClaimsPrefix(std::string_view path) const {
  const std::vector<std::string_view> got = Segments(path);
  if (got.empty()) return false;
  for (const RestRoute& r : routes_) {
    const std::vector<std::string_view> want = Segments(r.pattern);
    if (!want.empty() && want[0] == got[0]) return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    if (!part.empty()) {
      const size_t eq = part.find('=');
      std::string key = sigv4::UriDecode(part.substr(0, eq));
      std::string value = eq == std::string_view::npos ? "" : sigv4::UriDecode(part.substr(eq + 1));
      out.emplace_back(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::optional<std::string> QueryValue(const std::vector<std::pair<std::string, std::string>>& query,
                                      std::string_view key) {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return std::nullopt;
}

http::Response RestJsonResponse(int status, std::string body) {
  http::Response r;
  r.status = status;
  if (!body.empty()) r.headers.emplace_back("content-type", "application/json");
  r.headers.emplace_back("x-amzn-requestid", NewUuidRequestId());
  r.body = std::move(body);
  return r;
}

http::Response RestJsonError(int status, std::string_view type, std::string_view message) {
  BodyWriter w(BodyEncoding::kJson);
  w.BeginMap().Key("Type").String(status >= 500 ? "Service" : "User").Key("message").String(message).End();
  http::Response r = RestJsonResponse(status, w.Take());
  r.headers.emplace_back("x-amzn-errortype", std::string(type));
  return r;
}

}  // namespace sluice::awsproto
