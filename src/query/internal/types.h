// Hive column types as the scan sees them: how a JSON value becomes an SQLite value,
// and the type name Athena reports for the column. Nested types (array, map, struct)
// are JSON text.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace sluice::query {

enum class ValueKind { kString, kInteger, kDouble, kDecimal, kBoolean, kDate, kTimestamp, kNested };

struct ColumnType {
  ValueKind kind = ValueKind::kString;
  // Athena's result type name: varchar, integer, bigint, double, boolean, array, row, ...
  // also the column's declared type in the virtual table (upper-cased), so a result
  // column that is a plain column reference keeps it.
  std::string athena;
  int precision = 0;  // decimal(p,s) only
  int scale = 0;
};

// The column's declared type in the virtual table: `athena`, with "(p,s)" for a decimal.
std::string DeclaredType(const ColumnType& type);
// The scale of a result column declared `decl` ("decimal(10,2)"), or -1 when it is no decimal.
int DecimalScaleFromDecl(std::string_view decl);

// A decimal(p,s) value from its text ("1.005", "-2", "1e2"), rounded half up to
// `scale` digits as Hive does: "1.01" for decimal(10,2). False when it is not a
// number or has more than p - s integer digits (the SerDe's NULL).
bool NormalizeDecimal(std::string_view text, int precision, int scale, std::string& out);

// `hive`: the catalog's lower-case type text ("int", "decimal(10,2)", "array<string>").
ColumnType ParseColumnType(std::string_view hive);

// The Athena type name for a result column declared `decl` in SQLite (a vtab column's
// declared type), or "" when it is not one of ours.
std::string AthenaTypeFromDecl(std::string_view decl);

// Broken-down UTC time of `ms` since the epoch, and its millisecond part (0..999).
std::tm UtcTime(int64_t ms, int& millis);

// `name` as an SQL identifier in double quotes.
std::string QuoteName(std::string_view name);

// Timestamps as Athena prints them: "2024-01-31 12:00:00.000".
std::string FormatTimestampMs(int64_t ms);
// Dates: "2024-01-31".
std::string FormatDate(int64_t days);
// Parses "YYYY-MM-DD[ T]HH:MM[:SS[.fff]]" or "YYYY-MM-DD" into ms since the epoch (UTC).
bool ParseTimestampMs(std::string_view text, int64_t& ms);

}  // namespace sluice::query
