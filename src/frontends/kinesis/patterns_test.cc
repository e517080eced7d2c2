#include "internal/patterns.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::frontends::kinesis {
namespace {

TEST(StreamArnPattern, AcceptsRealArns) {
  EXPECT_TRUE(MatchesStreamArn("arn:aws:kinesis:us-east-1:123456789012:stream/ingress"));
  EXPECT_TRUE(MatchesStreamArn("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a"));
  // The `.*` parts may be empty or hold colons, and a later ":<digits>:stream/" wins.
  EXPECT_TRUE(MatchesStreamArn("arn:aws:kinesis::123456789012:stream/x"));
  EXPECT_TRUE(MatchesStreamArn("arn:aws:kinesis:a:1:b:123456789012:stream/x:123456789012:stream/y"));
  EXPECT_TRUE(MatchesStreamArn("arn:awsX:kinesis:kinesis:r:123456789012:stream/s/t"));
}

TEST(StreamArnPattern, RejectsWhatTheExpressionRejects) {
  EXPECT_FALSE(MatchesStreamArn(""));
  EXPECT_FALSE(MatchesStreamArn("arn:aws:kinesis:us-east-1:12345678901:stream/short-account"));
  EXPECT_FALSE(MatchesStreamArn("arn:aws:kinesis:us-east-1:123456789012:stream/"));
  EXPECT_FALSE(MatchesStreamArn("arn:aws:kinesis:us-east-1:123456789012:stream/has space"));
  EXPECT_FALSE(MatchesStreamArn("arn:aws:firehose:us-east-1:123456789012:stream/x"));
  EXPECT_FALSE(MatchesStreamArn("arn:aws:kinesis:us-east-1\n:123456789012:stream/x"));
  EXPECT_FALSE(MatchesStreamArn("xarn:aws:kinesis:us-east-1:123456789012:stream/x"));
  EXPECT_FALSE(MatchesStreamArn("arn:aws:kinesis:us-east-1:123456789012:streams/x"));
}

TEST(StreamArnPattern, HugeInputIsLinearNotRecursive) {
  // A backtracking matcher once overflowed the stack on ARNs of about 30 KB; this must
  // simply answer.
  std::string arn = "arn:aws:kinesis:" + std::string(1 << 20, ':') + "123456789012:stream/x";
  EXPECT_TRUE(MatchesStreamArn(arn));
  arn.back() = ' ';
  EXPECT_FALSE(MatchesStreamArn(arn));
  EXPECT_FALSE(MatchesStreamArn("arn:aws" + std::string(1 << 20, 'k')));
}

TEST(KinesisPatterns, NamesAndNumbers) {
  EXPECT_TRUE(kNamePattern.matches("my_stream-1.a"));
  EXPECT_FALSE(kNamePattern.matches("bad/name"));
  EXPECT_TRUE(kHashKeyPattern.matches("0"));
  EXPECT_TRUE(kHashKeyPattern.matches(std::string(39, '9')));
  EXPECT_FALSE(kHashKeyPattern.matches(std::string(40, '9')));
  EXPECT_FALSE(kHashKeyPattern.matches("01"));
  EXPECT_TRUE(kSequencePattern.matches(std::string(129, '1')));
  EXPECT_FALSE(kSequencePattern.matches(std::string(130, '1')));
}

}  // namespace
}  // namespace sluice::frontends::kinesis
