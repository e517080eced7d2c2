#include "delivery/jq_extract.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace sluice::delivery {
namespace {

constexpr std::string_view kQuery = R"({customer_id:.customer_id,year:.event_ts|strftime("%Y")})";

void ExpectError(JqExtractor& jq, std::string_view query, std::string_view record,
                 std::string_view message) {
  auto r = jq.Extract(query, record);
  ASSERT_FALSE(r.ok()) << query << " on " << record;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), message) << query << " on " << record;
}

TEST(JqExtractor, ExtractsTheKeysOfTheAwsExample) {
  JqExtractor jq;
  auto keys = jq.Extract(kQuery, R"({"customer_id":"1234567890","event_ts":1565382027})");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (PartitionKeys{{"customer_id", "1234567890"}, {"year", "2019"}}));
}

TEST(JqExtractor, NestedFieldsNumbersAndBooleansBecomeText) {
  JqExtractor jq;
  auto keys = jq.Extract(R"({device:.type.device,taxi:.taxi_id,missing:.missing_data,ratio:.r})",
                         R"({"type":{"device":"mobile"},"taxi_id":20000589,"missing_data":false,)"
                         R"("r":1.5})");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(
      *keys,
      (PartitionKeys{
          {"device", "mobile"}, {"taxi", "20000589"}, {"missing", "false"}, {"ratio", "1.5"}}));
}

TEST(JqExtractor, CompilesEachQueryOnce) {
  JqExtractor jq;
  for (int i = 0; i < 50; ++i) {
    auto keys = jq.Extract("{k:.k}", "{\"k\":\"v" + std::to_string(i) + "\"}");
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ(keys->at("k"), "v" + std::to_string(i));
  }
  EXPECT_EQ(jq.cached_queries(), 1u);
  ASSERT_TRUE(jq.Compile("{a:.a}").ok());
  EXPECT_EQ(jq.cached_queries(), 2u);
}

TEST(JqExtractor, AQueryThatDoesNotCompile) {
  JqExtractor jq;
  Status s = jq.Compile("{a:.a");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("invalid JQ query: jq: error: syntax error", 0), 0u) << s.message();
  EXPECT_EQ(jq.cached_queries(), 0u);
  auto r = jq.Extract("{a:.a", "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), s.message());
}

TEST(JqExtractor, RecordsThatAreNotJson) {
  JqExtractor jq;
  // jq 1.6's own parser messages.
  ExpectError(jq, "{k:.k}", "not json",
              "record is not valid JSON: Invalid numeric literal at line 1, column 4 (while "
              "parsing 'not json')");
  ExpectError(jq, "{k:.k}", "", "record is not valid JSON: Expected JSON value (while parsing '')");
  auto two = jq.Extract("{k:.k}", R"({"k":1} {"k":2})");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().message().rfind("record is not valid JSON: ", 0), 0u);
}

TEST(JqExtractor, OutputsThatAreNotPartitionKeys) {
  JqExtractor jq;
  ExpectError(jq, ".k", R"({"k":"v"})", "JQ query output is not an object");
  ExpectError(jq, "{k:.k}", R"({"x":1})", "partition key 'k' is null");
  ExpectError(jq, "{k:.k}", R"({"k":{"a":1}})", "partition key 'k' is not a scalar");
  ExpectError(jq, "{k:.k}", R"({"k":[1]})", "partition key 'k' is not a scalar");
  ExpectError(jq, "{}", R"({"k":1})", "JQ query output has no keys");
  ExpectError(jq, "empty", R"({"k":1})", "JQ query produced no output");
}

TEST(JqExtractor, ErrorsRaisedByTheQuery) {
  JqExtractor jq;
  ExpectError(jq, "{k:.a.b}", R"({"a":1})",
              "JQ query failed: Cannot index number with string \"b\"");
  ExpectError(jq, R"({k:error("bad record")})", "{}", "JQ query failed: bad record");
  ExpectError(jq, R"({year:.ts|strftime("%Y")})", R"({"ts":"x"})",
              "JQ query failed: strftime/1 requires parsed datetime inputs");
  // The extractor stays usable after an error.
  auto ok = jq.Extract("{k:.a.b}", R"({"a":{"b":"c"}})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->at("k"), "c");
}

TEST(JqExtractor, OneExtractorPerThread) {
  std::vector<std::thread> threads;
  std::vector<int> good(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &good] {
      JqExtractor jq;
      for (int i = 0; i < 200; ++i) {
        auto keys = jq.Extract(
            kQuery, R"({"customer_id":"c)" + std::to_string(t) + R"(","event_ts":1565382027})");
        if (keys.ok() && keys->at("customer_id") == "c" + std::to_string(t)) ++good[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good, (std::vector<int>{200, 200, 200, 200}));
}

using Keys = std::vector<std::string>;

TEST(TopLevelObjectKeys, KeysOfAnObjectConstructor) {
  EXPECT_EQ(TopLevelObjectKeys(kQuery), (Keys{"customer_id", "year"}));
  EXPECT_EQ(TopLevelObjectKeys(R"( { "device" : .type.device , taxi: (.a | .b), $k } )"),
            (Keys{"device", "taxi", "k"}));
  EXPECT_EQ(TopLevelObjectKeys(R"({a:{b:1,c:[1,2]},d:"x,}"})"), (Keys{"a", "d"}));
  EXPECT_EQ(TopLevelObjectKeys("{}"), Keys{});
  EXPECT_EQ(TopLevelObjectKeys("{id}"), (Keys{"id"}));
}

TEST(TopLevelObjectKeys, NothingWhenTheKeysAreOnlyKnownAtRunTime) {
  for (std::string_view q : {".a", "{a:1} | {b:2}", "{(.k):1}", R"q({"\(.k)":1})q", "{a:1 # c\n}",
                             R"({@base64 "x":1})", "{a:(1}", R"({"a\"b":1})", "{1:2}", "{$x:1}"}) {
    EXPECT_FALSE(TopLevelObjectKeys(q).has_value()) << q;
  }
}

}  // namespace
}  // namespace sluice::delivery
