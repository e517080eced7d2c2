// SQLite's own functions and operators over decimals (decimal_bridge.cc, rewrite.h):
// each converts the decimal as Presto would, or the statement fails as in Athena;
// none computes on the BLOB.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_fixture.h"

namespace sluice::query {
namespace {

class DecimalBridgeTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    Ok("CREATE EXTERNAL TABLE acct (id int, amount decimal(10,2), fee decimal(5,3), name string) ROW FORMAT SERDE "
       "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake/acct/'");
    Put("acct/a", "{\"id\":1,\"amount\":0.1,\"fee\":0.005,\"name\":\"ann\"}\n"
                  "{\"id\":2,\"amount\":2.5,\"fee\":1.25,\"name\":\"bo\"}\n"
                  "{\"id\":3,\"amount\":-1,\"fee\":0.1,\"name\":\"cy\"}\n"
                  "{\"id\":4,\"amount\":10,\"fee\":0,\"name\":\"dee\"}\n");
  }
  std::vector<std::string> Column(std::string_view sql) {
    std::vector<std::string> out;
    for (const auto& row : Ok(sql).rows) out.push_back(row.at(0).value_or("NULL"));
    return out;
  }
  std::string Error(std::string_view sql) { return Fails(sql).message(); }
};

// Renames the text cannot trace: the decimal is checked as the statement runs.
constexpr std::string_view kRenamed = "WITH c(i, a, f, n) AS (SELECT * FROM acct) ";

TEST_F(DecimalBridgeTest, StringFunctionsAndOperatorsRefuseADecimalAsAthenaDoes) {
  const Status concat = Fails("SELECT amount || 'x' FROM acct");
  EXPECT_EQ(concat.code(), StatusCode::kNotSupported);
  EXPECT_EQ(concat.message(), "line 1:8: FUNCTION_NOT_FOUND: operator || takes no decimal; CAST it to varchar first");
  EXPECT_EQ(Error("SELECT id FROM acct WHERE\n  amount LIKE '1%'"),
            "line 2:3: TYPE_MISMATCH: LIKE takes no decimal; CAST it to varchar first");
  EXPECT_EQ(Error("SELECT id FROM acct WHERE name NOT GLOB acct.fee"),
            "line 1:41: TYPE_MISMATCH: GLOB takes no decimal; CAST it to varchar first");
  for (const std::string fn : {"length", "substr", "upper", "lower", "trim", "replace", "instr", "hex", "quote"}) {
    const std::string more = fn == "substr" || fn == "instr" ? ", 1" : fn == "replace" ? ", '1', '2'" : "";
    const std::string message = ": FUNCTION_NOT_FOUND: function " + fn + " takes no decimal; CAST it to varchar first";
    EXPECT_EQ(Error("SELECT " + fn + "(amount" + more + ") FROM acct"),
              "line 1:" + std::to_string(9 + fn.size()) + message);
    EXPECT_EQ(Error(std::string(kRenamed) + "SELECT " + fn + "(a" + more + ") FROM c"),
              "line 1:" + std::to_string(52 + fn.size()) + message);
  }
  EXPECT_EQ(Error("SELECT id & amount FROM acct"),
            "line 1:13: FUNCTION_NOT_FOUND: operator & takes no decimal; CAST it to bigint first");
  // Under a name the text cannot trace: when a decimal reaches it.
  const Status renamed = Fails(std::string(kRenamed) + "SELECT n || a FROM c");
  EXPECT_EQ(renamed.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(renamed.message(), "line 1:56: FUNCTION_NOT_FOUND: operator || takes no decimal; CAST it to varchar first");
  EXPECT_EQ(Error("SELECT length(q) FROM (SELECT amount q FROM acct)"),
            "line 1:15: FUNCTION_NOT_FOUND: function length takes no decimal; CAST it to varchar first");
  EXPECT_EQ(Error(std::string(kRenamed) + "SELECT count(*) FROM c WHERE a LIKE '%1'"),
            "line 1:73: TYPE_MISMATCH: LIKE takes no decimal; CAST it to varchar first");
  EXPECT_EQ(Error("SELECT count(*) FROM (SELECT amount q FROM acct) WHERE q"),
            "line 1:56: TYPE_MISMATCH: a decimal is no boolean; compare it, as in x <> 0");
  EXPECT_EQ(Error("SELECT ~amount FROM acct"),
            "line 1:9: FUNCTION_NOT_FOUND: operator ~ takes no decimal; CAST it to bigint first");
  // What is no decimal passes: strings under untraced names, and the cast Presto asks for.
  EXPECT_EQ(One(std::string(kRenamed) + "SELECT n || '!' || length(n) FROM c WHERE i = 1"), "ann!3");
  EXPECT_EQ(One(std::string(kRenamed) + "SELECT count(*) FROM c WHERE n LIKE '%e%'"), "1");
  EXPECT_EQ(One(std::string(kRenamed) + "SELECT count(*) FROM c WHERE n AND i"), "0");  // as SQLite takes 'ann'
  EXPECT_EQ(One("SELECT count(*) FROM acct WHERE amount <> 0 AND NOT amount < 0"), "3");
  EXPECT_EQ(One("SELECT CAST(amount AS varchar) || 'x' FROM acct WHERE id = 2"), "2.50x");
  EXPECT_EQ(One("SELECT length(CAST(fee AS varchar)) FROM acct WHERE id = 2"), "5");
  EXPECT_EQ(One(std::string(kRenamed) + "SELECT upper(n) || CAST(a AS varchar) FROM c WHERE i = 3"), "CY-1.00");
}

TEST_F(DecimalBridgeTest, FunctionsThatTakeANumberOrTextGetTheDecimalsValue) {
  for (const std::string& prefix : {std::string(), std::string(kRenamed)}) {
    const std::string from = prefix.empty() ? " FROM acct WHERE id = " : " FROM c WHERE i = ";
    const std::string a = prefix.empty() ? "amount" : "a";
    const std::string f = prefix.empty() ? "fee" : "f";
    SCOPED_TRACE(prefix);
    EXPECT_EQ(One(prefix + "SELECT printf('%s|%.1f|%d', " + a + ", " + a + ", " + a + ")" + from + "2"), "2.50|2.5|2");
    EXPECT_EQ(One(prefix + "SELECT format('%s', " + f + ")" + from + "2"), "1.250");
    EXPECT_EQ(One(prefix + "SELECT json_object('a', " + a + ", 'f', " + f + ")" + from + "2"), "{\"a\":2.50,\"f\":1.250}");
    EXPECT_EQ(One(prefix + "SELECT json_array(" + a + ", NULL, 'x')" + from + "3"), "[-1.00,null,\"x\"]");
    EXPECT_EQ(One(prefix + "SELECT max(" + a + ", " + f + ")" + from + "3"), "0.100");
    EXPECT_EQ(One(prefix + "SELECT greatest(" + a + ", " + f + " * 10)" + from + "3"), "1.000");
    EXPECT_EQ(One(prefix + "SELECT least(" + a + ", " + f + " * 2)" + from + "2"), "2.50");  // a tie: the first
    EXPECT_EQ(One(prefix + "SELECT min(" + a + ", " + f + ")" + from + "3"), "-1.00");
    EXPECT_EQ(One(prefix + "SELECT sign(" + a + ")" + from + "3"), "-1");
    EXPECT_EQ(One(prefix + "SELECT typeof(" + f + ")" + from + "3"), "decimal(5,3)");
    EXPECT_EQ(One(prefix + "SELECT nullif(" + a + ", 10.000)" + from + "4"), "NULL");
    EXPECT_EQ(One(prefix + "SELECT nullif(" + a + ", 10.001)" + from + "4"), "10.00");
    EXPECT_EQ(One(prefix + "SELECT from_unixtime(" + a + ")" + from + "4"), "1970-01-01 00:00:10.000");
    EXPECT_EQ(One(prefix + "SELECT coalesce(NULL, " + a + ")" + from + "1"), "0.10");
    EXPECT_EQ(One(prefix + "SELECT CASE WHEN " + a + " > 1 THEN " + a + " ELSE " + f + " END" + from + "2"), "2.50");
    // Over all rows: aggregates of the converted values.
    const std::string all = prefix.empty() ? " FROM acct" : " FROM c";
    EXPECT_EQ(One(prefix + "SELECT total(" + a + ")" + all + " WHERE " + a + " > 1"), "12.5");
    EXPECT_EQ(One(prefix + "SELECT group_concat(" + a + ", ';') FROM (SELECT " + a + all + " ORDER BY 1)"),
              "-1.00;0.10;2.50;10.00");
    EXPECT_EQ(One(prefix + "SELECT json_group_array(" + f + ") FROM (SELECT " + f + all + " ORDER BY 1)"),
              "[0.000,0.005,0.100,1.250]");
  }
  EXPECT_EQ(Ok("SELECT greatest(amount, fee) FROM acct WHERE id = 1").columns[0], (ColumnInfo{"_col0", "decimal", 10, 2}));
  EXPECT_EQ(One("SELECT greatest(3, 7, 5)"), "7");
  EXPECT_EQ(One("SELECT least('b', 'a')"), "a");
}

TEST_F(DecimalBridgeTest, WindowAggregatesOverDecimalsAreExact) {
  EXPECT_EQ(Column("SELECT sum(amount) OVER (ORDER BY id) FROM acct ORDER BY id"),
            (std::vector<std::string>{"0.10", "2.60", "1.60", "11.60"}));
  EXPECT_EQ(Column("SELECT sum(amount) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM acct "
                   "ORDER BY id"),
            (std::vector<std::string>{"0.10", "2.60", "1.50", "9.00"}));
  EXPECT_EQ(Column("SELECT avg(fee) OVER (ORDER BY id ROWS 1 PRECEDING) FROM acct ORDER BY id"),
            (std::vector<std::string>{"0.005", "0.628", "0.675", "0.050"}));
  EXPECT_EQ(Column("SELECT sum(a + f) OVER (PARTITION BY i % 2) FROM (SELECT id i, amount a, fee f FROM acct) "
                   "ORDER BY i"),
            (std::vector<std::string>{"-0.795", "13.750", "-0.795", "13.750"}));
  EXPECT_EQ(Column("SELECT max(amount) OVER (ORDER BY id ROWS 1 PRECEDING) FROM acct ORDER BY id"),
            (std::vector<std::string>{"0.10", "2.50", "2.50", "10.00"}));
  EXPECT_EQ(Column("SELECT min(amount) OVER (ORDER BY id ROWS 1 PRECEDING) FROM acct ORDER BY id"),
            (std::vector<std::string>{"0.10", "0.10", "-1.00", "-1.00"}));
  EXPECT_EQ(Column("SELECT count(amount) OVER (ORDER BY id) FROM acct ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3", "4"}));
  // Integers and doubles as SQLite's own sum and avg, with the frame's inverse step.
  EXPECT_EQ(Column("SELECT sum(id) OVER (ORDER BY id ROWS 1 PRECEDING) FROM acct ORDER BY id"),
            (std::vector<std::string>{"1", "3", "5", "7"}));
  EXPECT_EQ(Column("SELECT avg(id) OVER (ORDER BY id ROWS 1 PRECEDING) FROM acct ORDER BY id"),
            (std::vector<std::string>{"1.0", "1.5", "2.5", "3.5"}));
  EXPECT_EQ(Column("SELECT sum(x) OVER (ORDER BY x ROWS 1 PRECEDING) FROM (SELECT 0.1 x UNION ALL SELECT 0.2 "
                   "UNION ALL SELECT 0.7) ORDER BY x"),
            (std::vector<std::string>{"0.1", "0.3", "0.9"}));
}

}  // namespace
}  // namespace sluice::query
