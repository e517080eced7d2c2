#include "internal/decimal.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sluice::query {
namespace {

Decimal D(std::string_view text, int precision, int scale) {
  const bool negative = !text.empty() && text[0] == '-';
  auto d = ParseDecimalLiteral(negative ? text.substr(1) : text);
  EXPECT_TRUE(d.has_value()) << text;
  if (!d) return {};
  const auto units = Rescale(d->units, d->scale, scale);
  return Decimal{negative ? -*units : *units, precision, scale};
}

std::string Text(const DecimalResult& r) {
  if (!r.error.empty()) return std::string(r.error);
  return DecimalText(r.value) + " decimal(" + std::to_string(r.value.precision) + "," +
         std::to_string(r.value.scale) + ")";
}

TEST(Decimal, LiteralsAreTypedAsPrestoTypesThem) {
  const auto t = [](std::string_view s) {
    const auto d = ParseDecimalLiteral(s);
    return d ? DecimalText(*d) + " " + std::to_string(d->precision) + "," + std::to_string(d->scale) : "none";
  };
  EXPECT_EQ(t("0.1"), "0.1 1,1");
  EXPECT_EQ(t("1.10"), "1.10 3,2");
  EXPECT_EQ(t(".5"), "0.5 1,1");
  EXPECT_EQ(t("007.25"), "7.25 3,2");
  EXPECT_EQ(t("12"), "12 2,0");
  EXPECT_EQ(t("1e2"), "none");
  EXPECT_EQ(t("1.2.3"), "none");
  EXPECT_EQ(t(std::string(38, '9')), std::string(38, '9') + " 38,0");
  EXPECT_EQ(t(std::string(39, '9')), "none");
}

TEST(Decimal, BlobsRoundTripAndSortAsNumbers) {
  const Decimal values[] = {D("-99999999999999999999999999999999999.999", 38, 3), D("-1.5", 10, 3),
                            D("0", 10, 3), D("0.001", 10, 3), D("2", 10, 3),
                            D("99999999999999999999999999999999999.999", 38, 3)};
  std::string previous;
  for (const Decimal& v : values) {
    const std::string blob = EncodeDecimal(v);
    ASSERT_EQ(blob.size(), kBlobSize);
    const auto back = DecodeDecimal(blob.data(), blob.size());
    ASSERT_TRUE(back.has_value());
    EXPECT_TRUE(back->units == v.units && back->precision == v.precision && back->scale == v.scale);
    // memcmp order is numeric order for one type (precision aside, which only the
    // last two bytes hold).
    if (!previous.empty()) {
      EXPECT_LT(std::memcmp(previous.data(), blob.data(), 17), 0) << DecimalText(v);
    }
    previous = blob;
  }
  EXPECT_FALSE(DecodeDecimal("abc", 3).has_value());
  std::string bad = EncodeDecimal(values[0]);
  bad[18] = 39;  // scale above precision
  EXPECT_FALSE(DecodeDecimal(bad.data(), bad.size()).has_value());
}

TEST(Decimal, AdditionIsExactWithPrestosResultType) {
  // 0.1 + 0.2 as doubles is 0.30000000000000004.
  EXPECT_EQ(Text(DecimalAdd(D("0.1", 1, 1), D("0.2", 1, 1))), "0.3 decimal(2,1)");
  // p = 1 + max(s1, s2) + max(p1 - s1, p2 - s2), s = max(s1, s2).
  EXPECT_EQ(Text(DecimalAdd(D("1.10", 10, 2), D("0.0001", 5, 4))), "1.1001 decimal(13,4)");
  EXPECT_EQ(Text(DecimalSubtract(D("1.10", 10, 2), D("2.5", 3, 1))), "-1.40 decimal(11,2)");
  // Beyond what a double holds exactly (2^53 is about 9.007e15).
  EXPECT_EQ(Text(DecimalAdd(D("12345678901234567890.12", 38, 2), D("0.01", 38, 2))),
            "12345678901234567890.13 decimal(38,2)");
  const Decimal max = D(std::string(38, '9'), 38, 0);
  EXPECT_EQ(Text(DecimalAdd(max, D("1", 1, 0))), "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow");
  EXPECT_EQ(Text(DecimalSubtract(D("-" + std::string(38, '9'), 38, 0), D("1", 1, 0))),
            "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow");
}

TEST(Decimal, MultiplicationDivisionAndModulus) {
  EXPECT_EQ(Text(DecimalMultiply(D("1.10", 10, 2), D("1.10", 10, 2))), "1.2100 decimal(20,4)");
  EXPECT_EQ(Text(DecimalMultiply(D("12345678901234567.89", 38, 2), D("100", 3, 0))),
            "1234567890123456789.00 decimal(38,2)");
  EXPECT_EQ(Text(DecimalMultiply(D("10000000000000000000", 20, 0), D("10000000000000000000", 20, 0))),
            "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow");
  // Division keeps max(s1, s2) digits, rounding half away from zero.
  EXPECT_EQ(Text(DecimalDivide(D("1.00", 3, 2), DecimalFromInt(3))), "0.33 decimal(3,2)");
  EXPECT_EQ(Text(DecimalDivide(D("2.00", 3, 2), DecimalFromInt(3))), "0.67 decimal(3,2)");
  EXPECT_EQ(Text(DecimalDivide(D("-2.00", 3, 2), DecimalFromInt(3))), "-0.67 decimal(3,2)");
  EXPECT_EQ(Text(DecimalDivide(D("1", 1, 0), D("0.3", 1, 1))), "3.3 decimal(3,1)");
  EXPECT_EQ(Text(DecimalDivide(D("1.00", 3, 2), D("0", 1, 0))), "DIVISION_BY_ZERO: Division by zero");
  EXPECT_EQ(Text(DecimalModulus(D("5.5", 2, 1), DecimalFromInt(2))), "1.5 decimal(2,1)");
  // A dividend times 10^scale beyond 128 bits: computed 256 bits wide, as Presto does.
  EXPECT_EQ(Text(DecimalDivide(D("12345678901234567890123456789.012345678", 38, 9), D("3.0000000000", 11, 10))),
            "4115226300411522630041152263.0041152260 decimal(38,10)");
  EXPECT_EQ(Text(DecimalDivide(D("-12345678901234567890123456789.012345679", 38, 9), D("7.0000000000", 11, 10))),
            "-1763668414462081127160493827.0017636684 decimal(38,10)");
  EXPECT_EQ(Text(DecimalDivide(D("0.1", 1, 1), D("0.50000000000000000000000000000000000000", 38, 38))),
            "0.20000000000000000000000000000000000000 decimal(38,38)");
  EXPECT_EQ(Text(DecimalDivide(D("0.2", 1, 1), D("-0.30000000000000000000000000000000000000", 38, 38))),
            "-0.66666666666666666666666666666666666667 decimal(38,38)");
  // Only a quotient beyond 38 digits overflows (the last one beyond 256 bits on the way).
  EXPECT_EQ(Text(DecimalDivide(D("99999999999999999999999999999999999999", 38, 0), D("0.1", 1, 1))),
            "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow");
  EXPECT_EQ(Text(DecimalDivide(D("1", 1, 0), D("0.50000000000000000000000000000000000000", 38, 38))),
            "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow");
  EXPECT_EQ(Text(DecimalDivide(D("99999999999999999999999999999999999999", 38, 0),
                               D("0.00000000000000000000000000000000000001", 38, 38))),
            "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow");
  EXPECT_EQ(Text(DecimalModulus(D("-5.5", 2, 1), DecimalFromInt(2))), "-1.5 decimal(2,1)");
  EXPECT_EQ(Text(DecimalModulus(D("5.5", 2, 1), DecimalFromInt(0))), "DIVISION_BY_ZERO: Division by zero");
}

TEST(Decimal, RoundingAndComparison) {
  EXPECT_EQ(Text(DecimalRound(D("2.5", 2, 1), std::nullopt)), "3 decimal(2,0)");
  EXPECT_EQ(Text(DecimalRound(D("-2.5", 2, 1), std::nullopt)), "-3 decimal(2,0)");
  EXPECT_EQ(Text(DecimalRound(D("1.2350", 5, 4), 2)), "1.2400 decimal(6,4)");
  EXPECT_EQ(Text(DecimalRound(D("1234.5", 5, 1), -2)), "1200.0 decimal(6,1)");
  EXPECT_EQ(Text(DecimalRound(D("1.25", 3, 2), 5)), "1.25 decimal(4,2)");
  EXPECT_EQ(DecimalCompare(D("1.10", 10, 2), D("1.1", 2, 1)), 0);
  EXPECT_EQ(DecimalCompare(D("-0.01", 10, 2), D("0", 1, 0)), -1);
  EXPECT_EQ(DecimalCompare(D("99999999999999999999999999999999999999", 38, 0), D("0.5", 38, 38)), 1);
  EXPECT_EQ(DecimalCompare(D("0.00000000000000000000000000000000000002", 38, 38),
                           D("0.00000000000000000000000000000000000001", 38, 38)),
            1);
  EXPECT_EQ(DecimalToDouble(D("0.1", 1, 1)), 0.1);
}

}  // namespace
}  // namespace sluice::query
