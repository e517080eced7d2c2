#include "internal/functions.h"

#include <sqlite3.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <string>
#include <unordered_set>

#include "internal/types.h"

namespace sluice::query {
namespace {

using DistinctSet = std::unordered_set<std::string>;

void DistinctStep(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto** set = static_cast<DistinctSet**>(sqlite3_aggregate_context(ctx, sizeof(DistinctSet*)));
  if (set == nullptr) return sqlite3_result_error_nomem(ctx);
  if (*set == nullptr) *set = new DistinctSet();  // NOLINT: freed in DistinctFinal
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  std::string key(1, static_cast<char>('0' + sqlite3_value_type(argv[0])));
  key.append(text, static_cast<size_t>(sqlite3_value_bytes(argv[0])));
  (*set)->insert(std::move(key));
}

void DistinctFinal(sqlite3_context* ctx) {
  auto** set = static_cast<DistinctSet**>(sqlite3_aggregate_context(ctx, 0));
  if (set == nullptr || *set == nullptr) return sqlite3_result_int64(ctx, 0);
  sqlite3_result_int64(ctx, static_cast<sqlite3_int64>((*set)->size()));
  delete *set;  // NOLINT
}

// Milliseconds since the epoch from a timestamp value (text) or a number of seconds.
bool TimestampArg(sqlite3_value* v, int64_t& ms) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: ms = sqlite3_value_int64(v) * 1000; return true;
    case SQLITE_FLOAT: ms = static_cast<int64_t>(std::llround(sqlite3_value_double(v) * 1000)); return true;
    case SQLITE_TEXT:
      return ParseTimestampMs(reinterpret_cast<const char*>(sqlite3_value_text(v)), ms);
    default: return false;
  }
}

void FromUnixtime(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  const double secs = sqlite3_value_double(argv[0]);
  const std::string s = FormatTimestampMs(static_cast<int64_t>(std::llround(secs * 1000)));
  sqlite3_result_text(ctx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

// MySQL's specifiers, as Presto's date_format takes them.
void DateFormat(sqlite3_context* ctx, int, sqlite3_value** argv) {
  int64_t ms = 0;
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL || !TimestampArg(argv[0], ms)) return sqlite3_result_null(ctx);
  const std::string fmt = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  int frac = 0;
  const std::tm tm = UtcTime(ms, frac);
  static constexpr const char* kMonths[] = {"January", "February", "March", "April", "May", "June", "July",
                                            "August", "September", "October", "November", "December"};
  static constexpr const char* kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  std::string out;
  char buf[32];
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || i + 1 == fmt.size()) {
      out += fmt[i];
      continue;
    }
    const char c = fmt[++i];
    switch (c) {
      case 'Y': std::snprintf(buf, sizeof buf, "%04d", tm.tm_year + 1900); break;
      case 'y': std::snprintf(buf, sizeof buf, "%02d", tm.tm_year % 100); break;
      case 'm': std::snprintf(buf, sizeof buf, "%02d", tm.tm_mon + 1); break;
      case 'c': std::snprintf(buf, sizeof buf, "%d", tm.tm_mon + 1); break;
      case 'd': std::snprintf(buf, sizeof buf, "%02d", tm.tm_mday); break;
      case 'e': std::snprintf(buf, sizeof buf, "%d", tm.tm_mday); break;
      case 'H': std::snprintf(buf, sizeof buf, "%02d", tm.tm_hour); break;
      case 'k': std::snprintf(buf, sizeof buf, "%d", tm.tm_hour); break;
      case 'h':
      case 'I': std::snprintf(buf, sizeof buf, "%02d", tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12); break;
      case 'i': std::snprintf(buf, sizeof buf, "%02d", tm.tm_min); break;
      case 's':
      case 'S': std::snprintf(buf, sizeof buf, "%02d", tm.tm_sec); break;
      case 'f': std::snprintf(buf, sizeof buf, "%06d", frac * 1000); break;
      case 'p': std::snprintf(buf, sizeof buf, "%s", tm.tm_hour < 12 ? "AM" : "PM"); break;
      case 'T': std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec); break;
      case 'j': std::snprintf(buf, sizeof buf, "%03d", tm.tm_yday + 1); break;
      case 'M': std::snprintf(buf, sizeof buf, "%s", kMonths[tm.tm_mon]); break;
      case 'W': std::snprintf(buf, sizeof buf, "%s", kDays[tm.tm_wday]); break;
      case 'a': std::snprintf(buf, sizeof buf, "%.3s", kDays[tm.tm_wday]); break;
      case 'b': std::snprintf(buf, sizeof buf, "%.3s", kMonths[tm.tm_mon]); break;
      case '%': std::snprintf(buf, sizeof buf, "%%"); break;
      default: std::snprintf(buf, sizeof buf, "%c", c); break;
    }
    out += buf;
  }
  sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

// Runs `sql` (one result column, ?1 and ?2 bound to the arguments) on the calling
// connection and returns its value: the JSON functions SQLite already has, under
// Presto's names and rules.
void Delegate(sqlite3_context* ctx, int argc, sqlite3_value** argv, const char* sql) {
  sqlite3* db = sqlite3_context_db_handle(ctx);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    return sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
  }
  for (int i = 0; i < argc; ++i) sqlite3_bind_value(st, i + 1, argv[i]);
  const int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    sqlite3_result_value(ctx, sqlite3_column_value(st, 0));
  } else if (rc == SQLITE_DONE) {
    sqlite3_result_null(ctx);
  } else {
    sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
  }
  sqlite3_finalize(st);
}

void JsonExtractScalar(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  // Presto answers NULL for an object or array, and for text that is not JSON.
  Delegate(ctx, argc, argv,
           "SELECT CASE WHEN json_valid(?1) AND json_type(?1, ?2) NOT IN ('object', 'array') "
           "THEN CASE json_type(?1, ?2) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
           "ELSE CAST(json_extract(?1, ?2) AS TEXT) END END");
}

void Cardinality(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  Delegate(ctx, argc, argv,
           "SELECT CASE WHEN json_valid(?1) THEN CASE json_type(?1) WHEN 'array' THEN "
           "json_array_length(?1) WHEN 'object' THEN (SELECT count(*) FROM json_each(?1)) END END");
}

}  // namespace

int RegisterScalars(sqlite3* db, std::span<const ScalarFunction> functions) {
  for (const ScalarFunction& f : functions) {
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | f.extra_flags;
    const int rc = sqlite3_create_function(db, f.name, f.args, flags, nullptr, f.fn, nullptr, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

int RegisterPrestoFunctions(sqlite3* db) {
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  int rc = sqlite3_create_function(db, "approx_distinct", 1, kFlags, nullptr, nullptr, DistinctStep, DistinctFinal);
  if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "from_unixtime", 1, kFlags, nullptr, FromUnixtime, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "date_format", 2, kFlags, nullptr, DateFormat, nullptr, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "json_extract_scalar", 2, kFlags, nullptr, JsonExtractScalar, nullptr, nullptr);
  }
  if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "cardinality", 1, kFlags, nullptr, Cardinality, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = RegisterDecimalFunctions(db);
  return rc;
}

}  // namespace sluice::query
