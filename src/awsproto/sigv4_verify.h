// Server-side verification of AWS Signature Version 4: the Authorization header form
// and presigned URLs (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders, X-Amz-Signature), against the configured access keys and an
// injectable clock. What the head promises about the body (x-amz-content-sha256) is
// returned so the caller checks the body as it arrives (payload_check.h).
//
// With no credentials configured the verifier does not enforce: every request passes
// (sluice's loopback default). Thread-safe: immutable after construction.
#pragma once

#include <optional>
#include <string>

#include "awsproto/auth_failure.h"
#include "awsproto/credential_store.h"
#include "awsproto/service.h"
#include "base/clock.h"
#include "base/expected.h"
#include "base/hash.h"
#include "http/types.h"

namespace sluice::awsproto {

// Longest validity of a presigned URL (seven days), as AWS allows.
inline constexpr int64_t kMaxPresignExpiresSeconds = 604800;

// What x-amz-content-sha256 says the body is.
enum class PayloadMode {
  kUnsigned,                // UNSIGNED-PAYLOAD, or already checked against a buffered body
  kSha256,                  // a hex SHA-256 of the body, to be checked as it arrives
  kStreamingSigned,         // STREAMING-AWS4-HMAC-SHA256-PAYLOAD: chunk signatures
  kStreamingSignedTrailer,  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: and a trailer signature
  kStreamingUnsignedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER: nothing to verify
};

// A request head whose signature holds, and what remains to check in its body.
struct VerifiedHead {
  PayloadMode payload = PayloadMode::kUnsigned;
  std::string payload_sha256;  // kSha256: the declared hash, lower-case hex
  // For the streaming modes: the chain's start and what each chunk is signed with.
  std::string seed_signature;
  Sha256Digest signing_key{};
  std::string amz_date;
  std::string scope;
};

class SigV4Verifier {
 public:
  // `clock` must outlive the verifier.
  SigV4Verifier(CredentialStore credentials, const Clock& clock);

  // Whether credentials are configured (requests are verified at all).
  bool enforcing() const { return !credentials_.empty(); }
  size_t key_count() const { return credentials_.size(); }

  // Verifies `head` under `rules`. `body` is the buffered body, or null when the body
  // streams after the head (its hash then comes from x-amz-content-sha256). When not
  // enforcing, every request passes with PayloadMode::kUnsigned.
  Expected<VerifiedHead, AuthFailure> Verify(const http::RequestHead& head, const SigV4Rules& rules,
                                             const std::string* body) const;

 private:
  const CredentialStore credentials_;
  const Clock& clock_;
};

}  // namespace sluice::awsproto
