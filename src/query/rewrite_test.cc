#include "internal/rewrite.h"

#include <gtest/gtest.h>

namespace sluice::query {
namespace {

std::string Rewrite(std::string_view sql, std::set<std::string> decimals = {"amount", "price"}) {
  MappedText in{std::string(sql), {}};
  for (size_t i = 0; i <= sql.size(); ++i) in.original.push_back(static_cast<int>(i));
  const MappedText out = RewriteDecimals(in, std::move(decimals));
  EXPECT_EQ(out.original.size(), out.text.size() + 1);
  return out.text;
}

TEST(RewriteDecimals, LeavesStatementsWithoutDecimalsAlone) {
  for (const std::string_view sql : {"SELECT count(*) FROM t WHERE \"date\" = '2024-01-01' GROUP BY 1",
                                     "SELECT a + b * 2, -c FROM t WHERE x BETWEEN 1 AND 2 AND y IN (1, 2)",
                                     "SELECT from_unixtime(1.5), 0.5, round(rate, 2) FROM t",
                                     "SELECT CAST(a AS double) FROM t -- amount + 1"}) {
    EXPECT_EQ(Rewrite(sql), sql);
  }
}

TEST(RewriteDecimals, ArithmeticOnDecimalsBecomesCallsWithPrecedence) {
  EXPECT_EQ(Rewrite("SELECT amount + 1 FROM t"), "SELECT presto_add(amount , 1) FROM t");
  EXPECT_EQ(Rewrite("SELECT 0.1 + 0.2"), "SELECT presto_add(presto_decimal('0.1') , presto_decimal('0.2'))");
  EXPECT_EQ(Rewrite("SELECT a + amount * 2 - 1"),
            "SELECT presto_sub(presto_add(a , presto_mul(amount , 2)) , 1)");
  EXPECT_EQ(Rewrite("SELECT (amount + t.price) / 2"), "SELECT presto_div((presto_add(amount , t.price)) , 2)");
  EXPECT_EQ(Rewrite("SELECT -amount, -0.5"), "SELECT presto_neg(amount), -0.5");
  EXPECT_EQ(Rewrite("SELECT amount * -0.5"), "SELECT presto_mul(amount , presto_neg(presto_decimal('0.5')))");
  EXPECT_EQ(Rewrite("SELECT \"Amount\" % 3"), "SELECT presto_mod(\"Amount\" , 3)");
}

TEST(RewriteDecimals, ComparisonsBetweenAndIn) {
  EXPECT_EQ(Rewrite("SELECT 1 FROM t WHERE amount > 1.05 AND id = 2"),
            "SELECT 1 FROM t WHERE presto_cmp(amount , presto_decimal('1.05')) > 0 AND id = 2");
  EXPECT_EQ(Rewrite("SELECT 1 WHERE sum(amount) == 1"), "SELECT 1 WHERE presto_cmp(sum(amount) , 1) = 0");
  EXPECT_EQ(Rewrite("SELECT 1 WHERE amount NOT BETWEEN 1 AND 2.5 OR x"),
            "SELECT 1 WHERE NOT presto_between(amount  , 1 , presto_decimal('2.5')) OR x");
  EXPECT_EQ(Rewrite("SELECT 1 WHERE amount IN (1.10, 2)"),
            "SELECT 1 WHERE presto_in(amount , presto_decimal('1.10'), 2)");
  EXPECT_EQ(Rewrite("SELECT 1 WHERE amount IN (SELECT price FROM u)"),
            "SELECT 1 WHERE amount IN (SELECT price FROM u)");
}

TEST(RewriteDecimals, CastRoundAbsAndAliases) {
  EXPECT_EQ(Rewrite("SELECT CAST(x AS decimal(10, 2))"), "SELECT presto_cast(x ,' decimal(10, 2)')");
  EXPECT_EQ(Rewrite("SELECT CAST(amount AS varchar)"), "SELECT presto_cast(amount ,' varchar')");
  EXPECT_EQ(Rewrite("SELECT round(avg(amount), 1), abs(price)"), "SELECT presto_round(avg(amount), 1), presto_abs(price)");
  EXPECT_EQ(Rewrite("SELECT d * 2 FROM (SELECT amount AS d FROM t)"),
            "SELECT presto_mul(d , 2) FROM (SELECT amount AS d FROM t)");
  EXPECT_EQ(Rewrite("SELECT CASE WHEN amount > 0 THEN amount ELSE 0 END + 1"),
            "SELECT presto_add(CASE WHEN presto_cmp(amount , 0) > 0 THEN amount ELSE 0 END , 1)");
  EXPECT_EQ(Rewrite("SELECT 'amount + 1', \"x\" + 1 FROM t"), "SELECT 'amount + 1', \"x\" + 1 FROM t");
}

TEST(RewriteDecimals, PositionsPointIntoTheStatementAsWritten) {
  MappedText in{"SELECT amount + 1 FROM", {}};
  for (size_t i = 0; i <= in.text.size(); ++i) in.original.push_back(static_cast<int>(i));
  const MappedText out = RewriteDecimals(in, {"amount"});
  ASSERT_EQ(out.text, "SELECT presto_add(amount , 1) FROM");
  EXPECT_EQ(out.original[out.text.find("presto_add")], 7);  // where `amount` starts
  EXPECT_EQ(out.original[out.text.find("FROM")], 18);
  EXPECT_EQ(out.original.back(), static_cast<int>(in.text.size()));
}

}  // namespace
}  // namespace sluice::query
