#include "awsproto/sigv4_verify.h"

#include <gtest/gtest.h>

#include "awsproto/testing/sign_head.h"

namespace sluice::awsproto {
namespace {

using testing::Signer;

constexpr int64_t kSignedAt = 1440938160000;  // 20150830T123600Z
const SigV4Rules kS3Rules{sigv4::PathCanonicalization::kAsIs, 15 * 60 * 1000, true};

CredentialStore Keys() {
  CredentialStore keys;
  keys.Add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  keys.Add("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  return keys;
}

http::Request Post(std::string body) {
  http::Request r;
  r.head.method = "POST";
  r.head.target = "/";
  r.head.host = "kinesis.us-east-1.amazonaws.com";
  r.head.headers = {{"host", r.head.host}, {"x-amz-target", "Kinesis_20131202.ListStreams"}};
  r.body = std::move(body);
  return r;
}

http::Request SignedPost(const Signer& s, std::string body = "{}") {
  http::Request r = Post(std::move(body));
  s.SignHeader(r.head, Sha256Hex(r.body));
  return r;
}

AuthFailure Refusal(const SigV4Verifier& v, const http::Request& r, const SigV4Rules& rules = {}) {
  auto got = v.Verify(r.head, rules, &r.body);
  if (got.ok()) {
    ADD_FAILURE() << "verified";
    return {};
  }
  return got.error();
}

TEST(SigV4Verify, ARightSignatureVerifies) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(Keys(), clock);
  const http::Request r = SignedPost(Signer{});
  EXPECT_TRUE(v.Verify(r.head, {}, &r.body).ok());
}

TEST(SigV4Verify, AnHttp2AuthoritySignedAsAHeaderIsTheHost) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(Keys(), clock);
  http::Request r = Post("{}");
  r.head.headers = {{":authority", r.head.host}};  // as the JS SDK signs over HTTP/2
  Signer{}.SignHeader(r.head, Sha256Hex(r.body));
  r.head.headers.erase(r.head.headers.begin());  // the transport keeps it as head.host only
  EXPECT_TRUE(v.Verify(r.head, {}, &r.body).ok());
}

TEST(SigV4Verify, WithoutCredentialsEverythingPasses) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(CredentialStore{}, clock);
  EXPECT_FALSE(v.enforcing());
  const http::Request r = Post("{}");
  EXPECT_TRUE(v.Verify(r.head, {}, &r.body).ok());
}

TEST(SigV4Verify, AWrongSecretIsASignatureMismatchWithWhatWasSigned) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(Keys(), clock);
  Signer wrong;
  wrong.secret = "not the secret";
  const AuthFailure f = Refusal(v, SignedPost(wrong));
  EXPECT_EQ(f.code, AuthError::kSignatureMismatch);
  EXPECT_EQ(JsonErrorType(f.code), "InvalidSignatureException");
  EXPECT_EQ(JsonErrorStatus(f.code), 400);
  EXPECT_EQ(f.json_message,
            "The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.");
  EXPECT_EQ(S3ErrorCode(f.code), "SignatureDoesNotMatch");
  EXPECT_EQ(S3ErrorStatus(f.code), 403);
  ASSERT_EQ(f.s3_details.size(), 6u);
  EXPECT_EQ(f.s3_details[1].first, "StringToSign");
  EXPECT_TRUE(f.s3_details[1].second.starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n"));
  EXPECT_EQ(f.s3_details[4].first, "CanonicalRequest");
  EXPECT_TRUE(f.s3_details[4].second.starts_with("POST\n/\n\nhost:"));
}

TEST(SigV4Verify, AnAlteredBodyIsASignatureMismatch) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(Keys(), clock);
  http::Request r = SignedPost(Signer{}, R"({"Limit":1})");
  r.body = R"({"Limit":2})";
  EXPECT_EQ(Refusal(v, r).code, AuthError::kSignatureMismatch);
}

TEST(SigV4Verify, AnUnknownKeyIsUnrecognized) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(Keys(), clock);
  Signer stranger;
  stranger.key = "AKIDSTRANGER";
  const AuthFailure f = Refusal(v, SignedPost(stranger));
  EXPECT_EQ(f.code, AuthError::kUnknownAccessKey);
  EXPECT_EQ(JsonErrorType(f.code), "UnrecognizedClientException");
  EXPECT_EQ(f.json_message, "The security token included in the request is invalid.");
  EXPECT_EQ(S3ErrorCode(f.code), "InvalidAccessKeyId");
  EXPECT_EQ(S3ErrorStatus(f.code), 403);
  EXPECT_EQ(f.s3_message, "The AWS Access Key Id you provided does not exist in our records.");
}

TEST(SigV4Verify, FiveMinutesOfSkewPassAndOneSecondMoreDoesNot) {
  ManualClock clock(kSignedAt + 5 * 60 * 1000);
  SigV4Verifier v(Keys(), clock);
  const http::Request r = SignedPost(Signer{});
  EXPECT_TRUE(v.Verify(r.head, {}, &r.body).ok());
  clock.Advance(1000);
  const AuthFailure f = Refusal(v, r);
  EXPECT_EQ(f.code, AuthError::kTimeSkewed);
  EXPECT_EQ(JsonErrorType(f.code), "InvalidSignatureException");
  EXPECT_EQ(f.json_message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)");
}

TEST(SigV4Verify, ASignatureFromTheFutureIsNotYetCurrent) {
  ManualClock clock(kSignedAt - 5 * 60 * 1000 - 1000);
  SigV4Verifier v(Keys(), clock);
  const AuthFailure f = Refusal(v, SignedPost(Signer{}));
  EXPECT_EQ(f.code, AuthError::kTimeSkewed);
  EXPECT_EQ(f.json_message,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z "
            "(20150830T123059Z + 5 min.)");
}

TEST(SigV4Verify, S3AllowsFifteenMinutesAndAnswersRequestTimeTooSkewed) {
  Signer s3;
  s3.service = "s3";
  s3.path = sigv4::PathCanonicalization::kAsIs;
  http::Request r;
  r.head.method = "GET";
  r.head.target = "/bucket/key";
  r.head.host = "localhost";
  r.head.headers = {{"host", "localhost"}, {"x-amz-content-sha256", std::string(sigv4::kUnsignedPayload)}};
  s3.SignHeader(r.head, sigv4::kUnsignedPayload);
  ManualClock clock(kSignedAt + 15 * 60 * 1000);
  SigV4Verifier v(Keys(), clock);
  EXPECT_TRUE(v.Verify(r.head, kS3Rules, &r.body).ok());
  clock.Advance(1000);
  const AuthFailure f = Refusal(v, r, kS3Rules);
  EXPECT_EQ(S3ErrorCode(f.code), "RequestTimeTooSkewed");
  EXPECT_EQ(S3ErrorStatus(f.code), 403);
  EXPECT_EQ(f.s3_message, "The difference between the request time and the current time is too large.");
  ASSERT_EQ(f.s3_details.size(), 3u);
  EXPECT_EQ(f.s3_details[0], (std::pair<std::string, std::string>{"RequestTime", "20150830T123600Z"}));
  EXPECT_EQ(f.s3_details[1], (std::pair<std::string, std::string>{"ServerTime", "2015-08-30T12:51:01Z"}));
  EXPECT_EQ(f.s3_details[2], (std::pair<std::string, std::string>{"MaxAllowedSkewMilliseconds", "900000"}));
}

TEST(SigV4Verify, AnUnsignedRequestIsMissingAuthentication) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(Keys(), clock);
  const AuthFailure f = Refusal(v, Post("{}"));
  EXPECT_EQ(f.code, AuthError::kMissingAuthentication);
  EXPECT_EQ(JsonErrorType(f.code), "MissingAuthenticationTokenException");
  EXPECT_EQ(S3ErrorCode(f.code), "AccessDenied");
  EXPECT_EQ(S3ErrorStatus(f.code), 403);
  EXPECT_EQ(f.s3_message, "Access Denied");
}

TEST(SigV4Verify, AMalformedAuthorizationHeaderIsIncomplete) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(Keys(), clock);
  http::Request r = Post("{}");
  r.head.headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x");
  const AuthFailure f = Refusal(v, r);
  EXPECT_EQ(JsonErrorType(f.code), "IncompleteSignatureException");
  EXPECT_EQ(S3ErrorCode(f.code), "AuthorizationHeaderMalformed");
}

// The S3 API reference's presigned GET example (examplebucket/test.txt, one day).
http::Request S3PresignedExample() {
  http::Request r;
  r.head.method = "GET";
  r.head.host = "examplebucket.s3.amazonaws.com";
  r.head.headers = {{"host", r.head.host}};
  r.head.target =
      "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2F"
      "s3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&"
      "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  return r;
}

TEST(SigV4Verify, ThePresignedExampleOfTheS3ReferenceVerifiesUntilItExpires) {
  ManualClock clock(1369353600000 + 86400 * 1000);  // the last second it is valid
  SigV4Verifier v(Keys(), clock);
  const http::Request r = S3PresignedExample();
  EXPECT_TRUE(v.Verify(r.head, kS3Rules, nullptr).ok());
  clock.Advance(1000);
  const AuthFailure f = Refusal(v, r, kS3Rules);
  EXPECT_EQ(f.code, AuthError::kPresignExpired);
  EXPECT_EQ(S3ErrorCode(f.code), "AccessDenied");
  EXPECT_EQ(S3ErrorStatus(f.code), 403);
  EXPECT_EQ(f.s3_message, "Request has expired");
  EXPECT_EQ(f.s3_details[0], (std::pair<std::string, std::string>{"X-Amz-Expires", "86400"}));
  EXPECT_EQ(f.s3_details[1], (std::pair<std::string, std::string>{"Expires", "2013-05-25T00:00:00Z"}));
}

TEST(SigV4Verify, APresignedUrlWithAnAlteredSignatureDoesNotMatch) {
  ManualClock clock(1369353600000);
  SigV4Verifier v(Keys(), clock);
  http::Request r = S3PresignedExample();
  r.head.target.back() = '5';
  EXPECT_EQ(Refusal(v, r, kS3Rules).code, AuthError::kSignatureMismatch);
}

TEST(SigV4Verify, PresignedExpiryIsAtMostAWeekAndEveryParameterIsRequired) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(Keys(), clock);
  http::Request r;
  r.head.method = "GET";
  r.head.target = "/b/k";
  r.head.host = "localhost";
  Signer s;
  s.service = "s3";
  s.Presign(r.head, 604801);
  AuthFailure f = Refusal(v, r, kS3Rules);
  EXPECT_EQ(S3ErrorCode(f.code), "AuthorizationQueryParametersError");
  EXPECT_EQ(S3ErrorStatus(f.code), 400);
  EXPECT_EQ(f.s3_message,
            "X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less "
            "than 604800 seconds");
  r.head.target = "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00";
  f = Refusal(v, r, kS3Rules);
  EXPECT_EQ(S3ErrorCode(f.code), "AuthorizationQueryParametersError");
  r.head.target = "/b/k";
  s.Presign(r.head, 604800);
  EXPECT_TRUE(v.Verify(r.head, kS3Rules, nullptr).ok());
}

TEST(SigV4Verify, S3ChecksTheBodyAgainstXAmzContentSha256) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(Keys(), clock);
  Signer s;
  s.service = "s3";
  s.path = sigv4::PathCanonicalization::kAsIs;
  http::Request r;
  r.head.method = "PUT";
  r.head.target = "/b/k";
  r.head.host = "localhost";
  const std::string declared = Sha256Hex("promised");
  r.head.headers = {{"host", "localhost"}, {"x-amz-content-sha256", declared}};
  s.SignHeader(r.head, declared);
  r.body = "promised";
  EXPECT_TRUE(v.Verify(r.head, kS3Rules, &r.body).ok());
  const auto streamed = v.Verify(r.head, kS3Rules, nullptr);  // checked later, as it streams
  ASSERT_TRUE(streamed.ok());
  EXPECT_EQ(streamed->payload, PayloadMode::kSha256);
  EXPECT_EQ(streamed->payload_sha256, declared);
  r.body = "delivered";
  const AuthFailure f = Refusal(v, r, kS3Rules);
  EXPECT_EQ(S3ErrorCode(f.code), "XAmzContentSHA256Mismatch");
  EXPECT_EQ(S3ErrorStatus(f.code), 400);
  EXPECT_EQ(f.s3_details[0].second, declared);
  EXPECT_EQ(f.s3_details[1].second, Sha256Hex("delivered"));
}

TEST(SigV4Verify, S3NeedsXAmzContentSha256OnHeaderSignedRequests) {
  ManualClock clock(kSignedAt);
  SigV4Verifier v(Keys(), clock);
  Signer s;
  s.service = "s3";
  http::Request r;
  r.head.method = "GET";
  r.head.target = "/b/k";
  r.head.host = "localhost";
  r.head.headers = {{"host", "localhost"}};
  s.SignHeader(r.head, Sha256Hex(""));
  const AuthFailure f = Refusal(v, r, kS3Rules);
  EXPECT_EQ(S3ErrorCode(f.code), "InvalidRequest");
  EXPECT_EQ(f.s3_message, "Missing required header for this request: x-amz-content-sha256");
}

TEST(SigV4Verify, AmzDatesAreParsedStrictly) {
  EXPECT_EQ(sigv4::ParseAmzDate("20150830T123600Z"), 1440938160);
  for (const char* bad : {"", "20150830T123600", "20150230T123600Z", "2015083OT123600Z", "20150830T243600Z"}) {
    EXPECT_FALSE(sigv4::ParseAmzDate(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace sluice::awsproto
