#include "aws/sigv4.h"

#include <algorithm>

#include "base/ascii.h"
#include "base/hex.h"

namespace sluice::aws {
namespace {

sigv4::CanonicalHeaders HeadersOf(const HttpRequest& request) {
  sigv4::CanonicalHeaders headers;
  for (const HttpHeader& h : request.headers) headers.Add(h.name, h.value);
  return headers;
}

}  // namespace

std::string SignedHeaders(const HttpRequest& request) { return HeadersOf(request).SignedNames(); }

std::string CanonicalRequest(const HttpRequest& request, std::string_view payload_hash,
                             PathCanonicalization path) {
  return sigv4::CanonicalRequest(request.method, sigv4::CanonicalPath(request.path, path),
                                 sigv4::CanonicalQuery(request.query), HeadersOf(request), payload_hash);
}

std::string CredentialScope(std::string_view amz_date, const SigningScope& scope) {
  return sigv4::CredentialScope(amz_date.substr(0, 8), scope.region, scope.service);
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
  const std::string signature = sigv4::Sign(key, sts);

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
