#include "metrics/alarm_math.h"

#include <gtest/gtest.h>

#include "metrics/testing/fake_reader.h"

namespace sluice::metrics {
namespace {

constexpr int64_t kT0 = 1'700'000'040'000 - 1'700'000'040'000 % 60'000;

class MathTest : public ::testing::Test {
 protected:
  MetricId A() { return MakeId("App", "A", {}); }
  MetricId B() { return MakeId("App", "B", {}); }
  MetricQuery Stat(std::string id, MetricId m, bool ret = true) {
    MetricQuery q;
    q.id = std::move(id);
    q.metric_stat = MetricStatSpec{std::move(m), 60, Statistic{Statistic::kSum, 0}, std::nullopt};
    q.return_data = ret;
    return q;
  }
  MetricQuery Expr(std::string id, std::string e) {
    MetricQuery q;
    q.id = std::move(id);
    q.expression = std::move(e);
    return q;
  }
  std::vector<double> Values(const std::vector<MetricQuery>& qs, const std::string& id, int64_t end = kT0 + 5 * 60'000) {
    auto r = RunQueries(reader_, qs, kT0, end);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return {};
    for (const SeriesResult& s : *r) {
      if (s.id == id) return s.values;
    }
    ADD_FAILURE() << "no result " << id;
    return {};
  }
  testing::FakeReader reader_;
};

TEST_F(MathTest, ArithmeticAlignsTimestampsAndHonoursPrecedence) {
  reader_.Set(A(), kT0, 10);
  reader_.Set(A(), kT0 + 60'000, 20);
  reader_.Set(B(), kT0, 2);
  reader_.Set(B(), kT0 + 120'000, 4);  // no A at this timestamp: absent from a binary result
  std::vector<MetricQuery> qs = {Stat("a", A(), false), Stat("b", B(), false), Expr("e", "a + b * 2 ^ 2 - -1")};
  EXPECT_EQ(Values(qs, "e"), (std::vector<double>{10 + 2 * 4 + 1}));
  qs[2] = Expr("e", "(a + 10) / 10");
  EXPECT_EQ(Values(qs, "e"), (std::vector<double>{2, 3}));
  // Chains of one precedence apply left to right; ^ groups to the right.
  qs[2] = Expr("e", "a - 4 - 3 + b * 3 / 2 * 4 - 2 ^ 3 ^ 2 / 512");
  EXPECT_EQ(Values(qs, "e"), (std::vector<double>{10 - 4 - 3 + 2 * 3 / 2 * 4 - 1}));  // b only at kT0
}

TEST_F(MathTest, AggregatesOverMetricsAndOverOneSeries) {
  reader_.Set(A(), kT0, 1);
  reader_.Set(A(), kT0 + 60'000, 5);
  reader_.Set(B(), kT0, 3);
  std::vector<MetricQuery> qs = {Stat("a", A(), false), Stat("b", B(), false), Expr("s", "SUM(METRICS())")};
  EXPECT_EQ(Values(qs, "s"), (std::vector<double>{4, 5}));
  qs[2] = Expr("s", "AVG([a, b])");
  EXPECT_EQ(Values(qs, "s"), (std::vector<double>{2, 5}));
  qs[2] = Expr("s", "MAX(METRICS(\"b\"))");  // a one-series array: a scalar spread over the range
  EXPECT_EQ(Values(qs, "s"), (std::vector<double>(5, 3)));
  qs[2] = Expr("s", "MIN(a)");
  EXPECT_EQ(Values(qs, "s"), (std::vector<double>(5, 1)));
}

TEST_F(MathTest, AnArrayExpressionAnswersOneResultPerSeries) {
  reader_.Set(A(), kT0, 1);
  reader_.Set(B(), kT0, 3);
  std::vector<MetricQuery> qs = {Stat("a", A(), false), Stat("b", B(), false), Expr("e", "METRICS() * 2")};
  auto r = RunQueries(reader_, qs, kT0, kT0 + 60'000);
  ASSERT_TRUE(r.ok());
  std::vector<std::pair<std::string, std::vector<double>>> got;
  for (const SeriesResult& s : *r) {
    if (s.id == "e") got.emplace_back(s.label, s.values);
  }
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::vector<double>>>{{"A", {2}}, {"B", {6}}}));
  qs.push_back(Expr("s", "SUM(e)"));  // an array result is an array to the expressions after it
  EXPECT_EQ(Values(qs, "s", kT0 + 60'000), (std::vector<double>{8}));
}

TEST_F(MathTest, FillWithValueRepeatAndLinear) {
  reader_.Set(A(), kT0 + 60'000, 10);
  reader_.Set(A(), kT0 + 180'000, 30);
  std::vector<MetricQuery> qs = {Stat("a", A(), false), Expr("f", "FILL(a, 0)")};
  EXPECT_EQ(Values(qs, "f"), (std::vector<double>{0, 10, 0, 30, 0}));
  qs[1] = Expr("f", "FILL(a, REPEAT)");
  EXPECT_EQ(Values(qs, "f"), (std::vector<double>{10, 10, 10, 30, 30}));
  qs[1] = Expr("f", "FILL(a, LINEAR)");
  EXPECT_EQ(Values(qs, "f"), (std::vector<double>{10, 10, 20, 30, 30}));
}

TEST_F(MathTest, ExpressionsMayReferToLaterExpressions) {
  reader_.Set(A(), kT0, 4);
  std::vector<MetricQuery> qs = {Expr("y", "x * 2"), Stat("a", A(), false), Expr("x", "a + 1")};
  EXPECT_EQ(Values(qs, "y"), (std::vector<double>{10}));
}

TEST_F(MathTest, RefusesBadQueriesAsCloudWatchDoes) {
  std::vector<MetricQuery> qs = {Stat("A1", A())};
  auto r = ValidateQueries(qs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, CwErrorCode::kInvalidParameterValue);

  qs = {Stat("a", A()), Stat("a", B())};
  EXPECT_EQ(ValidateQueries(qs).error().code, CwErrorCode::kInvalidParameterValue);

  MetricQuery both = Stat("a", A());
  both.expression = "a";
  qs = {both};
  EXPECT_EQ(ValidateQueries(qs).error().code, CwErrorCode::kInvalidParameterCombination);

  qs = {Stat("a", A(), false), Expr("e", "a +")};
  EXPECT_EQ(ValidateQueries(qs).error().code, CwErrorCode::kInvalidParameterValue);
  qs = {Stat("a", A(), false), Expr("e", "RATE(a)")};
  auto unsupported = RunQueries(reader_, qs, kT0, kT0 + 60'000);
  ASSERT_FALSE(unsupported.ok());
  EXPECT_NE(unsupported.error().message.find("Unsupported function"), std::string::npos);
  qs = {Stat("a", A(), false), Expr("e", "missing_id + 1")};
  EXPECT_FALSE(RunQueries(reader_, qs, kT0, kT0 + 60'000).ok());
  qs = {Stat("a", A(), false)};
  EXPECT_NE(ValidateQueries(qs).error().message.find("ReturnData"), std::string::npos);
  // The length limit bounds the tree the evaluator recurses on: a chain of 2,048
  // operators is fine, a longer one is refused before it is parsed.
  std::string chain = "a";
  while (chain.size() + 2 <= kMaxExpressionLength) chain += "+a";
  qs = {Stat("a", A(), false), Expr("e", chain)};
  EXPECT_TRUE(RunQueries(reader_, qs, kT0, kT0 + 60'000).ok());
  // A chain is one node, so evaluating it does not recurse 1,024 deep (it overflowed the
  // stack of the instrumented ASan build); unary minus counts as nesting.
  // The expression itself is the first of 64 levels.
  qs = {Stat("a", A(), false), Expr("e", std::string(63, '-') + "1")};
  EXPECT_TRUE(ValidateQueries(qs).ok());
  qs = {Stat("a", A(), false), Expr("e", std::string(64, '-') + "1")};
  EXPECT_EQ(ValidateQueries(qs).error().message,
            "Error in expression '" + std::string(64, '-') + "1': Expression is nested too deeply at position 64");
  qs = {Stat("a", A(), false), Expr("e", std::string(kMaxExpressionLength, '-') + "1")};
  EXPECT_EQ(ValidateQueries(qs).error().message,
            "The value for parameter Expression of e must have length less than or equal to 2048.");
}

}  // namespace
}  // namespace sluice::metrics
