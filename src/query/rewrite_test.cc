#include "internal/rewrite.h"

#include <gtest/gtest.h>

namespace sluice::query {
namespace {

// Table t: decimals amount and price, and columns of other types; table plain: none.
std::vector<TableColumnTypes> Tables() {
  return {{"t", {"amount", "price", "range"}, {"a", "b", "c", "x", "y", "id", "rate", "dt", "date", "$path"}},
          {"plain", {}, {"a", "b", "c", "x", "y", "id", "rate", "dt", "date", "$path"}},
          {"u", {}, {"k", "v"}}};
}

std::string Rewrite(std::string_view sql) {
  MappedText in{std::string(sql), {}};
  for (size_t i = 0; i <= sql.size(); ++i) in.original.push_back(static_cast<int>(i));
  const DecimalRewrite out = RewriteDecimals(in, Tables());
  EXPECT_EQ(out.text.original.size(), out.text.text.size() + 1);
  return out.refused.empty() ? out.text.text : "refused at " + std::to_string(out.refused_at) + ": " + out.refused;
}

TEST(RewriteDecimals, LeavesStatementsWithoutDecimalsAlone) {
  for (const std::string_view sql : {"SELECT count(*) FROM plain WHERE \"date\" = '2024-01-01' GROUP BY 1",
                                     "SELECT a + b * 2, -c FROM plain WHERE x BETWEEN 1 AND 2 AND y IN (1, 2)",
                                     "SELECT q + 1 FROM (SELECT * FROM plain) AS s(q)",
                                     "SELECT v + 1 FROM (SELECT a v FROM plain) WHERE v IN (SELECT k FROM u)",
                                     "SELECT CAST(a AS double) FROM plain -- amount + 1, t",
                                     "SELECT length(a) || b, printf('%s', c), max(a, b), x LIKE y FROM plain WHERE a",
                                     // t is only named in a string: it is not read
                                     "SELECT amount + 1 FROM plain WHERE x = 't'"}) {
    EXPECT_EQ(Rewrite(sql), sql);
  }
  // A decimal literal alone stays SQLite's REAL, and known columns keep their operators.
  EXPECT_EQ(Rewrite("SELECT from_unixtime(1.5), 0.5, round(rate, 2) FROM plain"),
            "SELECT from_unixtime(1.5), 0.5, round(rate, 2) FROM plain");
}

TEST(RewriteDecimals, ArithmeticOnDecimalsBecomesCallsWithPrecedence) {
  EXPECT_EQ(Rewrite("SELECT amount + 1 FROM t"), "SELECT presto_add(amount , 1) FROM t");
  EXPECT_EQ(Rewrite("SELECT 0.1 + 0.2"), "SELECT presto_add(presto_decimal('0.1') , presto_decimal('0.2'))");
  EXPECT_EQ(Rewrite("SELECT a + amount * 2 - 1 FROM t"),
            "SELECT presto_sub(presto_add(a , presto_mul(amount , 2)) , 1) FROM t");
  EXPECT_EQ(Rewrite("SELECT (amount + t.price) / 2 FROM t"),
            "SELECT presto_div((presto_add(amount , t.price)) , 2) FROM t");
  EXPECT_EQ(Rewrite("SELECT -amount, -0.5 FROM t"), "SELECT presto_neg(amount), -0.5 FROM t");
  EXPECT_EQ(Rewrite("SELECT amount * -0.5 FROM t"), "SELECT presto_mul(amount , presto_neg(presto_decimal('0.5'))) FROM t");
  EXPECT_EQ(Rewrite("SELECT \"Amount\" % 3 FROM t"), "SELECT presto_mod(\"Amount\" , 3) FROM t");
}

TEST(RewriteDecimals, KnownColumnsKeepSqlitesOperators) {
  // Plain and partition columns of a table with decimals: their constraints stay
  // visible to the lake table (pruning).
  EXPECT_EQ(Rewrite("SELECT a + b, -c FROM t WHERE dt = '2024-01-01' AND \"date\" >= '2024' AND x IN (1, 2) "
                    "AND y BETWEEN 1 AND 2 AND \"$path\" <> '' AND length(b) > 1 AND id IS NOT NULL"),
            "SELECT a + b, -c FROM t WHERE dt = '2024-01-01' AND \"date\" >= '2024' AND x IN (1, 2) "
            "AND y BETWEEN 1 AND 2 AND \"$path\" <> '' AND length(b) > 1 AND id IS NOT NULL");
  EXPECT_EQ(Rewrite("SELECT s.dt FROM (SELECT dt AS dt, x y FROM t) AS s WHERE s.dt = 'd' AND y > 1"),
            "SELECT s.dt FROM (SELECT dt AS dt, x y FROM t) AS s WHERE s.dt = 'd' AND y > 1");
  EXPECT_EQ(Rewrite("SELECT sum(a) + 1, count(*) - 1 FROM t"), "SELECT sum(a) + 1, count(*) - 1 FROM t");
}

TEST(RewriteDecimals, OperandsOfUnknownTypeAreTakenForDecimals) {
  // Names the text cannot trace to a column: a CTE's column list, a VALUES column,
  // an unknown function, a subquery's value.
  EXPECT_EQ(Rewrite("WITH c(q) AS (SELECT * FROM t) SELECT q + 1 FROM c"),
            "WITH c(q) AS (SELECT * FROM t) SELECT presto_add(q , 1) FROM c");
  EXPECT_EQ(Rewrite("SELECT column1 > 1 FROM (VALUES (1)), t"), "SELECT presto_cmp(column1 , 1) > 0 FROM (VALUES (1)), t");
  EXPECT_EQ(Rewrite("SELECT mystery(a) * 2 FROM t"), "SELECT presto_mul(mystery(a) , 2) FROM t");
  EXPECT_EQ(Rewrite("SELECT (SELECT max(a) FROM t) = 1"), "SELECT presto_cmp((SELECT max(a) FROM t) , 1) = 0");
  // Aliases, with and without AS, followed outward; one decimal definition is enough.
  EXPECT_EQ(Rewrite("SELECT d * 2 FROM (SELECT amount AS d FROM t)"),
            "SELECT presto_mul(d , 2) FROM (SELECT amount AS d FROM t)");
  EXPECT_EQ(Rewrite("SELECT e - 1 FROM (SELECT d e FROM (SELECT amount d FROM t))"),
            "SELECT presto_sub(e , 1) FROM (SELECT d e FROM (SELECT amount d FROM t))");
  EXPECT_EQ(Rewrite("SELECT dt + 1 FROM (SELECT amount AS dt FROM t)"),
            "SELECT presto_add(dt , 1) FROM (SELECT amount AS dt FROM t)");
  // A compound select's later arms define the first arm's names.
  EXPECT_EQ(Rewrite("SELECT x + 1 FROM (SELECT x FROM t UNION ALL SELECT amount FROM t)"),
            "SELECT presto_add(x , 1) FROM (SELECT x FROM t UNION ALL SELECT amount FROM t)");
}

TEST(RewriteDecimals, ComparisonsBetweenInCaseAndIs) {
  EXPECT_EQ(Rewrite("SELECT 1 FROM t WHERE amount > 1.05 AND id = 2"),
            "SELECT 1 FROM t WHERE presto_cmp(amount , presto_decimal('1.05')) > 0 AND id = 2");
  EXPECT_EQ(Rewrite("SELECT 1 FROM t HAVING sum(amount) == 1"),
            "SELECT 1 FROM t HAVING presto_cmp(sum(amount) , 1) = 0");
  EXPECT_EQ(Rewrite("SELECT 1 FROM t WHERE amount NOT BETWEEN 1 AND 2.5 OR x"),
            "SELECT 1 FROM t WHERE NOT presto_between(amount  , 1 , presto_decimal('2.5')) OR x");
  EXPECT_EQ(Rewrite("SELECT 1 FROM t WHERE amount IN (1.10, 2)"),
            "SELECT 1 FROM t WHERE presto_in(amount , presto_decimal('1.10'), 2)");
  EXPECT_EQ(Rewrite("SELECT 1 FROM t WHERE id NOT IN (SELECT price FROM t)"),
            "SELECT 1 FROM t WHERE presto_key(id) NOT IN (WITH sluice_in_8(v) AS (SELECT price FROM t) "
            "SELECT presto_key(v) FROM sluice_in_8)");
  EXPECT_EQ(Rewrite("SELECT CASE amount WHEN 1.5 THEN 'a' WHEN x THEN 'b' END FROM t"),
            "SELECT CASE presto_key(amount) WHEN presto_key(presto_decimal('1.5')) THEN 'a' WHEN presto_key(x) "
            "THEN 'b' END FROM t");
  EXPECT_EQ(Rewrite("SELECT CASE x WHEN 1 THEN amount END FROM t"), "SELECT CASE x WHEN 1 THEN amount END FROM t");
  EXPECT_EQ(Rewrite("SELECT 1 FROM t WHERE x COLLATE nocase = amount AND y COLLATE binary = x"),
            "SELECT 1 FROM t WHERE presto_cmp(x COLLATE nocase , amount) = 0 AND y COLLATE binary = x");
  EXPECT_EQ(Rewrite("SELECT amount IS price, amount IS NOT NULL, x IS y FROM t"),
            "SELECT presto_key(amount) IS presto_key(price), amount IS NOT NULL, x IS y FROM t");
}

TEST(RewriteDecimals, JoinsThatCompareWithSqlitesOwnEqualityAreRefusedWhereDecimalsMayMeetThem) {
  EXPECT_EQ(Rewrite("SELECT 1 FROM t a JOIN t b USING (id, dt)"), "SELECT 1 FROM t a JOIN t b USING (id, dt)");
  EXPECT_EQ(Rewrite("SELECT 1 FROM t a JOIN t b USING (id, amount)"),
            "refused at 38: NOT_SUPPORTED: JOIN ... USING (amount) on a value that may be a decimal; join with ON "
            "instead");
  EXPECT_EQ(Rewrite("SELECT 1 FROM t NATURAL JOIN plain"),
            "refused at 16: NOT_SUPPORTED: NATURAL JOIN where decimals are read; join with ON and the columns");
  EXPECT_EQ(Rewrite("SELECT 1 FROM plain NATURAL JOIN u"), "SELECT 1 FROM plain NATURAL JOIN u");
}

TEST(RewriteDecimals, WindowAndFilterClausesBelongToTheirCall) {
  EXPECT_EQ(Rewrite("SELECT lag(amount) OVER (ORDER BY id) - amount FROM t"),
            "SELECT presto_sub(lag(amount) OVER (ORDER BY id) , amount) FROM t");
  EXPECT_EQ(Rewrite("SELECT sum(amount) FILTER (WHERE amount > 0) OVER w * 2 FROM t WINDOW w AS (ORDER BY id)"),
            "SELECT presto_mul(sum(amount) FILTER (WHERE presto_cmp(amount , 0) > 0) OVER w , 2) FROM t "
            "WINDOW w AS (ORDER BY id)");
  EXPECT_EQ(Rewrite("SELECT count(*) OVER (PARTITION BY dt) + 1 FROM t"),
            "SELECT count(*) OVER (PARTITION BY dt) + 1 FROM t");
}

TEST(RewriteDecimals, ColumnsNamedLikeKeywordsAreOperandsToo) {
  EXPECT_EQ(Rewrite("SELECT 1 FROM t WHERE range > 5 ORDER BY x DESC"),
            "SELECT 1 FROM t WHERE presto_cmp(range , 5) > 0 ORDER BY x DESC");
  EXPECT_EQ(Rewrite("SELECT rows * 2 FROM (SELECT amount AS rows FROM t)"),
            "SELECT presto_mul(rows , 2) FROM (SELECT amount AS rows FROM t)");
  EXPECT_EQ(Rewrite("SELECT sum(id) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t"),
            "SELECT sum(id) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t");
}

TEST(RewriteDecimals, CastRoundAbs) {
  EXPECT_EQ(Rewrite("SELECT CAST(x AS decimal(10, 2))"), "SELECT presto_cast(x ,' decimal(10, 2)')");
  EXPECT_EQ(Rewrite("SELECT CAST(amount AS varchar), CAST(a AS varchar) FROM t"),
            "SELECT presto_cast(amount ,' varchar'), CAST(a AS varchar) FROM t");
  EXPECT_EQ(Rewrite("SELECT round(avg(amount), 1), abs(price) FROM t"),
            "SELECT presto_round(avg(amount), 1), presto_abs(price) FROM t");
  EXPECT_EQ(Rewrite("SELECT CASE WHEN amount > 0 THEN amount ELSE 0 END + 1 FROM t"),
            "SELECT presto_add(CASE WHEN presto_cmp(amount , 0) > 0 THEN amount ELSE 0 END , 1) FROM t");
  EXPECT_EQ(Rewrite("SELECT 'amount + 1', \"x\" + 1 FROM t"), "SELECT 'amount + 1', \"x\" + 1 FROM t");
}

TEST(RewriteDecimals, SqliteFunctionsAndOperatorsGetAConvertedDecimalOrRefuseIt) {
  // A decimal column by a name no other column has: refused where Presto has no such
  // function of a decimal.
  EXPECT_EQ(Rewrite("SELECT a || b, length(a), a LIKE 'x%' FROM t"), "SELECT a || b, length(a), a LIKE 'x%' FROM t");
  EXPECT_EQ(Rewrite("SELECT x, amount || 'x' FROM t"),
            "refused at 10: FUNCTION_NOT_FOUND: operator || takes no decimal; CAST it to varchar first");
  EXPECT_EQ(Rewrite("SELECT 1 FROM t WHERE a NOT LIKE t.price ESCAPE '!'"),
            "refused at 33: TYPE_MISMATCH: LIKE takes no decimal; CAST it to varchar first");
  EXPECT_EQ(Rewrite("SELECT substr(CAST(a AS decimal(5,1)), 2) FROM t"),
            "refused at 14: FUNCTION_NOT_FOUND: function substr takes no decimal; CAST it to varchar first");
  // Under a name the text cannot trace: checked as it runs, at the offset of the operand.
  EXPECT_EQ(Rewrite("SELECT length(q), q LIKE 'a' FROM (SELECT amount q FROM t)"),
            "SELECT length(presto_nodec(q, 14, 'FUNCTION_NOT_FOUND: function length takes no decimal; CAST it to "
            "varchar first')), presto_nodec(q, 18, 'TYPE_MISMATCH: LIKE takes no decimal; CAST it to varchar "
            "first') LIKE 'a' FROM (SELECT amount q FROM t)");
  // Functions of a number or of text get the decimal's value; exact where they compare.
  EXPECT_EQ(Rewrite("SELECT printf('%s', amount), json_array(price), total(amount), sign(amount) FROM t"),
            "SELECT printf('%s', presto_text(amount)), json_array(presto_json(price)), total(presto_double(amount)), "
            "sign(presto_double(amount)) FROM t");
  EXPECT_EQ(Rewrite("SELECT max(amount, price), min(a, amount), max(amount), typeof(amount), nullif(amount, 1) FROM t"),
            "SELECT presto_greatest(amount, price), presto_least(a, amount), max(amount), presto_typeof(amount), "
            "presto_nullif(amount, 1) FROM t");
  EXPECT_EQ(Rewrite("SELECT group_concat(DISTINCT amount), count(DISTINCT amount), coalesce(amount, 0) FROM t"),
            "SELECT group_concat(DISTINCT presto_text(amount)), count(DISTINCT amount), coalesce(amount, 0) FROM t");
  EXPECT_EQ(Rewrite("SELECT ~amount FROM t"),
            "refused at 8: FUNCTION_NOT_FOUND: operator ~ takes no decimal; CAST it to bigint first");
  // A decimal where SQLite takes any value as a condition and Presto a boolean only.
  EXPECT_EQ(Rewrite("SELECT 1 FROM t WHERE a AND NOT price"),
            "refused at 32: TYPE_MISMATCH: a decimal is no boolean; compare it, as in x <> 0");
  EXPECT_EQ(Rewrite("SELECT CASE WHEN x THEN 1 WHEN amount THEN 2 END FROM t"),
            "refused at 31: TYPE_MISMATCH: a decimal is no boolean; compare it, as in x <> 0");
  EXPECT_EQ(Rewrite("SELECT iif(price, 1, amount) FROM t"),
            "refused at 11: TYPE_MISMATCH: a decimal is no boolean; compare it, as in x <> 0");
  EXPECT_EQ(Rewrite("SELECT CASE WHEN amount > 1 THEN amount END, iif(x, amount, 0) FROM t"),
            "SELECT CASE WHEN presto_cmp(amount , 1) > 0 THEN amount END, iif(x, amount, 0) FROM t");
  EXPECT_EQ(Rewrite("SELECT 1 FROM t WHERE x AND amount > 0 OR y"),
            "SELECT 1 FROM t WHERE x AND presto_cmp(amount , 0) > 0 OR y");
  EXPECT_EQ(Rewrite("SELECT q FROM (SELECT amount q FROM t) WHERE q"),
            "SELECT q FROM (SELECT amount q FROM t) WHERE presto_nodec(q, 45, 'TYPE_MISMATCH: a decimal is no boolean; "
            "compare it, as in x <> 0')");
  // A decimal literal alone stays SQLite's REAL; a subquery's items are not arguments.
  EXPECT_EQ(Rewrite("SELECT from_unixtime(1.5), length(0.5), a || 0.5 FROM t"),
            "SELECT from_unixtime(1.5), length(0.5), a || 0.5 FROM t");
  EXPECT_EQ(Rewrite("SELECT coalesce((SELECT amount FROM t), 1)"), "SELECT coalesce((SELECT amount FROM t), 1)");
}

TEST(RewriteDecimals, PositionsPointIntoTheStatementAsWritten) {
  MappedText in{"SELECT amount + 1 FROM t", {}};
  for (size_t i = 0; i <= in.text.size(); ++i) in.original.push_back(static_cast<int>(i));
  const MappedText out = RewriteDecimals(in, Tables()).text;
  ASSERT_EQ(out.text, "SELECT presto_add(amount , 1) FROM t");
  EXPECT_EQ(out.original[out.text.find("presto_add")], 7);  // where `amount` starts
  EXPECT_EQ(out.original[out.text.find("FROM")], 18);
  EXPECT_EQ(out.original.back(), static_cast<int>(in.text.size()));
}

}  // namespace
}  // namespace sluice::query
