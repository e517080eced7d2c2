#include "delivery/prefix.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "delivery/timestamp_format.h"
#include "delivery/utc_time.h"

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

// ---- calendar ---------------------------------------------------------------

TEST(UtcTime, FieldsOfKnownInstants) {
  UtcTime t = ToUtc(kAug27);
  EXPECT_EQ(t.year, 2018);
  EXPECT_EQ(t.month, 8);
  EXPECT_EQ(t.day, 27);
  EXPECT_EQ(t.hour, 10);
  EXPECT_EQ(t.minute, 30);
  EXPECT_EQ(t.second, 5);
  EXPECT_EQ(t.millis, 123);
  UtcTime leap = ToUtc(1709251199999);  // 2024-02-29T23:59:59.999Z
  EXPECT_EQ(leap.month, 2);
  EXPECT_EQ(leap.day, 29);
  EXPECT_EQ(leap.millis, 999);
  UtcTime y2k = ToUtc(946684800000);
  EXPECT_EQ(y2k.year, 2000);
  EXPECT_EQ(y2k.month, 1);
  EXPECT_EQ(y2k.day, 1);
}

TEST(UtcTime, BeforeTheEpoch) {
  UtcTime t = ToUtc(-1);
  EXPECT_EQ(t.year, 1969);
  EXPECT_EQ(t.month, 12);
  EXPECT_EQ(t.day, 31);
  EXPECT_EQ(t.hour, 23);
  EXPECT_EQ(t.second, 59);
  EXPECT_EQ(t.millis, 999);
  UtcTime old = ToUtc(-2203891200000);  // 1900-03-01: 1900 is not a leap year
  EXPECT_EQ(old.year, 1900);
  EXPECT_EQ(old.month, 3);
  EXPECT_EQ(old.day, 1);
}

// ---- Java DateTimeFormatter patterns ---------------------------------------------

std::string Fmt(std::string_view pattern, int64_t ms = kAug27) {
  auto r = FormatTimestamp(pattern, ToUtc(ms), "Prefix");
  EXPECT_TRUE(r.ok()) << pattern << ": " << r.status().ToString();
  return r.ok() ? *r : "";
}

TEST(TimestampPattern, TheLettersFirehoseUsersWrite) {
  EXPECT_EQ(Fmt("yyyy/MM/dd/HH/"), "2018/08/27/10/");
  EXPECT_EQ(Fmt("yyyy-MM-dd HH:mm:ss.SSS"), "2018-08-27 10:30:05.123");
  EXPECT_EQ(Fmt("yy"), "18");
  EXPECT_EQ(Fmt("uuuu"), "2018");
  EXPECT_EQ(Fmt("y"), "2018");
  EXPECT_EQ(Fmt("M/d/H/m/s"), "8/27/10/30/5");
  EXPECT_EQ(Fmt("MMM MMMM MMMMM"), "Aug August A");
  EXPECT_EQ(Fmt("S SS SSSS"), "1 12 1230");
}

TEST(TimestampPattern, QuotedText) {
  EXPECT_EQ(Fmt("'year='yyyy'/month='MM"), "year=2018/month=08");
  EXPECT_EQ(Fmt("yyyy'-'MM'-'dd"), "2018-08-27");
  EXPECT_EQ(Fmt("''yyyy''"), "'2018'");
  EXPECT_EQ(Fmt("'it''s' HH"), "it's 10");
  EXPECT_EQ(Fmt("'HH mm'"), "HH mm");
}

TEST(TimestampPattern, PadsAndTruncatesAroundTheYear) {
  EXPECT_EQ(Fmt("yy", 946684800000), "00");
  EXPECT_EQ(Fmt("yyyyy"), "02018");
  EXPECT_EQ(Fmt("HH:mm", 946684800000), "00:00");
}

TEST(TimestampPattern, RefusesWhatIsNotAJavaPatternLetter) {
  for (std::string_view p : {"yyyy-bb", "ii", "T", "yyyy/MM/dd'T'HH f"}) {
    auto r = FormatTimestamp(p, ToUtc(kAug27), "ErrorOutputPrefix");
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().message(),
              "Invalid conversion character used in the value of the expression in "
              "ErrorOutputPrefix")
        << p;
  }
}

TEST(TimestampPattern, RefusesJavaLettersSluiceDoesNotImplementByName) {
  auto r = FormatTimestamp("yyyy EEE", ToUtc(kAug27), "Prefix");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unsupported timestamp pattern 'EEE': not implemented (sluice supports y u M d H m s "
            "S and quoted text)");
  auto dd = FormatTimestamp("ddd", ToUtc(kAug27), "Prefix");
  ASSERT_FALSE(dd.ok());
  EXPECT_EQ(dd.status().message(),
            "unsupported timestamp pattern 'ddd': too many pattern letters (sluice supports y u M "
            "d H m s S and quoted text)");
  auto quote = FormatTimestamp("yyyy'abc", ToUtc(kAug27), "Prefix");
  ASSERT_FALSE(quote.ok());
  EXPECT_EQ(quote.status().message(), "unclosed quote in timestamp pattern 'yyyy'abc'");
  auto optional = FormatTimestamp("yyyy[MM]", ToUtc(kAug27), "Prefix");
  ASSERT_FALSE(optional.ok());
  EXPECT_EQ(optional.status().message(),
            "unsupported timestamp pattern character '[' (optional sections and reserved "
            "characters)");
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

// ---- AWS's rules -----------------------------------------------------------------

Status Check(PrefixRules rules) { return ValidatePrefixes(rules); }

void ExpectRefused(const PrefixRules& rules, std::string_view message) {
  Status s = ValidatePrefixes(rules);
  ASSERT_FALSE(s.ok()) << message;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), message);
}

TEST(ValidatePrefixes, AcceptsWhatAwsAccepts) {
  EXPECT_TRUE(Check({}).ok());
  EXPECT_TRUE(Check({.prefix = "context=firehose_delivery/"}).ok());
  EXPECT_TRUE(Check({.prefix = "plain/", .error_output_prefix = "errors/"}).ok());
  EXPECT_TRUE(Check({.prefix = "dt=!{timestamp:yyyy}/",
                     .error_output_prefix = "e/!{firehose:error-output-type}/!{timestamp:yyyy}/"})
                  .ok());
  EXPECT_TRUE(Check({.prefix = "c=!{partitionKeyFromQuery:c}/",
                     .error_output_prefix = "e/!{firehose:error-output-type}/",
                     .dynamic_partitioning = true,
                     .metadata_extraction = true,
                     .buffering_interval_seconds = 60,
                     .buffering_size_mbs = 64})
                  .ok());
  EXPECT_TRUE(Check({.prefix = "c=!{partitionKeyFromLambda:c}/",
                     .error_output_prefix = "e/!{firehose:error-output-type}/",
                     .dynamic_partitioning = true,
                     .lambda_processor = true})
                  .ok());
}

TEST(ValidatePrefixes, ParseErrorsNameTheField) {
  ExpectRefused({.prefix = "!{firehose:x}/", .error_output_prefix = "e/"},
                "Invalid conversion character used in the value of the expression in Prefix");
  ExpectRefused({.prefix = "p/", .error_output_prefix = "!{firehose:x}/"},
                "Invalid conversion character used in the value of the expression in "
                "ErrorOutputPrefix");
  ExpectRefused({.prefix = "!{nope:x}/", .error_output_prefix = "e/"},
                "Namespace to the left of colon (nope) is an invalid keyword!");
}

TEST(ValidatePrefixes, EvaluatedLengthLimit) {
  const std::string long_literal(512, 'a');
  EXPECT_TRUE(Check({.prefix = long_literal}).ok());
  ExpectRefused({.prefix = long_literal + "b"},
                "Length of evaluated prefix cannot be greater than 512");
  ExpectRefused({.prefix = std::string(511, 'a') + "!{timestamp:yyyy}!{timestamp:MM}",
                 .error_output_prefix = "!{firehose:error-output-type}"},
                "Length of evaluated prefix cannot be greater than 512");
  ExpectRefused({.error_output_prefix = long_literal + "b"},
                "Length of evaluated ErrorOutputPrefix cannot be greater than 512");
}

TEST(ValidatePrefixes, PrefixCombinations) {
  ExpectRefused({.prefix = "!{timestamp:yyyy}/"},
                "Ths supplied prefix(es) do not satisfy the following constraint: "
                "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions");
  ExpectRefused({.prefix = "p/!{firehose:error-output-type}/",
                 .error_output_prefix = "e/!{firehose:error-output-type}/"},
                "Ths supplied prefix(es) do not satisfy the following constraint: Prefix must "
                "not contain any occurrence of !{firehose:error-output-type}");
  ExpectRefused({.prefix = "p/", .error_output_prefix = "e/!{timestamp:yyyy}/"},
                "Ths supplied prefix(es) do not satisfy the following constraint: "
                "ErrorOutputPrefix must contain at least one occurrence of "
                "!{firehose:error-output-type}");
  ExpectRefused(
      {.prefix = "c=!{partitionKeyFromQuery:c}/",
       .error_output_prefix = "e/!{firehose:error-output-type}/!{partitionKeyFromQuery:c}",
       .dynamic_partitioning = true,
       .metadata_extraction = true},
      "Dynamic Partitioning Namespaces can't be part of an error prefix expression");
}

TEST(ValidatePrefixes, DynamicPartitioningRules) {
  const std::string_view error_prefix = "e/!{firehose:error-output-type}/";
  ExpectRefused({.prefix = "c=!{partitionKeyFromQuery:c}/", .error_output_prefix = error_prefix},
                "Dynamic Partitioning Namespaces can only be part of a prefix expression when "
                "Dynamic Partitioning is enabled.");
  ExpectRefused({.prefix = "c=!{partitionKeyFromLambda:c}/", .error_output_prefix = error_prefix},
                "Dynamic Partitioning Namespaces can only be part of a prefix expression when "
                "Dynamic Partitioning is enabled.");
  ExpectRefused({.prefix = "p/", .metadata_extraction = true},
                "class com.amazonaws.services.firehose.internal.model.MetadataExtractionProcessor "
                "can only be present when Dynamic Partitioning is enabled.");
  ExpectRefused({.prefix = "p/!{timestamp:yyyy}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true,
                 .metadata_extraction = true},
                "S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic "
                "Partitioning is enabled");
  ExpectRefused({.prefix = "c=!{partitionKeyFromQuery:c}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true},
                "partitionKeyFromQuery namespace requires a MetadataExtraction processor");
  ExpectRefused({.prefix = "c=!{partitionKeyFromLambda:c}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true,
                 .metadata_extraction = true},
                "partitionKeyFromLambda namespace requires a Lambda processor");
  ExpectRefused({.prefix = "c=!{partitionKeyFromQuery:c}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true,
                 .metadata_extraction = true,
                 .metadata_extraction_query = "{c:.c,year:.y}"},
                "MetaDataExtraction JQ Query can't contain keys that are not present in the S3 "
                "Prefix expression");
  EXPECT_TRUE(Check({.prefix = "c=!{partitionKeyFromQuery:c}/y=!{partitionKeyFromQuery:year}/",
                     .error_output_prefix = error_prefix,
                     .dynamic_partitioning = true,
                     .metadata_extraction = true,
                     .metadata_extraction_query = "{c:.c,year:.y}"})
                  .ok());
  // A computed key is only known at run time: not refused here.
  EXPECT_TRUE(Check({.prefix = "c=!{partitionKeyFromQuery:c}/",
                     .error_output_prefix = error_prefix,
                     .dynamic_partitioning = true,
                     .metadata_extraction = true,
                     .metadata_extraction_query = "{(.k):.c}"})
                  .ok());
  ExpectRefused({.prefix = "c=!{partitionKeyFromQuery:c}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true,
                 .metadata_extraction = true,
                 .buffering_size_mbs = 63},
                "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is "
                "enabled.");
  ExpectRefused({.prefix = "c=!{partitionKeyFromQuery:c}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true,
                 .metadata_extraction = true,
                 .buffering_interval_seconds = 0,
                 .buffering_size_mbs = 64},
                "BufferingHints.IntervalInSeconds 0 (zero buffering) is not supported when "
                "Dynamic Partitioning is enabled.");
}

}  // namespace
}  // namespace sluice::delivery
