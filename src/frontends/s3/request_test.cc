#include "internal/request.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::frontends::s3 {
namespace {

TEST(S3Numbers, IntegerWithinIntegerRangeOnly) {
  EXPECT_EQ(ParseS3Integer("0"), 0);
  EXPECT_EQ(ParseS3Integer("1000"), 1000);
  EXPECT_EQ(ParseS3Integer("2147483647"), 2147483647);
  EXPECT_EQ(ParseS3Integer("2147483648"), std::nullopt);
  EXPECT_EQ(ParseS3Integer("99999999999"), std::nullopt);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1e3", "0x10", "12a"}) {
    EXPECT_EQ(ParseS3Integer(bad), std::nullopt) << bad;
  }
}

TEST(S3Numbers, DecimalHonoursItsDigitLimit) {
  EXPECT_EQ(ParseDecimal("18446744073709551615", 19), std::nullopt);  // 20 digits
  EXPECT_EQ(ParseDecimal("9999999999999999999", 19), 9999999999999999999ull);
  EXPECT_EQ(ParseDecimal("123", 2), std::nullopt);
}

TEST(S3Range, BytesGrammar) {
  const auto r = ParseRange("bytes=5-9");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 5u);
  EXPECT_EQ(r->last, 9u);
  const auto suffix = ParseRange("bytes=-4");
  ASSERT_TRUE(suffix);
  EXPECT_FALSE(suffix->first);
  EXPECT_EQ(suffix->last, 4u);
  EXPECT_FALSE(ParseRange("bytes=9-5"));
  EXPECT_FALSE(ParseRange("bytes=1-2,4-5"));
  EXPECT_FALSE(ParseRange("items=1-2"));
  EXPECT_FALSE(ParseRange("bytes=a-2"));
}

TEST(S3Range, PositionsPastUint64SaturateAsS3ReadsThem) {
  // A 20-digit end means "to the last byte": satisfiable (206 up to the end).
  const auto to_end = ParseRange("bytes=0-99999999999999999999");
  ASSERT_TRUE(to_end);
  EXPECT_EQ(to_end->first, 0u);
  EXPECT_EQ(to_end->last, UINT64_MAX);
  EXPECT_EQ(objects::ResolveRange(*to_end, 1024), std::make_pair(uint64_t{0}, uint64_t{1023}));
  // A 20-digit start is past any end: unsatisfiable (416), not ignored.
  const auto past = ParseRange("bytes=99999999999999999999-");
  ASSERT_TRUE(past);
  EXPECT_EQ(objects::ResolveRange(*past, 1024), std::nullopt);
  // A 20-digit suffix is the whole object.
  const auto suffix = ParseRange("bytes=-123456789012345678901234");
  ASSERT_TRUE(suffix);
  EXPECT_EQ(objects::ResolveRange(*suffix, 10), std::make_pair(uint64_t{0}, uint64_t{9}));
  // Order is judged on the numbers as written, even when both saturate.
  EXPECT_FALSE(ParseRange("bytes=99999999999999999999-99999999999999999998"));
  EXPECT_TRUE(ParseRange("bytes=99999999999999999998-99999999999999999999"));
  EXPECT_TRUE(ParseRange("bytes=0005-05"));
  EXPECT_FALSE(ParseRange("bytes=1-99999999999999999999x"));
}

}  // namespace
}  // namespace sluice::frontends::s3
