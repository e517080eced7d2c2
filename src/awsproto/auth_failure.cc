#include "awsproto/auth_failure.h"

#include "awsproto/json_rpc.h"
#include "awsproto/service.h"

namespace sluice::awsproto {
namespace {

struct Names {
  AuthError code;
  std::string_view json_type;
  int json_status;
  std::string_view s3_code;
  int s3_status;
};

constexpr Names kNames[] = {
    {AuthError::kMissingAuthentication, "MissingAuthenticationTokenException", 400, "AccessDenied", 403},
    {AuthError::kMalformedHeader, "IncompleteSignatureException", 400, "AuthorizationHeaderMalformed", 400},
    {AuthError::kMalformedQuery, "IncompleteSignatureException", 400, "AuthorizationQueryParametersError", 400},
    {AuthError::kUnknownAccessKey, "UnrecognizedClientException", 400, "InvalidAccessKeyId", 403},
    {AuthError::kSignatureMismatch, "InvalidSignatureException", 400, "SignatureDoesNotMatch", 403},
    {AuthError::kTimeSkewed, "InvalidSignatureException", 400, "RequestTimeTooSkewed", 403},
    {AuthError::kPresignExpired, "InvalidSignatureException", 400, "AccessDenied", 403},
    {AuthError::kContentSha256Mismatch, "InvalidSignatureException", 400, "XAmzContentSHA256Mismatch", 400},
    {AuthError::kMissingContentSha256, "IncompleteSignatureException", 400, "InvalidRequest", 400},
    {AuthError::kInvalidContentSha256, "InvalidSignatureException", 400, "InvalidArgument", 400},
};

const Names& Find(AuthError e) {
  for (const Names& n : kNames) {
    if (n.code == e) return n;
  }
  return kNames[0];
}

}  // namespace

AuthFailure SignatureMismatch() {
  return AuthFailure{AuthError::kSignatureMismatch,
                     "The request signature we calculated does not match the signature you provided. Check your "
                     "AWS Secret Access Key and signing method. Consult the service documentation for details.",
                     "The request signature we calculated does not match the signature you provided. Check your "
                     "key and signing method.",
                     {}};
}

AuthFailure ContentSha256Mismatch(std::string client_computed, std::string server_computed) {
  AuthFailure f = SignatureMismatch();
  f.code = AuthError::kContentSha256Mismatch;
  f.s3_message = "The provided 'x-amz-content-sha256' header does not match what was computed.";
  f.s3_details = {{"ClientComputedContentSHA256", std::move(client_computed)},
                  {"S3ComputedContentSHA256", std::move(server_computed)}};
  return f;
}

std::string_view JsonErrorType(AuthError e) { return Find(e).json_type; }
int JsonErrorStatus(AuthError e) { return Find(e).json_status; }
std::string_view S3ErrorCode(AuthError e) { return Find(e).s3_code; }
int S3ErrorStatus(AuthError e) { return Find(e).s3_status; }

http::Response Service::AuthFailed(const http::RequestHead&, const AuthFailure& failure) const {
  return JsonError(JsonErrorStatus(failure.code), JsonErrorType(failure.code), failure.json_message);
}

}  // namespace sluice::awsproto
