#include "api/aws_chunked.h"

#include <gtest/gtest.h>

namespace sluice::api {
namespace {

const std::string kSig = ";chunk-signature=" + std::string(64, 'a');

TEST(AwsChunked, DecodesSignedChunksInOrder) {
  const std::string body = "5" + kSig + "\r\nhello\r\n" + "6" + kSig + "\r\n world\r\n" + "0" + kSig + "\r\n\r\n";
  auto d = DecodeAwsChunked(body);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->data, "hello world");
  EXPECT_TRUE(d->trailers.empty());
}

TEST(AwsChunked, DecodesUnsignedChunksWithTrailers) {
  const std::string body = "a\r\n0123456789\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  auto d = DecodeAwsChunked(body);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->data, "0123456789");
  ASSERT_EQ(d->trailers.size(), 1u);
  EXPECT_EQ(d->trailers[0].first, "x-amz-checksum-crc32");
  EXPECT_EQ(d->trailers[0].second, "AAAAAA==");
}

TEST(AwsChunked, BinaryDataWithCrLfInsideAChunkSurvives) {
  const std::string payload("a\r\nb\0c\r\n", 8);
  const std::string body = "8\r\n" + payload + "\r\n0\r\n\r\n";
  auto d = DecodeAwsChunked(body);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->data, payload);
}

TEST(AwsChunked, MalformedBodiesAreInvalidArgument) {
  for (const std::string& bad : {
           std::string("zz\r\nhello\r\n0\r\n\r\n"),      // size is not hex
           std::string("5\r\nhel"),                         // truncated data
           std::string("5\r\nhelloXX0\r\n\r\n"),           // no CRLF after the data
           std::string("5\r\nhello\r\n"),                   // no final chunk
           std::string("ffffffffffffffffff\r\nx\r\n0\r\n\r\n"),  // absurd size
       }) {
    auto d = DecodeAwsChunked(bad);
    EXPECT_FALSE(d.ok()) << "accepted: " << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(AwsChunked, RecognisesTheStreamingPayloadForms) {
  EXPECT_TRUE(IsAwsChunked("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", ""));
  EXPECT_TRUE(IsAwsChunked("STREAMING-UNSIGNED-PAYLOAD-TRAILER", ""));
  EXPECT_TRUE(IsAwsChunked("", "aws-chunked"));
  EXPECT_FALSE(IsAwsChunked("UNSIGNED-PAYLOAD", ""));
  EXPECT_FALSE(IsAwsChunked("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "gzip"));
}

}  // namespace
}  // namespace sluice::api
