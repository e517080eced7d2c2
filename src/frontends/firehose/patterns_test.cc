#include "internal/patterns.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::frontends::firehose {
namespace {

TEST(FirehosePatterns, RoleArn) {
  EXPECT_TRUE(MatchesRoleArn("arn:aws:iam::123456789012:role/firehose_role"));
  EXPECT_TRUE(MatchesRoleArn("arn:aws-cn:iam::123456789012:role/path/x+y=z,a.b@c-d"));
  EXPECT_FALSE(MatchesRoleArn("arn:aws:iam::12345678901:role/r"));   // 11 digits
  EXPECT_FALSE(MatchesRoleArn("arn:aws:iam::123456789012:user/r"));
  EXPECT_FALSE(MatchesRoleArn("arn:aws:iam::123456789012:role/"));
  EXPECT_FALSE(MatchesRoleArn("arn:a\nws:iam::123456789012:role/r"));
  EXPECT_FALSE(MatchesRoleArn("role"));
}

TEST(FirehosePatterns, BucketArn) {
  EXPECT_TRUE(MatchesBucketArn("arn:aws:s3:::my-bucket.data_1"));
  EXPECT_FALSE(MatchesBucketArn("arn:aws:s3:::"));
  EXPECT_FALSE(MatchesBucketArn("arn:aws:s3::my-bucket"));
  EXPECT_FALSE(MatchesBucketArn("my-bucket"));
  EXPECT_FALSE(MatchesBucketArn("arn:aws:s3:::" + std::string(256, 'b')));
}

TEST(FirehosePatterns, StreamArn) {
  EXPECT_TRUE(MatchesStreamArn("arn:aws:kinesis:us-east-1:000000000000:stream/ingress"));
  EXPECT_FALSE(MatchesStreamArn("arn:aws:kinesis::000000000000:stream/ingress"));
  EXPECT_FALSE(MatchesStreamArn("arn:aws:kinesis:us-east-1:000000000000:stream/"));
  EXPECT_FALSE(MatchesStreamArn("arn:aws:sqs:us-east-1:000000000000:stream/x"));
}

TEST(FirehosePatterns, LongInputIsMatchedInOnePass) {
  // A backtracking matcher takes quadratic time or more on this; the scan is linear.
  const std::string evil = "arn:" + std::string(100000, ':') + "iam::";
  EXPECT_FALSE(MatchesRoleArn(evil));
  EXPECT_FALSE(MatchesStreamArn(evil));
  EXPECT_FALSE(MatchesBucketArn(evil));
}

TEST(FirehosePatterns, TagKeysMayNotStartWithAws) {
  EXPECT_FALSE(kTagKeyPattern.matches("aws:x"));
  EXPECT_TRUE(kTagKeyPattern.matches("team/owner=me@x"));
  EXPECT_FALSE(kTagKeyPattern.matches("a*b"));
}

TEST(FirehosePatterns, LogGroupAndStreamNames) {
  EXPECT_TRUE(kLogGroupNamePattern.matches("/aws/kinesisfirehose/my-stream_1.x#y"));
  EXPECT_TRUE(kLogGroupNamePattern.matches(""));
  EXPECT_FALSE(kLogGroupNamePattern.matches("group name"));
  EXPECT_FALSE(kLogGroupNamePattern.matches("a:b"));
  EXPECT_TRUE(kLogStreamNamePattern.matches("DestinationDelivery"));
  EXPECT_TRUE(kLogStreamNamePattern.matches("2024/01/01 [x]"));
  EXPECT_FALSE(kLogStreamNamePattern.matches("a:b"));
  EXPECT_FALSE(kLogStreamNamePattern.matches("a*"));
}

TEST(FirehosePatterns, ANulByteIsNoneOfTheAllowedPunctuation) {
  using std::string_literals::operator""s;
  EXPECT_FALSE(kLogGroupNamePattern.matches("a\0b"s));
  EXPECT_FALSE(MatchesRoleArn("arn:aws:iam::123456789012:role/a\0b"s));
  EXPECT_FALSE(kTagValuePattern.matches("a\0b"s));
}

}  // namespace
}  // namespace sluice::frontends::firehose
