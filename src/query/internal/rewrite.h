// The decimal rewrite: SQLite has no decimal type and no operator overloading, so a
// SELECT is rewritten before SQLite sees it: where an operand may be a decimal, an
// operator becomes a call of the exact functions in functions.h.
//   a + b        presto_add(a, b)        (- * / % likewise)
//   -a           presto_neg(a)
//   a < b        presto_cmp(a, b) < 0    (= <> != <= > >= likewise)
//   e [NOT] BETWEEN lo AND hi / e [NOT] IN (x, y)   [NOT] presto_between / presto_in
//   e [NOT] IN (subquery)   presto_key(e) [NOT] IN (WITH sluice_in_N(v) AS (subquery)
//                                                    SELECT presto_key(v) FROM sluice_in_N)
//   CASE e WHEN v ...       CASE presto_key(e) WHEN presto_key(v) ...
//   a IS [NOT] b            presto_key(a) IS [NOT] presto_key(b)   (b not NULL)
//   CAST(e AS t) presto_cast(e, 't')     (always when t is a decimal)
//   round(e[, n]), abs(e)                presto_round, presto_abs
//   0.1          presto_decimal('0.1')   (Presto's decimal literal, only as an
//                                         operand of a rewritten operator)
// Every other function or operator SQLite has (functions.h has the bridges):
//   printf, format, group_concat          presto_text(e)     (the decimal's text)
//   json_object, json_array, json_group_*, json_set/insert/replace/quote
//                                         presto_json(e)     (a JSON number)
//   max(a, b, ...), min(...), greatest, least   presto_greatest / presto_least
//   typeof(e), nullif(a, b)               presto_typeof, presto_nullif
//   count, one-argument min/max, coalesce, ifnull, iif, lag, lead, ...: e as it is
//   || & | << >> ~, LIKE GLOB REGEXP MATCH, a condition (WHERE e, AND e, NOT e,
//   CASE WHEN e, iif(e, ...)),
//   length substr upper lower trim replace instr hex quote char unicode concat ...:
//                refused (DecimalRewrite::refused) when e is surely a decimal column,
//                else presto_nodec(e, offset, 'message'), which fails on a decimal
//   any other function                    presto_double(e)   (as Presto coerces)
// A decimal literal alone keeps SQLite's REAL there too.
//
// Operands are typed from the schema, not from how the text looks: the rewrite runs at
// all only when a table the statement names has a decimal column, or the text has a
// decimal literal or the word `decimal` (else the statement is returned unchanged).
// Then every operand counts as "may be a decimal" unless it is KNOWN not to be one:
//   - a column name that some named table declares with another type, that no named
//     table declares as decimal, and that the statement defines as no alias (AS x,
//     an implicit alias, a CTE's column list, a compound select's later arms) of
//     anything but such known operands;
//   - a string, an integer or exponent literal, NULL/TRUE/FALSE/CURRENT_*;
//   - a comparison, a CAST to a type other than decimal, arithmetic on known
//     operands, a function that never returns a decimal (count, substr, ...), or one
//     that returns its argument (sum, coalesce, ...) of known operands.
// Anything else (a subquery's output under a name the rewrite cannot trace, an unknown
// function) is rewritten. So operations on known operands stay SQLite's own (their
// constraints still reach the lake table's xBestIndex: partition pruning), and no
// operator of the list above ever computes on a decimal BLOB. The functions compute as
// SQLite would for operands that turn out to be no decimals, so taking too much costs
// only speed.
// Positions: `original` maps every output byte (and the end) back to the statement.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace sluice::query {

struct MappedText {
  std::string text;
  std::vector<int> original;  // text.size() + 1 entries
};

// The columns of one table a statement may read (lower-case names).
struct TableColumnTypes {
  std::string table;
  std::set<std::string> decimals;  // decimal columns
  std::set<std::string> others;    // every other column, hidden ones too
};

struct DecimalRewrite {
  MappedText text;
  // Set when the statement has a construct that would compare decimals with SQLite's
  // own = and cannot be rewritten (JOIN ... USING a column that may be a decimal,
  // NATURAL JOIN), or passes a decimal column to what Presto has no decimal version of
  // (above): Presto's error name and the reason; `refused_at` is its offset in the
  // statement as written (in.original).
  std::string refused;
  int refused_at = -1;
};

// `tables`: every table SQLite will know while running the statement; those whose name
// the statement mentions are the ones it reads.
DecimalRewrite RewriteDecimals(const MappedText& in, const std::vector<TableColumnTypes>& tables);

}  // namespace sluice::query
