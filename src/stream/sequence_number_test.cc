#include "stream/sequence_number.h"

#include <gtest/gtest.h>

#include "stream/shard_iterator.h"

namespace sluice::stream {
namespace {

TEST(SequenceNumber, Has56DigitsAndRoundTrips) {
  const SequenceParts p{1'732'000'000'123, 7, log::Offset(123456789)};
  const std::string s = FormatSequenceNumber(p);
  EXPECT_EQ(s.size(), 56u);
  EXPECT_EQ(s.substr(0, 2), "49");
  EXPECT_EQ(ParseSequenceNumber(s), p);
}

TEST(SequenceNumber, IncreasesWithOffsetAsDecimalStringsAndNumbers) {
  const auto a = FormatSequenceNumber({1'700'000'000'000, 1, log::Offset(9)});
  const auto b = FormatSequenceNumber({1'700'000'000'000, 1, log::Offset(10)});
  EXPECT_LT(a, b);  // equal length, so string order is numeric order
}

TEST(SequenceNumber, RejectsForeignShapes) {
  EXPECT_FALSE(ParseSequenceNumber(""));
  EXPECT_FALSE(ParseSequenceNumber("1"));
  EXPECT_FALSE(ParseSequenceNumber(std::string(56, '9')));
  std::string s = FormatSequenceNumber({1, 2, log::Offset(3)});
  s[30] = '1';  // reserved digits must be zero
  EXPECT_FALSE(ParseSequenceNumber(s));
  s = FormatSequenceNumber({1, 2, log::Offset(3)}) + "0";
  EXPECT_FALSE(ParseSequenceNumber(s));
}

TEST(ShardId, FormatsAndParsesAwsShape) {
  EXPECT_EQ(ShardIdFor(1), "shardId-000000000001");
  EXPECT_EQ(ParseShardId("shardId-000000000001"), 1u);
  EXPECT_EQ(ParseShardId("shardId-12"), 12u);
  EXPECT_FALSE(ParseShardId("shard-1"));
  EXPECT_FALSE(ParseShardId("shardId-"));
  EXPECT_FALSE(ParseShardId("shardId-1x"));
  EXPECT_FALSE(ParseShardId("shardId-99999999999999999999999"));
}

TEST(ShardIterator, RoundTripsAndDetectsTampering) {
  const IteratorState st{"ingress", 1'700'000'000'000, 1, log::Offset(42), 1'700'000'100'000};
  const std::string text = EncodeIterator(st);
  EXPECT_LE(text.size(), 512u);
  EXPECT_EQ(DecodeIterator(text), st);
  std::string bad = text;
  bad[10] = bad[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(DecodeIterator(bad));
  EXPECT_FALSE(DecodeIterator(text.substr(0, text.size() - 4)));
  EXPECT_FALSE(DecodeIterator("not an iterator"));
  EXPECT_FALSE(DecodeIterator(""));
}

TEST(ShardIterator, LongestStreamNameFitsTheAwsLengthLimit) {
  const IteratorState st{std::string(128, 'n'), 1, 0, log::Offset(~0ull), 1};
  EXPECT_LE(EncodeIterator(st).size(), 512u);
}

}  // namespace
}  // namespace sluice::stream
