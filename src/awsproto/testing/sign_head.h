// Test-only: signs an http::RequestHead as an AWS SDK would (Authorization header or
// presigned query), with the same core as the real signer, so tests of the verifier
// and the gateway can build authentic and tampered requests.
#pragma once

#include <string>
#include <string_view>

#include "base/sigv4_core.h"
#include "http/types.h"

namespace sluice::awsproto::testing {

struct Signer {
  std::string key = "AKIDEXAMPLE";
  std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  std::string region = "us-east-1";
  std::string service = "service";
  std::string amz_date = "20150830T123600Z";
  sigv4::PathCanonicalization path = sigv4::PathCanonicalization::kNormalizeAndEncode;

  std::string Scope() const { return sigv4::CredentialScope(amz_date.substr(0, 8), region, service); }
  Sha256Digest SigningKey() const { return sigv4::DeriveSigningKey(secret, amz_date.substr(0, 8), region, service); }

  sigv4::CanonicalHeaders Headers(const http::RequestHead& h) const {
    sigv4::CanonicalHeaders out;
    for (const auto& [n, v] : h.headers) out.Add(n, v);
    return out;
  }

  // Adds x-amz-date and Authorization; every header present is signed.
  void SignHeader(http::RequestHead& h, std::string_view payload_hash) const {
    h.headers.emplace_back("x-amz-date", amz_date);
    const sigv4::CanonicalHeaders headers = Headers(h);
    const std::string creq = sigv4::CanonicalRequest(h.method, sigv4::CanonicalPath(h.Path(), path),
                                                     sigv4::CanonicalQuery(h.Query()), headers, payload_hash);
    const std::string sig = sigv4::Sign(SigningKey(), sigv4::StringToSign(amz_date, Scope(), creq));
    h.headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=" + key + "/" + Scope() +
                                                ", SignedHeaders=" + headers.SignedNames() + ", Signature=" + sig);
  }

  // Appends the presigned parameters to the target (signing only `host`).
  void Presign(http::RequestHead& h, int64_t expires) const {
    std::string q(h.Query());
    if (!q.empty()) q += '&';
    q += "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + sigv4::UriEncode(key + "/" + Scope(), true) +
         "&X-Amz-Date=" + amz_date + "&X-Amz-Expires=" + std::to_string(expires) + "&X-Amz-SignedHeaders=host";
    h.target = std::string(h.Path()) + "?" + q;
    sigv4::CanonicalHeaders headers;
    headers.Add("host", h.host);
    const std::string creq = sigv4::CanonicalRequest(h.method, sigv4::CanonicalPath(h.Path(), path),
                                                     sigv4::CanonicalQuery(q), headers, sigv4::kUnsignedPayload);
    h.target += "&X-Amz-Signature=" + sigv4::Sign(SigningKey(), sigv4::StringToSign(amz_date, Scope(), creq));
  }
};

}  // namespace sluice::awsproto::testing
