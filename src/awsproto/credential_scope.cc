#include "awsproto/credential_scope.h"

#include <array>
#include <string_view>

#include "base/hex.h"

namespace sluice::awsproto {
namespace {

// Credentials are short; a longer one is not a credential scope.
constexpr size_t kMaxCredentialBytes = 512;

std::optional<CredentialScope> Split(std::string_view credential) {
  if (credential.size() > kMaxCredentialBytes) return std::nullopt;
  std::array<std::string_view, 5> parts;
  for (size_t i = 0; i < parts.size(); ++i) {
    const size_t slash = credential.find('/');
    if ((slash == std::string_view::npos) != (i + 1 == parts.size())) return std::nullopt;
    parts[i] = credential.substr(0, slash);
    credential = slash == std::string_view::npos ? std::string_view{} : credential.substr(slash + 1);
  }
  if (parts[4] != "aws4_request" || parts[3].empty()) return std::nullopt;
  return CredentialScope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                         std::string(parts[3])};
}

// The value of `Credential=` in an Authorization header, up to ',' or white space.
std::string_view FromHeader(std::string_view auth) {
  constexpr std::string_view kKey = "Credential=";
  const size_t at = auth.find(kKey);
  if (at == std::string_view::npos) return {};
  std::string_view v = auth.substr(at + kKey.size());
  const size_t end = v.find_first_of(", \t");
  return v.substr(0, end);
}

// X-Amz-Credential from the query, percent-decoded ("%2F" is how SDKs write '/').
std::optional<std::string> FromQuery(std::string_view query) {
  constexpr std::string_view kKey = "X-Amz-Credential=";
  size_t at = 0;
  while (true) {
    at = query.find(kKey, at);
    if (at == std::string_view::npos) return std::nullopt;
    if (at == 0 || query[at - 1] == '&') break;
    at += kKey.size();
  }
  std::string_view v = query.substr(at + kKey.size());
  v = v.substr(0, v.find('&'));
  if (v.size() > 3 * kMaxCredentialBytes) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && HexDigitValue(v[i + 1]) >= 0 && HexDigitValue(v[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigitValue(v[i + 1]) * 16 + HexDigitValue(v[i + 2])));
      i += 2;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

}  // namespace

std::optional<CredentialScope> ParseCredentialScope(const http::RequestHead& head) {
  const std::string_view auth = head.Header("authorization");
  if (!auth.empty()) return Split(FromHeader(auth));
  const auto query = FromQuery(head.Query());
  if (!query) return std::nullopt;
  return Split(*query);
}

}  // namespace sluice::awsproto
