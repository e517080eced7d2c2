#include "internal/decimal.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace sluice::query {
namespace {

using U128 = unsigned __int128;

int Sign(__int128 v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

__int128 Abs(__int128 v) { return v < 0 ? -v : v; }

// n / d rounded half away from zero (Presto's HALF_UP); d != 0.
__int128 RoundDiv(__int128 n, __int128 d) {
  __int128 q = n / d;
  const __int128 r = Abs(n % d);
  // r >= |d| - r rather than 2r >= |d|: 2r can overflow for 38-digit values.
  if (r != 0 && r >= Abs(d) - r) q += Sign(n) * Sign(d);
  return q;
}

DecimalResult Fail(std::string_view error) { return {Decimal{}, error}; }

// round(n * 10^shift / d) half away from zero with a 256-bit intermediate, so a
// quotient that fits 38 digits is found even when n * 10^shift does not fit 128 bits
// (Presto computes these wider too). nullopt when the quotient does not fit 128 bits.
// |n| < 10^38, 0 < |d| < 10^38, shift <= 76.
std::optional<__int128> WideRoundDiv(__int128 n, int shift, __int128 d) {
  uint64_t limb[4] = {static_cast<uint64_t>(static_cast<U128>(Abs(n))),
                      static_cast<uint64_t>(static_cast<U128>(Abs(n)) >> 64), 0, 0};
  for (int i = 0; i < shift; ++i) {  // times 10, limb by limb
    U128 carry = 0;
    for (uint64_t& l : limb) {
      const U128 v = static_cast<U128>(l) * 10 + carry;
      l = static_cast<uint64_t>(v);
      carry = v >> 64;
    }
    if (carry != 0) return std::nullopt;  // beyond 256 bits: the quotient is beyond 38 digits
  }
  const U128 divisor = static_cast<U128>(Abs(d));
  U128 rem = 0;  // < divisor < 2^127, so rem << 1 never loses a bit
  U128 quotient = 0;
  for (int bit = 255; bit >= 0; --bit) {
    rem = (rem << 1) | ((limb[bit / 64] >> (bit % 64)) & 1);
    const bool set = rem >= divisor;
    if (set) rem -= divisor;
    if ((quotient >> 127) != 0) return std::nullopt;  // shifting would lose a bit
    quotient = (quotient << 1) | static_cast<U128>(set);
  }
  if (rem != 0 && rem >= divisor - rem) ++quotient;  // half away from zero
  if ((quotient >> 127) != 0) return std::nullopt;
  const __int128 q = static_cast<__int128>(quotient);
  return Sign(n) * Sign(d) < 0 ? -q : q;
}

DecimalResult Checked(__int128 units, int precision, int scale) {
  if (!FitsDecimal(units)) return Fail(kDecimalOverflow);
  return {Decimal{units, precision, scale}, {}};
}

}  // namespace

__int128 Pow10(int n) {
  __int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

bool FitsDecimal(__int128 units) {
  static const __int128 kLimit = Pow10(kMaxDecimalPrecision);
  return units < kLimit && units > -kLimit;
}

std::string EncodeDecimal(const Decimal& d) {
  std::string out(kBlobSize, '\0');
  out[0] = static_cast<char>(kBlobTag);
  U128 u = static_cast<U128>(d.units) ^ (static_cast<U128>(1) << 127);
  for (int i = 16; i >= 1; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(static_cast<unsigned char>(u & 0xFF));
    u >>= 8;
  }
  out[17] = static_cast<char>(d.precision);
  out[18] = static_cast<char>(d.scale);
  return out;
}

std::optional<Decimal> DecodeDecimal(const void* data, size_t size) {
  if (data == nullptr || size != kBlobSize) return std::nullopt;
  const auto* b = static_cast<const unsigned char*>(data);
  if (b[0] != kBlobTag || b[17] < 1 || b[17] > kMaxDecimalPrecision || b[18] > b[17]) return std::nullopt;
  U128 u = 0;
  for (int i = 1; i <= 16; ++i) u = (u << 8) | b[i];
  Decimal d;
  d.units = static_cast<__int128>(u ^ (static_cast<U128>(1) << 127));
  d.precision = b[17];
  d.scale = b[18];
  if (!FitsDecimal(d.units)) return std::nullopt;
  return d;
}

std::string DecimalText(const Decimal& d) {
  U128 u = static_cast<U128>(Abs(d.units));
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  const size_t scale = static_cast<size_t>(d.scale);
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  std::string out = d.units < 0 ? "-" : "";
  out += digits.substr(0, digits.size() - scale);
  if (scale > 0) out += "." + digits.substr(digits.size() - scale);
  return out;
}

Decimal DecimalFromNormalized(std::string_view text, int precision, int scale) {
  Decimal d{0, precision, scale};
  for (const char c : text) {
    if (c >= '0' && c <= '9') d.units = d.units * 10 + (c - '0');
  }
  if (!text.empty() && text[0] == '-') d.units = -d.units;
  return d;
}

std::optional<Decimal> ParseDecimalLiteral(std::string_view text) {
  Decimal d;
  int int_digits = 0;  // after leading zeros
  bool dot = false;
  bool any = false;
  for (const char c : text) {
    if (c == '.') {
      if (dot) return std::nullopt;
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    any = true;
    if (dot) {
      ++d.scale;
    } else if (int_digits > 0 || c != '0') {
      ++int_digits;
    }
    if (int_digits + d.scale > kMaxDecimalPrecision) return std::nullopt;
    d.units = d.units * 10 + (c - '0');
  }
  if (!any) return std::nullopt;
  d.precision = std::max(1, int_digits + d.scale);
  return d;
}

std::optional<__int128> Rescale(__int128 units, int from, int to) {
  if (to == from) return units;
  if (to < from) {
    const int drop = from - to;
    if (drop > kMaxDecimalPrecision) return __int128{0};
    return RoundDiv(units, Pow10(drop));
  }
  if (to - from > kMaxDecimalPrecision) return units == 0 ? std::optional<__int128>(0) : std::nullopt;
  __int128 out = 0;
  if (__builtin_mul_overflow(units, Pow10(to - from), &out) || !FitsDecimal(out)) return std::nullopt;
  return out;
}

Decimal DecimalFromInt(int64_t v) {
  const bool small = v >= INT32_MIN && v <= INT32_MAX;
  return Decimal{v, small ? 10 : 19, 0};
}

namespace {

DecimalResult AddOrSubtract(const Decimal& a, const Decimal& b, bool subtract) {
  const int scale = std::max(a.scale, b.scale);
  const int precision =
      std::min(kMaxDecimalPrecision, 1 + scale + std::max(a.precision - a.scale, b.precision - b.scale));
  const auto x = Rescale(a.units, a.scale, scale);
  const auto y = Rescale(b.units, b.scale, scale);
  if (!x || !y) return Fail(kDecimalOverflow);
  __int128 out = 0;
  const bool overflow = subtract ? __builtin_sub_overflow(*x, *y, &out) : __builtin_add_overflow(*x, *y, &out);
  if (overflow) return Fail(kDecimalOverflow);
  return Checked(out, precision, scale);
}

}  // namespace

DecimalResult DecimalAdd(const Decimal& a, const Decimal& b) { return AddOrSubtract(a, b, false); }
DecimalResult DecimalSubtract(const Decimal& a, const Decimal& b) { return AddOrSubtract(a, b, true); }

DecimalResult DecimalMultiply(const Decimal& a, const Decimal& b) {
  const int scale = a.scale + b.scale;
  if (scale > kMaxDecimalPrecision) return Fail(kDecimalOverflow);
  __int128 out = 0;
  if (__builtin_mul_overflow(a.units, b.units, &out)) return Fail(kDecimalOverflow);
  return Checked(out, std::min(kMaxDecimalPrecision, a.precision + b.precision), scale);
}

DecimalResult DecimalDivide(const Decimal& a, const Decimal& b) {
  if (b.units == 0) return Fail(kDivisionByZero);
  const int scale = std::max(a.scale, b.scale);
  const int precision = std::min(kMaxDecimalPrecision, a.precision + b.scale + std::max(0, b.scale - a.scale));
  // a / b at `scale` digits: round(A * 10^(scale + bs - as) / B).
  const int shift = scale + b.scale - a.scale;
  __int128 numerator = 0;
  if (shift <= kMaxDecimalPrecision && !__builtin_mul_overflow(a.units, Pow10(shift), &numerator)) {
    return Checked(RoundDiv(numerator, b.units), precision, scale);
  }
  const std::optional<__int128> q = WideRoundDiv(a.units, shift, b.units);
  if (!q) return Fail(kDecimalOverflow);
  return Checked(*q, precision, scale);
}

DecimalResult DecimalModulus(const Decimal& a, const Decimal& b) {
  const int scale = std::max(a.scale, b.scale);
  const int precision = std::min(kMaxDecimalPrecision, std::min(a.precision - a.scale, b.precision - b.scale) + scale);
  const auto x = Rescale(a.units, a.scale, scale);
  const auto y = Rescale(b.units, b.scale, scale);
  if (!x || !y) return Fail(kDecimalOverflow);
  if (*y == 0) return Fail(kDivisionByZero);
  return Checked(*x % *y, std::max(1, precision), scale);
}

DecimalResult DecimalRound(const Decimal& a, std::optional<int64_t> digits) {
  if (!digits) {
    const auto v = Rescale(a.units, a.scale, 0);
    return Checked(*v, std::min(kMaxDecimalPrecision, a.precision - a.scale + std::min(a.scale, 1)), 0);
  }
  const int precision = std::min(kMaxDecimalPrecision, a.precision + 1);
  if (*digits >= a.scale) return {Decimal{a.units, precision, a.scale}, {}};
  const int64_t drop = a.scale - *digits;
  if (drop > kMaxDecimalPrecision) return {Decimal{0, precision, a.scale}, {}};
  const __int128 unit = Pow10(static_cast<int>(drop));
  __int128 out = 0;
  if (__builtin_mul_overflow(RoundDiv(a.units, unit), unit, &out)) return Fail(kDecimalOverflow);
  return Checked(out, precision, a.scale);
}

int DecimalCompare(const Decimal& a, const Decimal& b) {
  // Integer parts first, then the fractions at the larger scale (each below 10^38).
  const __int128 ia = a.units / Pow10(a.scale);
  const __int128 ib = b.units / Pow10(b.scale);
  if (ia != ib) return ia < ib ? -1 : 1;
  const int scale = std::max(a.scale, b.scale);
  const __int128 fa = (a.units % Pow10(a.scale)) * Pow10(scale - a.scale);
  const __int128 fb = (b.units % Pow10(b.scale)) * Pow10(scale - b.scale);
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

double DecimalToDouble(const Decimal& d) { return std::strtod(DecimalText(d).c_str(), nullptr); }

}  // namespace sluice::query
