// Why a request failed SigV4 authentication, in a form each protocol renders with
// AWS's own words: the AWS JSON services (Kinesis, Firehose, ...) answer
// `__type`/`message`, S3 answers an <Error> document with extra elements
// (StringToSign, CanonicalRequest, RequestTime, ...). One enumerator per failure,
// mapped 1:1 to the error names of each family.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::awsproto {

enum class AuthError {
  kMissingAuthentication,  // no signature at all, while credentials are configured
  kMalformedHeader,        // an Authorization header SigV4 cannot read
  kMalformedQuery,         // presigned query parameters SigV4 cannot read
  kUnknownAccessKey,       // the access key id is not among the configured ones
  kSignatureMismatch,      // wrong secret, altered request, or a bad chunk signature
  kTimeSkewed,             // X-Amz-Date too far from the server's clock
  kPresignExpired,         // a presigned URL past X-Amz-Date + X-Amz-Expires
  kContentSha256Mismatch,  // the body does not hash to x-amz-content-sha256
  kMissingContentSha256,   // S3: a header-signed request without x-amz-content-sha256
  kInvalidContentSha256,   // x-amz-content-sha256 neither a hash nor a known mode
};

struct AuthFailure {
  AuthError code;
  std::string json_message;  // as the AWS JSON services word it
  std::string s3_message;    // as S3 words it
  // Extra elements of S3's <Error> document, in order.
  std::vector<std::pair<std::string, std::string>> s3_details;
};

// The failures two checkers share: a signature that does not match (S3 adds the
// strings it signed when it has them), and a body whose SHA-256 is not the declared one.
AuthFailure SignatureMismatch();
AuthFailure ContentSha256Mismatch(std::string client_computed, std::string server_computed);

// `__type` and HTTP status for the AWS JSON protocol family.
std::string_view JsonErrorType(AuthError e);
int JsonErrorStatus(AuthError e);
// <Code> and HTTP status for S3.
std::string_view S3ErrorCode(AuthError e);
int S3ErrorStatus(AuthError e);

}  // namespace sluice::awsproto
