// The functions the decimal rewrite (rewrite.h) puts between a value that may be a
// decimal and SQLite's own functions and operators that know no decimals: each passes
// anything that is no decimal through unchanged.
#include <sqlite3.h>

#include <string>
#include <string_view>

#include "internal/decimal.h"
#include "internal/functions.h"

namespace sluice::query {
namespace {

// SQLite's JSON functions take a text value of this subtype as JSON, not as a string;
// newer SQLite wants a function that sets a subtype to say so.
constexpr unsigned int kJsonSubtype = 'J';
#ifdef SQLITE_RESULT_SUBTYPE
constexpr int kSetsSubtype = SQLITE_RESULT_SUBTYPE;
#else
constexpr int kSetsSubtype = 0;
#endif

void ResultText(sqlite3_context* ctx, const std::string& text) {
  sqlite3_result_text(ctx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

// presto_text(x): a decimal as its text ("1.50"), as CAST(x AS varchar) gives it.
void Text(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto d = DecimalArg(argv[0]);
  if (!d) return sqlite3_result_value(ctx, argv[0]);
  ResultText(ctx, DecimalText(*d));
}

// presto_double(x): a decimal as the nearest double, as Presto coerces a decimal
// argument of a function that takes a double.
void Double(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto d = DecimalArg(argv[0]);
  if (!d) return sqlite3_result_value(ctx, argv[0]);
  sqlite3_result_double(ctx, DecimalToDouble(*d));
}

// presto_json(x): a decimal as a JSON number with its digits (1.50), as
// CAST(x AS json) gives it.
void Json(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto d = DecimalArg(argv[0]);
  if (!d) return sqlite3_result_value(ctx, argv[0]);
  ResultText(ctx, DecimalText(*d));
  sqlite3_result_subtype(ctx, kJsonSubtype);
}

// presto_nodec(x, offset, message): x, or the error `message` on a decimal, marked
// with the offset in the statement (DecimalGuardError reads it back).
void NoDecimal(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (!DecimalArg(argv[0])) return sqlite3_result_value(ctx, argv[0]);
  const auto* message = reinterpret_cast<const char*>(sqlite3_value_text(argv[2]));
  const std::string error = std::string(kDecimalGuardPrefix) + std::to_string(sqlite3_value_int64(argv[1])) + ": " +
                            (message == nullptr ? "" : message);
  sqlite3_result_error(ctx, error.data(), static_cast<int>(error.size()));
}

// presto_typeof(x): Presto's name of a decimal's type, SQLite's typeof otherwise.
void TypeOf(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (const auto d = DecimalArg(argv[0])) {
    return ResultText(ctx, "decimal(" + std::to_string(d->precision) + "," + std::to_string(d->scale) + ")");
  }
  static constexpr const char* kNames[] = {"", "integer", "real", "text", "blob", "null"};
  sqlite3_result_text(ctx, kNames[sqlite3_value_type(argv[0])], -1, SQLITE_STATIC);
}

// presto_nullif(a, b): NULL when a equals b (exactly, across decimal types), else a.
void NullIf(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto c = CompareValues(argv[0], argv[1]);
  if (c && *c == 0) return sqlite3_result_null(ctx);
  sqlite3_result_value(ctx, argv[0]);
}

// greatest(a, b, ...) / least(...): NULL when any is NULL, else the largest (smallest)
// by exact comparison, as SQLite's scalar max/min and Presto's greatest/least.
void Extreme(sqlite3_context* ctx, int argc, sqlite3_value** argv, int want) {
  if (argc == 0) return sqlite3_result_error(ctx, "greatest/least need an argument", -1);
  int best = 0;
  for (int i = 0; i < argc; ++i) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) return sqlite3_result_null(ctx);
    if (i == 0) continue;
    const auto c = CompareValues(argv[i], argv[best]);
    if (c && *c == want) best = i;
  }
  sqlite3_result_value(ctx, argv[best]);
}
void Greatest(sqlite3_context* ctx, int argc, sqlite3_value** argv) { Extreme(ctx, argc, argv, 1); }
void Least(sqlite3_context* ctx, int argc, sqlite3_value** argv) { Extreme(ctx, argc, argv, -1); }

}  // namespace

int RegisterDecimalBridges(sqlite3* db) {
  static constexpr ScalarFunction kScalars[] = {
      {"presto_text", 1, Text},          {"presto_double", 1, Double},     {"presto_json", 1, Json, kSetsSubtype},
      {"presto_nodec", 3, NoDecimal},    {"presto_typeof", 1, TypeOf},     {"presto_nullif", 2, NullIf},
      {"presto_greatest", -1, Greatest}, {"presto_least", -1, Least},      {"greatest", -1, Greatest},
      {"least", -1, Least},
  };
  return RegisterScalars(db, kScalars);
}

}  // namespace sluice::query
