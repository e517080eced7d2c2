// SigV4 canonicalisation (src/aws/sigv4.h) and credential-scope parsing
// (src/awsproto/credential_scope.h), over requests built from the input. Invariants:
//   - percent-encoding round-trips and writes only the unreserved set and %XX;
//   - the canonical request has its fixed line structure; signed headers are sorted,
//     lower-case, unique and the same names as the canonical headers; the canonical
//     query is a fixed point of canonicalisation; a normalised path has no "." or ".."
//     segment and no empty one inside;
//   - the header order of different names does not change the canonical request;
//   - a request signed with SignRequest carries a credential scope that
//     ParseCredentialScope reads back exactly; any scope it parses (header or query)
//     prints back to a credential that parses the same.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "aws/sigv4.h"
#include "awsproto/credential_scope.h"
#include "check.h"

namespace aws = sluice::aws;

namespace {

bool IsHexUpper(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }
bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

void CheckEncoded(const std::string& e, bool slash_allowed) {
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i] == '%') {
      FUZZ_CHECK(i + 2 < e.size() && IsHexUpper(e[i + 1]) && IsHexUpper(e[i + 2]));
      i += 2;
    } else {
      FUZZ_CHECK(IsUnreserved(e[i]) || (slash_allowed && e[i] == '/'));
    }
  }
}

// An HTTP token (header names, methods): what the transport lets through.
std::string Token(FuzzedDataProvider& in, size_t max) {
  std::string s = in.ConsumeRandomLengthString(max);
  std::erase_if(s, [](char c) {
    return !(IsUnreserved(c) || std::string_view("!#$%&'*+^`|").find(c) != std::string_view::npos);
  });
  return s;
}

// Header values never carry CR or LF (the transport refuses them).
std::string FieldValue(FuzzedDataProvider& in) {
  std::string s = in.ConsumeRandomLengthString(200);
  std::erase_if(s, [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
  return s;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t nl = s.find('\n', start);
    out.push_back(s.substr(start, nl - start));
    if (nl == std::string::npos) return out;
    start = nl + 1;
  }
}

void CheckCanonicalRequest(const aws::HttpRequest& req, aws::PathCanonicalization mode) {
  const std::string creq = aws::CanonicalRequest(req, "UNSIGNED-PAYLOAD", mode);
  const std::vector<std::string> lines = Lines(creq);
  const std::string signed_headers = aws::SignedHeaders(req);
  // method, path, query, one line per distinct header name, "", signed headers, hash
  std::vector<std::string> names;
  for (const auto& h : req.headers) {
    std::string n = h.name;
    std::transform(n.begin(), n.end(), n.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  FUZZ_CHECK(lines.size() == 6 + names.size());
  FUZZ_CHECK(lines[0] == req.method);
  FUZZ_CHECK(lines[3 + names.size()].empty());
  FUZZ_CHECK(lines[4 + names.size()] == signed_headers);
  FUZZ_CHECK(lines[5 + names.size()] == "UNSIGNED-PAYLOAD");
  std::string joined;
  for (size_t i = 0; i < names.size(); ++i) {
    FUZZ_CHECK(lines[3 + i].starts_with(names[i] + ":"));
    joined += (i ? ";" : "") + names[i];
  }
  FUZZ_CHECK(joined == signed_headers);

  const std::string& path = lines[1];
  FUZZ_CHECK(path.starts_with("/"));
  if (mode == aws::PathCanonicalization::kNormalizeAndEncode) {
    CheckEncoded(path, true);
    const std::string decoded = aws::UriDecode(path);
    std::vector<std::string> segs;
    for (size_t start = 1;;) {
      const size_t slash = decoded.find('/', start);
      segs.push_back(decoded.substr(start, slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    for (size_t i = 0; i < segs.size(); ++i) {
      FUZZ_CHECK(segs[i] != "." && segs[i] != "..");
      FUZZ_CHECK(!segs[i].empty() || i + 1 == segs.size());
    }
  } else {
    FUZZ_CHECK(path == (req.path.empty() ? "/" : req.path));
  }

  // Canonicalising the canonical query again changes nothing.
  const std::string& query = lines[2];
  aws::HttpRequest again = req;
  again.query = query;
  FUZZ_CHECK(Lines(aws::CanonicalRequest(again, "UNSIGNED-PAYLOAD", mode))[2] == query);
  for (const std::string_view pair : Lines([&] {
         std::string s = query;
         std::replace(s.begin(), s.end(), '&', '\n');
         return s;
       }())) {
    if (query.empty()) break;
    const size_t eq = pair.find('=');
    FUZZ_CHECK(eq != std::string_view::npos);
    CheckEncoded(std::string(pair.substr(0, eq)), false);
    CheckEncoded(std::string(pair.substr(eq + 1)), false);
  }

  // Headers with different names may arrive in any order.
  aws::HttpRequest reordered = req;
  std::stable_sort(reordered.headers.begin(), reordered.headers.end(), [](const auto& a, const auto& b) {
    std::string x = a.name, y = b.name;
    for (auto* s : {&x, &y}) {
      std::transform(s->begin(), s->end(), s->begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
    }
    return x > y;
  });
  FUZZ_CHECK(aws::CanonicalRequest(reordered, "UNSIGNED-PAYLOAD", mode) == creq);
}

void CheckScopeReprints(const sluice::awsproto::CredentialScope& s) {
  FUZZ_CHECK(!s.service.empty());
  for (const std::string* part : {&s.access_key, &s.date, &s.region, &s.service}) {
    FUZZ_CHECK(part->find('/') == std::string::npos);
  }
  const std::string credential = s.access_key + "/" + s.date + "/" + s.region + "/" + s.service + "/aws4_request";
  sluice::http::RequestHead query;
  query.target = "/?X-Amz-Credential=" + aws::UriEncode(credential, true);
  const auto q = sluice::awsproto::ParseCredentialScope(query);
  FUZZ_CHECK(q && q->access_key == s.access_key && q->date == s.date && q->region == s.region &&
             q->service == s.service);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  aws::HttpRequest req;
  req.method = Token(in, 16);
  req.endpoint = "https://example.com";
  // What a request target can hold (the transport refuses the rest): origin-form,
  // starting with '/', no control characters or spaces.
  auto target_text = [](std::string s) {
    std::erase_if(s, [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
    return s;
  };
  req.path = "/" + target_text(in.ConsumeRandomLengthString(300));
  req.query = target_text(in.ConsumeRandomLengthString(300));
  const int header_count = in.ConsumeIntegralInRange<int>(0, 8);
  for (int i = 0; i < header_count; ++i) {
    std::string name = Token(in, 24);
    if (name.empty()) name = "x";
    req.headers.push_back({name, FieldValue(in)});
  }
  const std::string region = Token(in, 20), service = Token(in, 20);
  const std::string raw = in.ConsumeRemainingBytesAsString();

  for (const bool slash : {true, false}) {
    const std::string e = aws::UriEncode(raw, slash);
    CheckEncoded(e, !slash);
    FUZZ_CHECK(aws::UriDecode(e) == raw);
  }
  CheckCanonicalRequest(req, aws::PathCanonicalization::kNormalizeAndEncode);
  CheckCanonicalRequest(req, aws::PathCanonicalization::kAsIs);

  // Sign, then read the scope back the way the gateway routes.
  if (!service.empty() && region.find_first_of("/,") == std::string::npos &&
      service.find_first_of("/,") == std::string::npos) {
    aws::HttpRequest signed_req = req;
    const aws::SigningScope scope{region, service};
    FUZZ_CHECK(aws::SignRequest(signed_req, {"AKIDEXAMPLE", "secret", ""}, scope, 1440938160).ok());
    sluice::http::RequestHead head;
    head.target = "/";
    head.headers.emplace_back("authorization", *signed_req.FindHeader("authorization"));
    const auto parsed = sluice::awsproto::ParseCredentialScope(head);
    FUZZ_CHECK(parsed && parsed->access_key == "AKIDEXAMPLE" && parsed->date == "20150830" &&
               parsed->region == region && parsed->service == service);
  }

  // Any credential the parser accepts, from a header or a query, prints back.
  sluice::http::RequestHead from_header;
  from_header.headers.emplace_back("authorization", raw);
  if (const auto s = sluice::awsproto::ParseCredentialScope(from_header)) CheckScopeReprints(*s);
  sluice::http::RequestHead from_query;
  from_query.target = "/?" + raw;
  if (const auto s = sluice::awsproto::ParseCredentialScope(from_query)) CheckScopeReprints(*s);
  return 0;
}
