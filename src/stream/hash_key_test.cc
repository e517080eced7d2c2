#include "stream/hash_key.h"

#include <gtest/gtest.h>

namespace sluice::stream {
namespace {

TEST(HashKey, PartitionKeyHashIsMd5BigEndian) {
  // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
  EXPECT_EQ(ToDecimal(HashPartitionKey("a")), "16955237001963240173058271559858726497");
  // MD5("") = d41d8cd98f00b204e9800998ecf8427e
  EXPECT_EQ(ToDecimal(HashPartitionKey("")), "281949768489412648962353822266799178366");
}

TEST(HashKey, DecimalRoundTripsAtTheEdges) {
  EXPECT_EQ(ToDecimal(0), "0");
  EXPECT_EQ(ToDecimal(kMaxHashKey), "340282366920938463463374607431768211455");
  EXPECT_EQ(ParseDecimal("340282366920938463463374607431768211455"), kMaxHashKey);
  EXPECT_EQ(ParseDecimal("0"), uint128{0});
  EXPECT_EQ(ParseDecimal("12345"), uint128{12345});
}

TEST(HashKey, ParseRejectsOverflowSignsAndLeadingZeros) {
  EXPECT_FALSE(ParseDecimal("340282366920938463463374607431768211456"));
  EXPECT_FALSE(ParseDecimal("1000000000000000000000000000000000000000"));
  EXPECT_FALSE(ParseDecimal(""));
  EXPECT_FALSE(ParseDecimal("-1"));
  EXPECT_FALSE(ParseDecimal("+1"));
  EXPECT_FALSE(ParseDecimal("01"));
  EXPECT_FALSE(ParseDecimal("1 "));
  EXPECT_FALSE(ParseDecimal("1e5"));
}

TEST(HashKey, BytesRoundTrip) {
  const uint128 v = HashPartitionKey("taxi-42");
  EXPECT_EQ(FromBytes(ToBytes(v)), v);
  EXPECT_EQ(ToBytes(1)[15], 1);
  EXPECT_EQ(ToBytes(uint128{1} << 120)[0], 1);
}

TEST(HashKey, EvenSplitMatchesCreateStream) {
  const auto two = EvenSplit(2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(ToDecimal(two[0].end), "170141183460469231731687303715884105727");
  EXPECT_EQ(ToDecimal(two[1].start), "170141183460469231731687303715884105728");
  const auto three = EvenSplit(3);
  EXPECT_EQ(ToDecimal(three[0].end), "113427455640312821154458202477256070484");
  EXPECT_EQ(ToDecimal(three[1].start), "113427455640312821154458202477256070485");
  EXPECT_EQ(ToDecimal(three[2].start), "226854911280625642308916404954512140970");
  const auto one = EvenSplit(1);
  EXPECT_EQ(one[0].start, uint128{0});
  EXPECT_EQ(one[0].end, kMaxHashKey);
}

TEST(HashKey, EvenSplitCoversTheSpaceExactlyOnce) {
  for (size_t n : {1u, 2u, 3u, 7u, 10u, 64u, 500u}) {
    const auto ranges = EvenSplit(n);
    ASSERT_EQ(ranges.size(), n);
    EXPECT_EQ(ranges.front().start, uint128{0});
    EXPECT_EQ(ranges.back().end, kMaxHashKey);
    for (size_t i = 1; i < n; ++i) {
      EXPECT_EQ(ranges[i].start, ranges[i - 1].end + 1) << n << " shards, range " << i;
      EXPECT_LT(ranges[i].start, ranges[i].end);
    }
  }
}

}  // namespace
}  // namespace sluice::stream
