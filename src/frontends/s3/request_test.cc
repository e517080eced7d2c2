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

}  // namespace
}  // namespace sluice::frontends::s3
