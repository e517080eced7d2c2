// The SQL functions the decimal rewrite (rewrite.h) calls, and sum/avg. Each takes
// decimal BLOBs (decimal.h) exactly and anything else as SQLite's own operator or
// function would, so an operand the rewrite took for a decimal and is none computes as
// before.
#include <sqlite3.h>

#include <charconv>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "base/ascii.h"
#include "internal/decimal.h"
#include "internal/functions.h"
#include "internal/types.h"

namespace sluice::query {
namespace {

enum class Kind { kNull, kDecimal, kInt, kReal, kText, kBlob };

struct Operand {
  Kind kind = Kind::kNull;
  Decimal dec;
  int64_t i = 0;
  double d = 0;
};

// `numeric_text`: text that looks like a number is that number, as SQLite's arithmetic
// takes it; comparisons keep text as text.
Operand Read(sqlite3_value* v, bool numeric_text = true) {
  Operand o;
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return o;
    case SQLITE_BLOB:
      if (const auto d = DecimalArg(v)) {
        o.kind = Kind::kDecimal;
        o.dec = *d;
        return o;
      }
      o.kind = Kind::kBlob;
      return o;
    case SQLITE_TEXT:
      if (!numeric_text) {
        o.kind = Kind::kText;
        return o;
      }
      break;
    default: break;
  }
  switch (sqlite3_value_numeric_type(v)) {
    case SQLITE_INTEGER:
      o.kind = Kind::kInt;
      o.i = sqlite3_value_int64(v);
      return o;
    case SQLITE_FLOAT:
      o.kind = Kind::kReal;
      o.d = sqlite3_value_double(v);
      return o;
    default:
      o.kind = Kind::kText;
      o.d = sqlite3_value_double(v);
      return o;
  }
}

void ResultError(sqlite3_context* ctx, std::string_view message) {
  sqlite3_result_error(ctx, message.data(), static_cast<int>(message.size()));
}

double AsDouble(const Operand& o) {
  switch (o.kind) {
    case Kind::kDecimal: return DecimalToDouble(o.dec);
    case Kind::kInt: return static_cast<double>(o.i);
    default: return o.d;
  }
}

// ---------------------------------------------------------------- arithmetic

enum class Op { kAdd, kSub, kMul, kDiv, kMod };

// SQLite's own arithmetic on two non-decimals: integers stay integers until they
// overflow, a division or modulus by zero is NULL.
void NativeArithmetic(sqlite3_context* ctx, Op op, const Operand& a, const Operand& b) {
  if (a.kind == Kind::kInt && b.kind == Kind::kInt) {
    int64_t out = 0;
    bool overflow = false;
    switch (op) {
      case Op::kAdd: overflow = __builtin_add_overflow(a.i, b.i, &out); break;
      case Op::kSub: overflow = __builtin_sub_overflow(a.i, b.i, &out); break;
      case Op::kMul: overflow = __builtin_mul_overflow(a.i, b.i, &out); break;
      case Op::kDiv:
        if (b.i == 0) return sqlite3_result_null(ctx);
        overflow = a.i == INT64_MIN && b.i == -1;
        out = overflow ? 0 : a.i / b.i;
        break;
      case Op::kMod:
        if (b.i == 0) return sqlite3_result_null(ctx);
        out = b.i == -1 ? 0 : a.i % b.i;
        break;
    }
    if (!overflow) return sqlite3_result_int64(ctx, out);
  }
  const double x = AsDouble(a);
  const double y = AsDouble(b);
  switch (op) {
    case Op::kAdd: return sqlite3_result_double(ctx, x + y);
    case Op::kSub: return sqlite3_result_double(ctx, x - y);
    case Op::kMul: return sqlite3_result_double(ctx, x * y);
    case Op::kDiv: return y == 0 ? sqlite3_result_null(ctx) : sqlite3_result_double(ctx, x / y);
    case Op::kMod: {
      const auto xi = static_cast<int64_t>(x);
      const auto yi = static_cast<int64_t>(y);
      if (yi == 0) return sqlite3_result_null(ctx);
      return sqlite3_result_double(ctx, static_cast<double>(yi == -1 ? 0 : xi % yi));
    }
  }
}

void Arithmetic(sqlite3_context* ctx, Op op, sqlite3_value** argv) {
  const Operand a = Read(argv[0]);
  const Operand b = Read(argv[1]);
  if (a.kind == Kind::kNull || b.kind == Kind::kNull) return sqlite3_result_null(ctx);
  if (a.kind != Kind::kDecimal && b.kind != Kind::kDecimal) return NativeArithmetic(ctx, op, a, b);
  // decimal with a double (or text) is a double, as in Presto; with an integer, exact.
  const auto as_decimal = [](const Operand& o) -> std::optional<Decimal> {
    if (o.kind == Kind::kDecimal) return o.dec;
    if (o.kind == Kind::kInt) return DecimalFromInt(o.i);
    return std::nullopt;
  };
  const auto x = as_decimal(a);
  const auto y = as_decimal(b);
  if (!x || !y) {
    Operand da{Kind::kReal, {}, 0, AsDouble(a)};
    Operand db{Kind::kReal, {}, 0, AsDouble(b)};
    return NativeArithmetic(ctx, op, da, db);
  }
  DecimalResult r;
  switch (op) {
    case Op::kAdd: r = DecimalAdd(*x, *y); break;
    case Op::kSub: r = DecimalSubtract(*x, *y); break;
    case Op::kMul: r = DecimalMultiply(*x, *y); break;
    case Op::kDiv: r = DecimalDivide(*x, *y); break;
    case Op::kMod: r = DecimalModulus(*x, *y); break;
  }
  if (!r.error.empty()) return ResultError(ctx, r.error);
  ResultDecimal(ctx, r.value);
}

void Add(sqlite3_context* ctx, int, sqlite3_value** argv) { Arithmetic(ctx, Op::kAdd, argv); }
void Sub(sqlite3_context* ctx, int, sqlite3_value** argv) { Arithmetic(ctx, Op::kSub, argv); }
void Mul(sqlite3_context* ctx, int, sqlite3_value** argv) { Arithmetic(ctx, Op::kMul, argv); }
void Div(sqlite3_context* ctx, int, sqlite3_value** argv) { Arithmetic(ctx, Op::kDiv, argv); }
void Mod(sqlite3_context* ctx, int, sqlite3_value** argv) { Arithmetic(ctx, Op::kMod, argv); }

void Negate(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const Operand a = Read(argv[0]);
  switch (a.kind) {
    case Kind::kNull: return sqlite3_result_null(ctx);
    case Kind::kDecimal: return ResultDecimal(ctx, Decimal{-a.dec.units, a.dec.precision, a.dec.scale});
    case Kind::kInt:
      if (a.i == INT64_MIN) return sqlite3_result_double(ctx, -static_cast<double>(a.i));
      return sqlite3_result_int64(ctx, -a.i);
    default: return sqlite3_result_double(ctx, -a.d);
  }
}

// The literal's text ("0.1") as Presto types it: decimal(1,1).
void Literal(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const auto d = ParseDecimalLiteral(text == nullptr ? "" : text);
  if (!d) return sqlite3_result_value(ctx, argv[0]);
  ResultDecimal(ctx, *d);
}

// ---------------------------------------------------------------- comparison

// A decimal from text such as "-1.5" (a string compared with a decimal).
std::optional<Decimal> DecimalFromText(std::string_view s) {
  s = TrimBlanks(s);
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  auto d = ParseDecimalLiteral(s);
  if (d && negative) d->units = -d->units;
  return d;
}

// SQLite's order of storage classes: numbers, then text, then blobs.
int ClassRank(Kind k) { return k == Kind::kText ? 2 : k == Kind::kBlob ? 3 : 1; }

// -1, 0, 1; nullopt when either is NULL.
std::optional<int> Compare(sqlite3_value* va, sqlite3_value* vb) {
  Operand a = Read(va, false);
  Operand b = Read(vb, false);
  if (a.kind == Kind::kNull || b.kind == Kind::kNull) return std::nullopt;
  const auto sign = [](auto x, auto y) { return x < y ? -1 : x > y ? 1 : 0; };
  if (a.kind == Kind::kDecimal || b.kind == Kind::kDecimal) {
    // A string against a decimal: its number, when it is one.
    const auto to_decimal = [](sqlite3_value* v, Operand& o) {
      if (o.kind != Kind::kText) return;
      const auto* t = reinterpret_cast<const char*>(sqlite3_value_text(v));
      if (const auto d = DecimalFromText(t == nullptr ? "" : t)) {
        o.kind = Kind::kDecimal;
        o.dec = *d;
      }
    };
    to_decimal(va, a);
    to_decimal(vb, b);
    if (a.kind == Kind::kInt) a = Operand{Kind::kDecimal, DecimalFromInt(a.i), 0, 0};
    if (b.kind == Kind::kInt) b = Operand{Kind::kDecimal, DecimalFromInt(b.i), 0, 0};
    if (a.kind == Kind::kDecimal && b.kind == Kind::kDecimal) return DecimalCompare(a.dec, b.dec);
    if ((a.kind == Kind::kDecimal || a.kind == Kind::kReal) && (b.kind == Kind::kDecimal || b.kind == Kind::kReal)) {
      return sign(AsDouble(a), AsDouble(b));
    }
  }
  if (ClassRank(a.kind) != ClassRank(b.kind)) return sign(ClassRank(a.kind), ClassRank(b.kind));
  if (ClassRank(a.kind) == 1) {
    if (a.kind == Kind::kInt && b.kind == Kind::kInt) return sign(a.i, b.i);
    return sign(static_cast<long double>(a.kind == Kind::kInt ? a.i : a.d),
                static_cast<long double>(b.kind == Kind::kInt ? b.i : b.d));
  }
  // Text (BINARY collation) or blobs: bytes, then length.
  const bool text = a.kind == Kind::kText;
  const void* pa = text ? static_cast<const void*>(sqlite3_value_text(va)) : sqlite3_value_blob(va);
  const void* pb = text ? static_cast<const void*>(sqlite3_value_text(vb)) : sqlite3_value_blob(vb);
  const int na = sqlite3_value_bytes(va);
  const int nb = sqlite3_value_bytes(vb);
  const int c = std::memcmp(pa, pb, static_cast<size_t>(std::min(na, nb)));
  return c != 0 ? sign(c, 0) : sign(na, nb);
}

void Cmp(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto c = Compare(argv[0], argv[1]);
  if (!c) return sqlite3_result_null(ctx);
  sqlite3_result_int(ctx, *c);
}

// e IN (a, b, ...): true on an equal one; else NULL when e or any of them is NULL.
void In(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  bool unknown = false;
  for (int i = 1; i < argc; ++i) {
    const auto c = Compare(argv[0], argv[i]);
    if (c && *c == 0) return sqlite3_result_int(ctx, 1);
    unknown = unknown || !c;
  }
  if (unknown) return sqlite3_result_null(ctx);
  sqlite3_result_int(ctx, 0);
}

void Between(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto lo = Compare(argv[0], argv[1]);
  const auto hi = Compare(argv[0], argv[2]);
  if ((lo && *lo < 0) || (hi && *hi > 0)) return sqlite3_result_int(ctx, 0);
  if (!lo || !hi) return sqlite3_result_null(ctx);
  sqlite3_result_int(ctx, 1);
}

// presto_key(x): x, but a decimal as the one value every equal decimal gives (an
// integer when it is one, else a double when that spells it exactly, else the blob at
// its least scale), so SQLite's own = (IN over a subquery, CASE x WHEN, IS) matches
// equal values of different decimal types, and decimals with equal integers and doubles.
void Key(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const std::optional<Decimal> d = sqlite3_value_type(argv[0]) == SQLITE_BLOB ? DecimalArg(argv[0]) : std::nullopt;
  if (!d) return sqlite3_result_value(ctx, argv[0]);
  Decimal k = *d;
  while (k.scale > 0 && k.units % 10 == 0) {
    k.units /= 10;
    --k.scale;
  }
  if (k.scale == 0 && k.units >= INT64_MIN && k.units <= INT64_MAX) {
    return sqlite3_result_int64(ctx, static_cast<int64_t>(k.units));
  }
  const double v = DecimalToDouble(k);
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (ec == std::errc() && std::string_view(buf, static_cast<size_t>(end - buf)) == DecimalText(k)) {
    return sqlite3_result_double(ctx, v);
  }
  k.precision = kMaxDecimalPrecision;
  const std::string blob = EncodeDecimal(k);
  sqlite3_result_blob(ctx, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
}

// ---------------------------------------------------------------- cast, round, abs

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string TypeLabel(const Decimal& d) {
  return "DECIMAL(" + std::to_string(d.precision) + ", " + std::to_string(d.scale) + ")";
}

void CastToDecimal(sqlite3_context* ctx, sqlite3_value* v, const Operand& a, int precision, int scale) {
  const std::string target = "DECIMAL(" + std::to_string(precision) + ", " + std::to_string(scale) + ")";
  if (a.kind == Kind::kDecimal || a.kind == Kind::kInt) {
    const Decimal from = a.kind == Kind::kDecimal ? a.dec : DecimalFromInt(a.i);
    const auto units = Rescale(from.units, from.scale, scale);
    if (!units || *units >= Pow10(precision) || *units <= -Pow10(precision)) {
      const std::string source = a.kind == Kind::kDecimal ? TypeLabel(from) : std::string("BIGINT");
      return ResultError(ctx, "INVALID_CAST_ARGUMENT: Cannot cast " + source + " '" + DecimalText(from) + "' to " + target);
    }
    return ResultDecimal(ctx, Decimal{*units, precision, scale});
  }
  std::string text;
  std::string source = "VARCHAR";
  if (a.kind == Kind::kReal) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, a.d);
    text.assign(buf, ec == std::errc() ? end : buf);
    source = "DOUBLE";
  } else {
    const auto* t = reinterpret_cast<const char*>(sqlite3_value_text(v));
    text = t == nullptr ? "" : t;
  }
  std::string normal;
  if (!NormalizeDecimal(text, precision, scale, normal)) {
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    const bool number = !TrimBlanks(text).empty() && TrimBlanks(std::string_view(end)).empty();
    return ResultError(ctx, "INVALID_CAST_ARGUMENT: Cannot cast " + source + " '" + text + "' to " + target +
                                (source == "VARCHAR" ? (number ? ". Value too large." : ". Value is not a number.") : ""));
  }
  ResultDecimal(ctx, DecimalFromNormalized(normal, precision, scale));
}

// CAST(x AS type) as SQLite does it, for a value that is no decimal.
void NativeCast(sqlite3_context* ctx, sqlite3_value* v, const std::string& type) {
  for (const char c : type) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '(' || c == ')' || c == ',' || c == '_')) {
      return ResultError(ctx, "Unknown type: " + type);
    }
  }
  sqlite3* db = sqlite3_context_db_handle(ctx);
  sqlite3_stmt* st = nullptr;
  const std::string sql = "SELECT CAST(?1 AS " + type + ")";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    return sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
  }
  sqlite3_bind_value(st, 1, v);
  if (sqlite3_step(st) == SQLITE_ROW) {
    sqlite3_result_value(ctx, sqlite3_column_value(st, 0));
  } else {
    sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
  }
  sqlite3_finalize(st);
}

void Cast(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const Operand a = Read(argv[0], false);  // text is parsed as the decimal it spells, not via a double
  const auto* raw = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  const std::string type(TrimBlanks(raw == nullptr ? "" : raw));
  std::string lower = AsciiLower(type);
  std::erase(lower, ' ');
  if (a.kind == Kind::kNull) return sqlite3_result_null(ctx);
  if (lower.starts_with("decimal")) {
    int p = 38, s = 0;
    if (lower != "decimal" && std::sscanf(lower.c_str(), "decimal(%d,%d)", &p, &s) != 2 &&
        std::sscanf(lower.c_str(), "decimal(%d)", &p) != 1) {
      return ResultError(ctx, "Unknown type: " + type);
    }
    if (p < 1 || p > kMaxDecimalPrecision || s < 0 || s > p) {
      return ResultError(ctx, "DECIMAL precision must be in range [1, 38] and scale in [0, precision]: " + type);
    }
    return CastToDecimal(ctx, argv[0], a, p, s);
  }
  if (a.kind != Kind::kDecimal) return NativeCast(ctx, argv[0], type);
  const Decimal& d = a.dec;
  if (lower == "double" || lower == "real" || lower == "float") return sqlite3_result_double(ctx, DecimalToDouble(d));
  if (lower == "boolean") return sqlite3_result_int(ctx, d.units != 0);
  if (lower == "integer" || lower == "int" || lower == "bigint" || lower == "smallint" || lower == "tinyint") {
    const __int128 v = *Rescale(d.units, d.scale, 0);  // half away from zero, as Presto
    const __int128 max = lower == "bigint" ? INT64_MAX : lower == "smallint" ? INT16_MAX : lower == "tinyint" ? INT8_MAX : INT32_MAX;
    if (v > max || v < -max - 1) {
      return ResultError(ctx, "NUMERIC_VALUE_OUT_OF_RANGE: Cannot cast '" + DecimalText(d) + "' to " + Upper(lower));
    }
    return sqlite3_result_int64(ctx, static_cast<int64_t>(v));
  }
  const std::string text = DecimalText(d);
  sqlite3_result_text(ctx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

// SQLite's round(): a double, n clamped to 0..30.
double NativeRound(double r, int64_t n) {
  n = std::clamp<int64_t>(n, 0, 30);
  if (r < -4503599627370496.0 || r > 4503599627370496.0) return r;
  if (n == 0) return static_cast<double>(static_cast<int64_t>(r + (r < 0 ? -0.5 : 0.5)));
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(n), r);
  return std::strtod(buf, nullptr);
}

void Round(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  const Operand a = Read(argv[0]);
  if (a.kind == Kind::kNull || (argc == 2 && sqlite3_value_type(argv[1]) == SQLITE_NULL)) {
    return sqlite3_result_null(ctx);
  }
  const std::optional<int64_t> digits = argc == 2 ? std::optional<int64_t>(sqlite3_value_int64(argv[1])) : std::nullopt;
  if (a.kind != Kind::kDecimal) return sqlite3_result_double(ctx, NativeRound(AsDouble(a), digits.value_or(0)));
  const DecimalResult r = DecimalRound(a.dec, digits);
  if (!r.error.empty()) return ResultError(ctx, r.error);
  ResultDecimal(ctx, r.value);
}

void AbsFn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const Operand a = Read(argv[0]);
  switch (a.kind) {
    case Kind::kNull: return sqlite3_result_null(ctx);
    case Kind::kDecimal:
      return ResultDecimal(ctx, Decimal{a.dec.units < 0 ? -a.dec.units : a.dec.units, a.dec.precision, a.dec.scale});
    case Kind::kInt:
      if (a.i == INT64_MIN) return sqlite3_result_error(ctx, "integer overflow", -1);
      return sqlite3_result_int64(ctx, a.i < 0 ? -a.i : a.i);
    default: return sqlite3_result_double(ctx, std::fabs(a.d));
  }
}

}  // namespace

std::optional<int> CompareValues(sqlite3_value* a, sqlite3_value* b) { return Compare(a, b); }

std::optional<Decimal> DecimalArg(sqlite3_value* v) {
  if (sqlite3_value_type(v) != SQLITE_BLOB) return std::nullopt;
  return DecodeDecimal(sqlite3_value_blob(v), static_cast<size_t>(sqlite3_value_bytes(v)));
}

void ResultDecimal(sqlite3_context* ctx, const Decimal& d) {
  const std::string blob = EncodeDecimal(d);
  sqlite3_result_blob(ctx, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
}

int RegisterDecimalFunctions(sqlite3* db) {
  static constexpr ScalarFunction kScalars[] = {
      {"presto_add", 2, Add},         {"presto_sub", 2, Sub},      {"presto_mul", 2, Mul},
      {"presto_div", 2, Div},         {"presto_mod", 2, Mod},      {"presto_neg", 1, Negate},
      {"presto_decimal", 1, Literal}, {"presto_cmp", 2, Cmp},      {"presto_in", -1, In},
      {"presto_between", 3, Between}, {"presto_cast", 2, Cast},    {"presto_round", 1, Round},
      {"presto_round", 2, Round},     {"presto_abs", 1, AbsFn},
      {"presto_key", 1, Key},
  };
  int rc = RegisterScalars(db, kScalars);
  if (rc == SQLITE_OK) rc = RegisterDecimalBridges(db);
  return rc == SQLITE_OK ? RegisterDecimalAggregates(db) : rc;
}

}  // namespace sluice::query
