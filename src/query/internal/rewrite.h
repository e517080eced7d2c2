// The decimal rewrite: SQLite has no decimal type and no operator overloading, so a
// SELECT is rewritten before SQLite sees it: where an operand may be a decimal, an
// operator becomes a call of the exact functions in functions.h.
//   a + b        presto_add(a, b)        (- * / % likewise)
//   -a           presto_neg(a)
//   a < b        presto_cmp(a, b) < 0    (= <> != <= > >= likewise)
//   e [NOT] BETWEEN lo AND hi / e [NOT] IN (x, y)   [NOT] presto_between / presto_in
//   CAST(e AS t) presto_cast(e, 't')     (always when t is a decimal)
//   round(e[, n]), abs(e)                presto_round, presto_abs
//   0.1          presto_decimal('0.1')   (Presto's decimal literal, only as an
//                                         operand of a rewritten operator)
// "May be a decimal" is decided on the text: a column name in `decimal_columns`, a
// decimal literal, an alias of such an expression, a rewritten operation, or
// sum/avg/min/max/round/abs/coalesce/nullif of one. The functions compute as SQLite
// would for operands that turn out to be no decimals, so taking too much costs only
// speed (and, for comparisons, SQLite's type affinity, which Presto's types make moot).
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

// `decimal_columns`: lower-case names of every decimal column of the tables the
// statement may read. Aliases of decimal expressions are found and followed.
MappedText RewriteDecimals(const MappedText& in, std::set<std::string> decimal_columns);

}  // namespace sluice::query
