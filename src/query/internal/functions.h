// Presto/Athena function names SQLite lacks, registered on each query connection:
// approx_distinct(x) (exact here), date_format(ts, mysql_format), from_unixtime(secs),
// json_extract_scalar(json, path), cardinality(array_or_map_json); the decimal
// functions the rewrite calls (rewrite.h); and sum(x), avg(x) replaced by ones that
// add decimals exactly.
#pragma once

#include <optional>
#include <span>
#include <string_view>

struct sqlite3;
struct sqlite3_context;
struct sqlite3_value;

namespace sluice::query {

struct Decimal;

int RegisterPrestoFunctions(sqlite3* db);

// Registers deterministic UTF-8 scalar functions; SQLITE_OK or the first error.
struct ScalarFunction {
  const char* name;
  int args;  // -1: any number
  void (*fn)(sqlite3_context*, int, sqlite3_value**);
  int extra_flags = 0;  // e.g. SQLITE_RESULT_SUBTYPE
};
int RegisterScalars(sqlite3* db, std::span<const ScalarFunction> functions);

// presto_add/sub/mul/div/mod(a, b), presto_neg(a), presto_decimal('0.1'),
// presto_cmp(a, b) (-1, 0, 1), presto_in(e, ...), presto_between(e, lo, hi),
// presto_cast(x, 'type'), presto_round(x[, n]), presto_abs(x): exact on decimals
// (decimal.h), SQLite's own result on anything else. Then the aggregates.
int RegisterDecimalFunctions(sqlite3* db);

// sum(x): decimals give decimal(38, s), exact; REALs are added as their shortest
// decimal text, integers stay integers (SQLite's "integer overflow" past int64).
// avg(x): decimal(p,s) gives decimal(p,s), rounded half away from zero; anything else
// a double, as SQLite's avg.
int RegisterDecimalAggregates(sqlite3* db);

// The functions the rewrite puts between a value that may be a decimal and SQLite's
// own functions and operators: presto_text(x) (a decimal as its text), presto_double(x)
// (as a double), presto_json(x) (as a JSON number), presto_typeof(x),
// presto_nullif(a, b), presto_greatest/presto_least(...) (also as greatest/least),
// and presto_nodec(x, offset, message), which fails on a decimal with
// kDecimalGuardPrefix, the offset, ": " and the message. Anything that is no decimal
// passes through unchanged.
int RegisterDecimalBridges(sqlite3* db);
inline constexpr std::string_view kDecimalGuardPrefix = "sluice-decimal-at-";

// SQLite's comparison, exact on decimals (presto_cmp): -1, 0, 1; nullopt on a NULL.
std::optional<int> CompareValues(sqlite3_value* a, sqlite3_value* b);

// The decimal a value holds (a BLOB decimal.h encodes), or nullopt.
std::optional<Decimal> DecimalArg(sqlite3_value* v);
// Sets the function's result to `d` as that BLOB.
void ResultDecimal(sqlite3_context* ctx, const Decimal& d);

}  // namespace sluice::query
