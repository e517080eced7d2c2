#include "awsproto/payload_check.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "awsproto/testing/sign_head.h"

namespace sluice::awsproto {
namespace {

// The S3 API reference's chunked upload example: 66,560 bytes of 'a' in chunks of
// 64 KiB and 1 KiB, signed at 20130524T000000Z by AKIAIOSFODNN7EXAMPLE.
constexpr std::string_view kSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

http::RequestHead ChunkedExampleHead() {
  http::RequestHead h;
  h.method = "PUT";
  h.target = "/examplebucket/chunkObject.txt";
  h.host = "s3.amazonaws.com";
  h.headers = {{"host", "s3.amazonaws.com"},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
               {"content-encoding", "aws-chunked"},
               {"x-amz-decoded-content-length", "66560"},
               {"content-length", "66824"},
               {"authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                "x-amz-decoded-content-length;x-amz-storage-class, Signature=" + std::string(kSeed)}};
  return h;
}

std::string ChunkedExampleBody() {
  return "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
         std::string(65536, 'a') +
         "\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
         std::string(1024, 'a') +
         "\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
}

VerifiedHead VerifyExampleHead(const Clock& clock) {
  CredentialStore keys;
  keys.Add("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  SigV4Verifier v(std::move(keys), clock);
  auto got = v.Verify(ChunkedExampleHead(), {sigv4::PathCanonicalization::kAsIs, 15 * 60 * 1000, true}, nullptr);
  EXPECT_TRUE(got.ok());
  return got.ok() ? *got : VerifiedHead{};
}

// Feeds `body` in pieces of `piece` bytes; the first failure.
std::optional<AuthFailure> FeedAll(PayloadCheck& check, std::string_view body, size_t piece) {
  for (size_t at = 0; at < body.size(); at += piece) {
    if (auto f = check.Feed(body.substr(at, piece))) return f;
  }
  return check.Finish();
}

TEST(PayloadCheck, TheS3ChunkedExampleVerifiesChunkByChunkInAnyPieces) {
  ManualClock clock(1369353600000);
  const VerifiedHead head = VerifyExampleHead(clock);
  EXPECT_EQ(head.payload, PayloadMode::kStreamingSigned);
  EXPECT_EQ(head.seed_signature, kSeed);
  for (const size_t piece : {size_t{1} << 20, size_t{4096}, size_t{7}}) {
    PayloadCheck check(head, "");
    EXPECT_FALSE(FeedAll(check, ChunkedExampleBody(), piece).has_value()) << piece;
  }
}

TEST(PayloadCheck, AnAlteredChunkOrAReorderedChainIsASignatureMismatch) {
  ManualClock clock(1369353600000);
  const VerifiedHead head = VerifyExampleHead(clock);
  std::string body = ChunkedExampleBody();
  body[100] = 'b';
  PayloadCheck altered(head, "");
  auto f = FeedAll(altered, body, 4096);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(S3ErrorCode(f->code), "SignatureDoesNotMatch");
  // A body signed by someone else: chunk signatures that do not chain from the seed.
  const std::string forged = "3;chunk-signature=" + std::string(64, '0') + "\r\nabc\r\n0;chunk-signature=" +
                             std::string(64, '0') + "\r\n\r\n";
  PayloadCheck forged_check(head, "");
  f = FeedAll(forged_check, forged, 1 << 20);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->code, AuthError::kSignatureMismatch);
  // Leaving out the signatures altogether is no way around them.
  PayloadCheck unsigned_check(head, "");
  f = FeedAll(unsigned_check, "3\r\nabc\r\n0\r\n\r\n", 1 << 20);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->code, AuthError::kSignatureMismatch);
}

std::string Hex(size_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%zx", n);
  return buf;
}

// Builds a STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER body as the SDKs do.
std::string SignedTrailerBody(const VerifiedHead& h, std::string_view data, std::string_view trailer) {
  std::string prev = h.seed_signature;
  std::string body;
  for (const std::string_view chunk : {data, std::string_view()}) {
    const std::string sig = sigv4::Sign(h.signing_key, sigv4::ChunkStringToSign(h.amz_date, h.scope, prev,
                                                                                 Sha256Hex(chunk)));
    body += Hex(chunk.size()) + ";chunk-signature=" + sig + "\r\n" + std::string(chunk);
    if (!chunk.empty()) body += "\r\n";
    prev = sig;
  }
  const std::string trailer_sig = sigv4::Sign(
      h.signing_key, sigv4::TrailerStringToSign(h.amz_date, h.scope, prev, Sha256Hex(std::string(trailer) + "\n")));
  return body + std::string(trailer) + "\r\nx-amz-trailer-signature:" + trailer_sig + "\r\n\r\n";
}

VerifiedHead SignedTrailerHead(const Clock& clock) {
  testing::Signer s;
  s.service = "s3";
  s.path = sigv4::PathCanonicalization::kAsIs;
  http::RequestHead h;
  h.method = "PUT";
  h.target = "/b/k";
  h.host = "localhost";
  const std::string mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
  h.headers = {{"host", "localhost"}, {"x-amz-content-sha256", mode}, {"x-amz-trailer", "x-amz-checksum-crc32"}};
  s.SignHeader(h, mode);
  CredentialStore keys;
  keys.Add(s.key, s.secret);
  SigV4Verifier v(std::move(keys), clock);
  auto got = v.Verify(h, {sigv4::PathCanonicalization::kAsIs, 15 * 60 * 1000, true}, nullptr);
  EXPECT_TRUE(got.ok());
  return got.ok() ? *got : VerifiedHead{};
}

TEST(PayloadCheck, TheTrailerSignatureIsVerifiedAndRequired) {
  ManualClock clock(1440938160000);
  const VerifiedHead head = SignedTrailerHead(clock);
  ASSERT_EQ(head.payload, PayloadMode::kStreamingSignedTrailer);
  const std::string good = SignedTrailerBody(head, "hello", "x-amz-checksum-crc32:NhCmhg==");
  PayloadCheck ok(head, "x-amz-checksum-crc32");
  EXPECT_FALSE(FeedAll(ok, good, 3).has_value());

  std::string altered = good;
  altered.replace(altered.find("NhCmhg=="), 8, "AAAAAA==");
  PayloadCheck bad(head, "x-amz-checksum-crc32");
  auto f = FeedAll(bad, altered, 1 << 20);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->code, AuthError::kSignatureMismatch);

  const std::string unsigned_trailer = good.substr(0, good.find("x-amz-trailer-signature")) + "\r\n";
  PayloadCheck missing(head, "x-amz-checksum-crc32");
  f = FeedAll(missing, unsigned_trailer, 1 << 20);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->code, AuthError::kSignatureMismatch);
}

TEST(PayloadCheck, ADeclaredSha256IsCheckedAgainstTheStreamedBody) {
  VerifiedHead head;
  head.payload = PayloadMode::kSha256;
  head.payload_sha256 = Sha256Hex("all of it");
  PayloadCheck ok(head, "");
  EXPECT_FALSE(FeedAll(ok, "all of it", 2).has_value());
  PayloadCheck bad(head, "");
  auto f = FeedAll(bad, "all of it!", 2);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(S3ErrorCode(f->code), "XAmzContentSHA256Mismatch");
}

}  // namespace
}  // namespace sluice::awsproto
