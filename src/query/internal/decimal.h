// Exact decimal(p,s) values as Presto/Athena computes them: up to 38 digits in an
// __int128, result types by Presto's rules, rounding half away from zero, and
// Athena's error texts on overflow and division by zero.
//
// In SQLite a decimal is a BLOB of kBlobSize bytes (SQLite has no decimal type):
//   [0]      kBlobTag
//   [1..16]  the unscaled value, big-endian two's complement with the sign bit
//            flipped, so memcmp orders values of one type as numbers (ORDER BY,
//            min/max, GROUP BY and DISTINCT work on them unchanged)
//   [17]     precision (1..38)
//   [18]     scale (0..precision)
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::query {

inline constexpr int kMaxDecimalPrecision = 38;
inline constexpr size_t kBlobSize = 19;
inline constexpr unsigned char kBlobTag = 0xDE;

// Athena's messages (Presto's error names in front, as Athena reports them).
inline constexpr std::string_view kDecimalOverflow = "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow";
inline constexpr std::string_view kDivisionByZero = "DIVISION_BY_ZERO: Division by zero";

struct Decimal {
  __int128 units = 0;  // the value is units * 10^-scale
  int precision = 1;
  int scale = 0;
};

// 10^n for 0 <= n <= 38.
__int128 Pow10(int n);
// Whether |units| has at most 38 digits.
bool FitsDecimal(__int128 units);

std::string EncodeDecimal(const Decimal& d);
// The value of a blob EncodeDecimal wrote; nullopt for any other blob.
std::optional<Decimal> DecodeDecimal(const void* data, size_t size);

// "-12.30" for units -1230, scale 2.
std::string DecimalText(const Decimal& d);

// A value NormalizeDecimal wrote ("-12.30" for scale 2) as decimal(precision, scale).
Decimal DecimalFromNormalized(std::string_view text, int precision, int scale);

// A literal as Presto types it: "0.1" is decimal(1,1), "1.10" decimal(3,2), "12"
// decimal(2,0); nullopt for anything else (exponents, more than 38 digits).
std::optional<Decimal> ParseDecimalLiteral(std::string_view text);

// `units` at scale `from` rescaled to scale `to`, rounding half away from zero when
// digits are dropped; nullopt on overflow of 38 digits.
std::optional<__int128> Rescale(__int128 units, int from, int to);

// The integer as Presto coerces it: decimal(10,0) when it fits an integer, else (19,0).
Decimal DecimalFromInt(int64_t v);

// Presto's result types, then the exact result; an error message (the constants
// above) instead when the result has more than 38 digits or the divisor is zero.
struct DecimalResult {
  Decimal value;
  std::string_view error;  // empty on success
};
DecimalResult DecimalAdd(const Decimal& a, const Decimal& b);
DecimalResult DecimalSubtract(const Decimal& a, const Decimal& b);
DecimalResult DecimalMultiply(const Decimal& a, const Decimal& b);
DecimalResult DecimalDivide(const Decimal& a, const Decimal& b);
DecimalResult DecimalModulus(const Decimal& a, const Decimal& b);
// round(x): decimal(p - s + min(s, 1), 0). round(x, n): decimal(min(38, p + 1), s)
// with digits past n zeroed (n may be negative).
DecimalResult DecimalRound(const Decimal& a, std::optional<int64_t> digits);
// -1, 0 or 1, exactly, whatever the two scales.
int DecimalCompare(const Decimal& a, const Decimal& b);
double DecimalToDouble(const Decimal& d);

}  // namespace sluice::query
