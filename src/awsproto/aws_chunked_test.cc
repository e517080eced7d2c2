#include "awsproto/aws_chunked.h"

#include <gtest/gtest.h>

namespace sluice::awsproto {
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
  auto d = DecodeAwsChunked(body, "x-amz-checksum-crc32");
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

TEST(AwsChunked, PiecesSplitAnywhereDecodeLikeTheWholeBody) {
  const std::string body = "5" + kSig + "\r\nhe\r\nl\r\n" + "3\r\nabc\r\n" + "0" + kSig +
                           "\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  auto whole = DecodeAwsChunked(body, "x-amz-checksum-crc32");
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->data, "he\r\nlabc");
  for (size_t a = 0; a <= body.size(); ++a) {
    for (size_t b = a; b <= body.size(); b += 7) {
      AwsChunkedDecoder d("x-amz-checksum-crc32");
      std::string out;
      ASSERT_TRUE(d.Feed(std::string_view(body).substr(0, a), &out).ok()) << a;
      ASSERT_TRUE(d.Feed(std::string_view(body).substr(a, b - a), &out).ok()) << a << "," << b;
      ASSERT_TRUE(d.Feed(std::string_view(body).substr(b), &out).ok()) << b;
      ASSERT_TRUE(d.Finish().ok()) << a << "," << b;
      EXPECT_EQ(out, whole->data);
      EXPECT_EQ(d.decoded_size(), out.size());
      EXPECT_EQ(d.trailers(), whole->trailers);
    }
  }
}

TEST(AwsChunked, AnErrorSticksAndNamesTheOffset) {
  AwsChunkedDecoder d;
  std::string out;
  ASSERT_TRUE(d.Feed("3\r\nab", &out).ok());
  const Status bad = d.Feed("cXX", &out);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("byte 6"), std::string::npos) << bad.message();
  EXPECT_FALSE(d.Feed("\r\n0\r\n\r\n", &out).ok());
  EXPECT_FALSE(d.Finish().ok());
  AwsChunkedDecoder truncated;
  ASSERT_TRUE(truncated.Feed("3\r\nabc\r\n", &out).ok());
  EXPECT_FALSE(truncated.Finish().ok());  // the final chunk never came
  AwsChunkedDecoder endless;
  EXPECT_FALSE(endless.Feed(std::string(5000, '1'), &out).ok());  // a size line without end
}

TEST(AwsChunked, RecognisesTheStreamingPayloadForms) {
  EXPECT_TRUE(IsAwsChunked("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", ""));
  EXPECT_TRUE(IsAwsChunked("STREAMING-UNSIGNED-PAYLOAD-TRAILER", ""));
  EXPECT_TRUE(IsAwsChunked("", "aws-chunked"));
  EXPECT_FALSE(IsAwsChunked("UNSIGNED-PAYLOAD", ""));
  EXPECT_FALSE(IsAwsChunked("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "gzip"));
}

TEST(AwsChunked, BytesAfterTheFinalChunkAreRefused) {
  AwsChunkedError kind{};
  auto d = DecodeAwsChunked("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n", "", &kind);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(kind, AwsChunkedError::kMalformed);
  EXPECT_NE(d.status().message().find("after the final chunk"), std::string::npos);
}

TEST(AwsChunked, ATrailerNotDeclaredInXAmzTrailerIsMalformed) {
  AwsChunkedError kind{};
  const std::string body = "3\r\nabc\r\n0\r\nx-amz-checksum-sha256:AAAA\r\n\r\n";
  EXPECT_FALSE(DecodeAwsChunked(body, "x-amz-checksum-crc32", &kind).ok());
  EXPECT_EQ(kind, AwsChunkedError::kMalformedTrailer);
  EXPECT_FALSE(DecodeAwsChunked(body, "", &kind).ok());
  EXPECT_EQ(kind, AwsChunkedError::kMalformedTrailer);
  EXPECT_TRUE(DecodeAwsChunked(body, "X-Amz-Checksum-SHA256", &kind).ok());
}

TEST(AwsChunked, TrailerLinesAreBoundedInCount) {
  std::string body = "0\r\n";
  for (size_t i = 0; i <= kMaxTrailers; ++i) body += "x-amz-checksum-crc32:AAAAAA==\r\n";
  body += "\r\n";
  AwsChunkedError kind{};
  auto d = DecodeAwsChunked(body, "x-amz-checksum-crc32", &kind);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(kind, AwsChunkedError::kMalformedTrailer);
  // Many megabytes of trailer lines end at the first excess line, holding nothing.
  AwsChunkedDecoder decoder("x-amz-checksum-crc32");
  std::string out;
  Status st = decoder.Feed("0\r\n", &out);
  for (int i = 0; i < 100000 && st.ok(); ++i) st = decoder.Feed("a:b\r\n", &out);
  EXPECT_FALSE(st.ok());
  EXPECT_LE(decoder.trailers().size(), kMaxTrailers);
}

}  // namespace
}  // namespace sluice::awsproto
