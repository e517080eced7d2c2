#include "delivery/prefix.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sluice::delivery {
namespace {

constexpr int64_t kAug27 = 1535365805123;  // 2018-08-27T10:30:05.123Z

// A deterministic random-string source: "r0000000001", "r0000000002", ...
RandomStringFn Counter() {
  auto n = std::make_shared<int>(0);
  return [n] {
    std::string s = std::to_string(++*n);
    return "r" + std::string(10 - s.size(), '0') + s;
  };
}

PrefixContext At(int64_t ms) {
  PrefixContext c;
  c.arrival_ms = ms;
  c.random_string = Counter();
  return c;
}

PrefixTemplate MustParse(std::string_view text, std::string_view field = "Prefix") {
  auto t = PrefixTemplate::Parse(text, field);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
  return t.ok() ? *t : PrefixTemplate();
}

std::string Eval(std::string_view text, const PrefixContext& c) {
  auto r = MustParse(text).Evaluate(c);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : "";
}

void ExpectParseError(std::string_view text, std::string_view message,
                      std::string_view field = "Prefix") {
  auto t = PrefixTemplate::Parse(text, field);
  ASSERT_FALSE(t.ok()) << text;
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.status().message(), message) << text;
}

// ---- parsing ----------------------------------------------------------------

TEST(PrefixParse, LiteralsAndExpressions) {
  PrefixTemplate t = MustParse(
      "a/!{timestamp:yyyy}/b!{firehose:random-string}!{partitionKeyFromQuery:k}"
      "!{partitionKeyFromLambda:l}");
  using K = PrefixTemplate::PartKind;
  EXPECT_EQ(t.parts(), (std::vector<PrefixTemplate::Part>{{K::kLiteral, "a/"},
                                                          {K::kTimestamp, "yyyy"},
                                                          {K::kLiteral, "/b"},
                                                          {K::kRandomString, ""},
                                                          {K::kQueryKey, "k"},
                                                          {K::kLambdaKey, "l"}}));
  EXPECT_TRUE(t.HasExpressions());
  EXPECT_TRUE(t.HasTimestamp());
  EXPECT_FALSE(MustParse("plain/prefix/").HasExpressions());
  EXPECT_TRUE(MustParse("").empty());
  // A lone "!" or "{" is literal text.
  EXPECT_EQ(MustParse("a!b{c}").parts().size(), 1u);
}

TEST(PrefixParse, RefusesMalformedExpressionsWithAwsWording) {
  ExpectParseError("a/!{timestamp:yyyy", "Invalid expression usage");
  ExpectParseError("!{timestamp}", "Invalid expression usage");
  ExpectParseError("!{a!{timestamp:yyyy}", "Invalid expression usage");
  ExpectParseError("!{partitionKeyFromQuery:}", "Invalid expression usage");
  ExpectParseError("!{Timestamp:yyyy}",
                   "Namespace to the left of colon (Timestamp) is an invalid keyword!");
  ExpectParseError("!{:x}", "Namespace to the left of colon () is an invalid keyword!");
  ExpectParseError("!{firehose:random}",
                   "Invalid conversion character used in the value of the expression in Prefix");
  ExpectParseError("!{firehose:error-output-type}/!{timestamp:}",
                   "Invalid conversion character used in the value of the expression in "
                   "ErrorOutputPrefix",
                   "ErrorOutputPrefix");
}

// ---- evaluation -------------------------------------------------------------

TEST(PrefixEvaluate, AwsDocumentationExamples) {
  PrefixContext c = At(kAug27);
  EXPECT_EQ(Eval("myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
                 "hour=!{timestamp:HH}/",
                 c),
            "myPrefix/year=2018/month=08/day=27/hour=10/");
  c.error_output_type = "processing-failed";
  EXPECT_EQ(Eval("myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/"
                 "!{firehose:error-output-type}",
                 c),
            "myErrorPrefix/year=2018/month=08/day=27/hour=10/processing-failed");
  EXPECT_EQ(Eval("myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/"
                 "!{timestamp:dd}",
                 c),
            "myFirehoseFailures/processing-failed/2018/anyMonth/27");
}

TEST(PrefixEvaluate, EveryRandomStringIsFreshAndComesFromTheInjectedSource) {
  PrefixContext c = At(kAug27);
  EXPECT_EQ(Eval("a/!{firehose:random-string}/b/!{firehose:random-string}/", c),
            "a/r0000000001/b/r0000000002/");
}

TEST(PrefixEvaluate, DefaultRandomStringsAreElevenHexDigits) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string s = DefaultRandomString();
    ASSERT_EQ(s.size(), 11u);
    for (char ch : s) EXPECT_TRUE((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) << s;
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 100u);
  PrefixContext c;  // no injected source: the default one
  c.arrival_ms = kAug27;
  EXPECT_EQ(Eval("!{firehose:random-string}", c).size(), 11u);
}

TEST(PrefixEvaluate, PartitionKeys) {
  PartitionKeys query = {{"customer_id", "c-17"}, {"year", "2019"}};
  PartitionKeys lambda = {{"region", "eu"}};
  PrefixContext c = At(kAug27);
  c.query_keys = &query;
  c.lambda_keys = &lambda;
  EXPECT_EQ(
      Eval("customer_id=!{partitionKeyFromQuery:customer_id}/year=!{partitionKeyFromQuery:year}"
           "/region=!{partitionKeyFromLambda:region}/",
           c),
      "customer_id=c-17/year=2019/region=eu/");
}

TEST(PrefixEvaluate, AMissingPartitionKeyIsAnError) {
  PartitionKeys query = {{"a", "1"}};
  PrefixContext c = At(kAug27);
  c.query_keys = &query;
  auto r = MustParse("!{partitionKeyFromQuery:b}/").Evaluate(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "partitionKeyFromQuery key 'b' has no value for this record");
  auto l = MustParse("!{partitionKeyFromLambda:a}/").Evaluate(c);  // no lambda keys at all
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().message(), "partitionKeyFromLambda key 'a' has no value for this record");
}

TEST(PrefixEvaluate, ErrorOutputTypeNeedsAnErrorContext) {
  auto r = MustParse("!{firehose:error-output-type}/").Evaluate(At(kAug27));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "!{firehose:error-output-type} outside an error output");
}

// ---- the key prefix of an object -------------------------------------------------

std::string Data(std::string_view prefix, bool dynamic = false) {
  auto r = DataObjectPrefix(MustParse(prefix), dynamic, At(kAug27));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

std::string Error(std::string_view prefix, std::string_view error_prefix) {
  PrefixContext c = At(kAug27);
  c.error_output_type = "processing-failed";
  auto r = ErrorObjectPrefix(MustParse(prefix), MustParse(error_prefix, "ErrorOutputPrefix"), c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

TEST(ObjectPrefix, DefaultAndAppendedTimestamp) {
  EXPECT_EQ(Data(""), "2018/08/27/10/");
  // The reference pipeline's prefix: the objects land under .../YYYY/MM/dd/HH/.
  EXPECT_EQ(Data("context=firehose_delivery/"), "context=firehose_delivery/2018/08/27/10/");
  EXPECT_EQ(Data("myFirehosePrefix"), "myFirehosePrefix2018/08/27/10/");
  EXPECT_EQ(Data("r/!{firehose:random-string}/"), "r/r0000000001/2018/08/27/10/");
}

TEST(ObjectPrefix, ATimestampExpressionReplacesTheDefault) {
  EXPECT_EQ(Data("dt=!{timestamp:yyyy'-'MM'-'dd}/"), "dt=2018-08-27/");
}

TEST(ObjectPrefix, DynamicPartitioningAppendsNothing) {
  PartitionKeys query = {{"customer_id", "1234567890"}};
  PrefixContext c = At(kAug27);
  c.query_keys = &query;
  auto r =
      DataObjectPrefix(MustParse("customer_id=!{partitionKeyFromQuery:customer_id}/"), true, c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "customer_id=1234567890/");
}

TEST(ObjectPrefix, PartitionKeysMayNotMakeThePrefixLongerThan512) {
  PartitionKeys query = {{"k", std::string(510, 'v')}};
  PrefixContext c = At(kAug27);
  c.query_keys = &query;
  PrefixTemplate t = MustParse("k/!{partitionKeyFromQuery:k}");
  auto fits = DataObjectPrefix(t, true, c);
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->size(), 512u);
  query["k"] += "v";
  auto r = DataObjectPrefix(t, true, c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Length of evaluated prefix cannot be greater than 512");
}

TEST(ObjectPrefix, ErrorPrefixes) {
  EXPECT_EQ(Error("", ""), "processing-failed/2018/08/27/10/");
  EXPECT_EQ(Error("myFirehosePrefix/", ""), "myFirehosePrefix/processing-failed/2018/08/27/10/");
  EXPECT_EQ(Error("p/", "errors/"), "errors/processing-failed/2018/08/27/10/");
  EXPECT_EQ(Error("p/!{timestamp:yyyy}/", "e/!{firehose:error-output-type}/"),
            "e/processing-failed/");
}

TEST(ObjectPrefix, AnErrorObjectNeedsItsType) {
  auto r = ErrorObjectPrefix(PrefixTemplate(), PrefixTemplate(), At(kAug27));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "an error object needs an error output type");
}

}  // namespace
}  // namespace sluice::delivery
