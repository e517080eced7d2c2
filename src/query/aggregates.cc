// sum() and avg() for decimals (exact, Presto's result types) and everything else.
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "internal/decimal.h"
#include "internal/functions.h"

namespace sluice::query {
namespace {

// Non-decimal values are added exactly too: a REAL is taken as its shortest decimal
// text (0.1, not 0.1000000000000000055...), and the exact total is returned as the
// nearest REAL; integers alone give an INTEGER as SQLite's sum does. Beyond 37 digits
// that falls back to adding doubles.
struct ExactSum {
  __int128 units = 0;  // the total is units * 10^-scale
  int scale = 0;
  int64_t count = 0;  // values not NULL (a window's inverse step takes them out again)
  bool real = false;
  bool inexact = false;  // fell back to `fallback`
  double fallback = 0;
  // decimal(p,s) values, added at the largest scale seen.
  bool decimal = false;
  bool decimal_overflow = false;
  __int128 decimal_units = 0;
  int decimal_scale = 0;
  int decimal_precision = 1;
};

constexpr __int128 kMaxUnits = static_cast<__int128>(1e37);

bool AddDecimalText(ExactSum& s, std::string_view text) {
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  __int128 v = 0;
  int scale = 0;
  int exponent = 0;
  bool frac = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      frac = true;
    } else if (c >= '0' && c <= '9') {
      if (v > kMaxUnits / 10) return false;
      v = v * 10 + (c - '0');
      scale += frac ? 1 : 0;
    } else if (c == 'e' || c == 'E') {
      exponent = std::atoi(std::string(text.substr(i + 1)).c_str());
      break;
    } else {
      return false;
    }
  }
  scale -= exponent;
  for (; scale < 0; ++scale) {
    if (v > kMaxUnits / 10) return false;
    v *= 10;
  }
  if (scale > 30) return false;
  while (s.scale < scale) {
    if (s.units > kMaxUnits / 10 || s.units < -kMaxUnits / 10) return false;
    s.units *= 10;
    ++s.scale;
  }
  for (int k = scale; k < s.scale; ++k) {
    if (v > kMaxUnits / 10) return false;
    v *= 10;
  }
  s.units += negative ? -v : v;
  return s.units <= kMaxUnits && s.units >= -kMaxUnits;
}

// Adds `d` to the decimal part of `s` at the larger of the two scales.
void AddDecimal(ExactSum& s, const Decimal& d) {
  if (!s.decimal) {
    s.decimal = true;
    s.decimal_scale = d.scale;
  }
  s.decimal_precision = std::max(s.decimal_precision, d.precision);
  if (d.scale > s.decimal_scale) {
    const auto up = Rescale(s.decimal_units, s.decimal_scale, d.scale);
    if (!up) {
      s.decimal_overflow = true;
      return;
    }
    s.decimal_units = *up;
    s.decimal_scale = d.scale;
  }
  const auto v = Rescale(d.units, d.scale, s.decimal_scale);
  if (!v || __builtin_add_overflow(s.decimal_units, *v, &s.decimal_units)) s.decimal_overflow = true;
}

// SQLite's aggregate context is only 8-byte aligned: the state is copied in and out.
template <typename State>
bool Load(sqlite3_context* ctx, int bytes, State& s, void*& where) {
  where = sqlite3_aggregate_context(ctx, bytes);
  if (where == nullptr) return false;
  std::memcpy(&s, where, sizeof s);
  return true;
}

// The non-decimal total of `s` added to its decimal one, at the decimal scale.
DecimalResult DecimalTotal(const ExactSum& s) {
  if (s.decimal_overflow) return {Decimal{}, kDecimalOverflow};
  const auto rest = Rescale(s.units, s.scale, s.decimal_scale);
  __int128 total = 0;
  if (!rest || __builtin_add_overflow(s.decimal_units, *rest, &total) || !FitsDecimal(total)) {
    return {Decimal{}, kDecimalOverflow};
  }
  return {Decimal{total, kMaxDecimalPrecision, s.decimal_scale}, {}};
}

// Adds `v` (sign 1) or takes it out again (sign -1: a window's inverse step).
void Accumulate(ExactSum& s, sqlite3_value* v, int sign = 1) {
  if (auto d = DecimalArg(v)) {
    s.count += sign;
    s.fallback += sign * DecimalToDouble(*d);
    d->units *= sign;
    return AddDecimal(s, *d);
  }
  const int type = sqlite3_value_numeric_type(v);
  if (type == SQLITE_NULL) return;
  s.count += sign;
  const double d = sign * sqlite3_value_double(v);
  s.fallback += d;
  if (s.inexact) return;
  if (type == SQLITE_INTEGER) {
    const __int128 i = static_cast<__int128>(sqlite3_value_int64(v)) * sign;
    if (s.scale == 0) {  // the usual case, without text: integers only so far
      s.units += i;
      s.inexact = s.units > kMaxUnits || s.units < -kMaxUnits;
      return;
    }
    const int64_t magnitude = sqlite3_value_int64(v);
    std::string text = std::to_string(magnitude);
    if (sign < 0) text = text[0] == '-' ? text.substr(1) : "-" + text;
    s.inexact = !AddDecimalText(s, text);
    return;
  }
  s.real = true;
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  s.inexact = ec != std::errc() || !std::isfinite(d) || !AddDecimalText(s, std::string_view(buf, end - buf));
}

void SumStep(sqlite3_context* ctx, int, sqlite3_value** argv) {
  ExactSum s;
  void* where = nullptr;
  if (!Load(ctx, sizeof(ExactSum), s, where)) return sqlite3_result_error_nomem(ctx);
  Accumulate(s, argv[0]);
  std::memcpy(where, &s, sizeof s);
}

void SumInverse(sqlite3_context* ctx, int, sqlite3_value** argv) {
  ExactSum s;
  void* where = nullptr;
  if (!Load(ctx, sizeof(ExactSum), s, where)) return sqlite3_result_error_nomem(ctx);
  Accumulate(s, argv[0], -1);
  std::memcpy(where, &s, sizeof s);
}

// The total so far: the final value, and a window's current one.
void SumFinal(sqlite3_context* ctx) {
  ExactSum s;
  void* where = nullptr;
  if (!Load(ctx, 0, s, where) || s.count == 0) return sqlite3_result_null(ctx);
  if (s.decimal && !s.inexact && !s.real) {
    // Presto: sum(decimal(p,s)) is decimal(38,s).
    const DecimalResult r = DecimalTotal(s);
    if (!r.error.empty()) return sqlite3_result_error(ctx, r.error.data(), static_cast<int>(r.error.size()));
    return ResultDecimal(ctx, r.value);
  }
  if (s.inexact || s.decimal) return sqlite3_result_double(ctx, s.fallback);
  if (!s.real) {
    if (s.units > INT64_MAX || s.units < INT64_MIN) return sqlite3_result_error(ctx, "integer overflow", -1);
    return sqlite3_result_int64(ctx, static_cast<sqlite3_int64>(s.units));
  }
  sqlite3_result_double(ctx, std::strtod(DecimalText(Decimal{s.units, kMaxDecimalPrecision, s.scale}).c_str(), nullptr));
}

// avg: the exact sum over its count; the same steps as sum.
void AvgFinal(sqlite3_context* ctx) {
  ExactSum sum;
  void* where = nullptr;
  if (!Load(ctx, 0, sum, where) || sum.count == 0) return sqlite3_result_null(ctx);
  if (sum.decimal && !sum.inexact && !sum.real) {
    // Presto: avg(decimal(p,s)) is decimal(p,s), the exact mean rounded half up.
    DecimalResult r = DecimalTotal(sum);
    if (r.error.empty()) r = DecimalDivide(r.value, Decimal{sum.count, 19, 0});
    if (!r.error.empty()) return sqlite3_result_error(ctx, r.error.data(), static_cast<int>(r.error.size()));
    r.value.precision = sum.decimal_precision;
    return ResultDecimal(ctx, r.value);
  }
  // SQLite's avg: the sum (integer while it can be) over the count, as a double.
  if (!sum.inexact && !sum.real && !sum.decimal) {
    return sqlite3_result_double(ctx, static_cast<double>(sum.units) / static_cast<double>(sum.count));
  }
  sqlite3_result_double(ctx, sum.fallback / static_cast<double>(sum.count));
}

}  // namespace

int RegisterDecimalAggregates(sqlite3* db) {
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  // Window functions too: sum(x) OVER (...) steps values in and (inverse) out again.
  int rc = sqlite3_create_window_function(db, "sum", 1, kFlags, nullptr, SumStep, SumFinal, SumFinal, SumInverse,
                                          nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_window_function(db, "avg", 1, kFlags, nullptr, SumStep, AvgFinal, AvgFinal, SumInverse, nullptr);
  }
  return rc;
}

}  // namespace sluice::query
