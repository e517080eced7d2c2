#include "internal/event_filter.h"

#include <gtest/gtest.h>

namespace sluice::functions::internal {
namespace {

bool Match(const std::string& pattern, std::string_view data, std::string_view key = "pk") {
  auto set = FilterSet::Parse({pattern});
  EXPECT_TRUE(set.ok()) << pattern << ": " << set.status().ToString();
  return set.ok() && set->MatchesRecord(key, "49", 1'700'000'000'000, data);
}

TEST(EventFilter, ExactValuesOnDataAndMetadata) {
  EXPECT_TRUE(Match(R"({"data":{"CALL_TYPE":["A","B"]}})", R"({"CALL_TYPE":"B"})"));
  EXPECT_FALSE(Match(R"({"data":{"CALL_TYPE":["A"]}})", R"({"CALL_TYPE":"C"})"));
  EXPECT_TRUE(Match(R"({"partitionKey":["pk"]})", "not json"));
  EXPECT_TRUE(Match(R"({"data":{"n":[5]}})", R"({"n":5.0})"));
  EXPECT_TRUE(Match(R"({"data":{"x":[null]}})", R"({"x":null})"));
  EXPECT_TRUE(Match(R"({"data":{"tags":["b"]}})", R"({"tags":["a","b"]})"));
}

TEST(EventFilter, DataThatIsNotJsonMatchesNoDataPattern) {
  EXPECT_FALSE(Match(R"({"data":{"a":[1]}})", "a=1"));
  EXPECT_TRUE(Match(R"({"data":[{"exists":false}]})", "a=1"));
}

TEST(EventFilter, Operators) {
  EXPECT_TRUE(Match(R"({"data":{"s":[{"prefix":"ab"}]}})", R"({"s":"abc"})"));
  EXPECT_TRUE(Match(R"({"data":{"s":[{"suffix":"bc"}]}})", R"({"s":"abc"})"));
  EXPECT_TRUE(Match(R"({"data":{"s":[{"equals-ignore-case":"ABC"}]}})", R"({"s":"abc"})"));
  EXPECT_TRUE(Match(R"({"data":{"s":[{"anything-but":["x","y"]}]}})", R"({"s":"abc"})"));
  EXPECT_FALSE(Match(R"({"data":{"s":[{"anything-but":"abc"}]}})", R"({"s":"abc"})"));
  EXPECT_FALSE(Match(R"({"data":{"s":[{"anything-but":{"prefix":"a"}}]}})", R"({"s":"abc"})"));
  EXPECT_TRUE(Match(R"({"data":{"n":[{"numeric":[">",0,"<=",5]}]}})", R"({"n":5})"));
  EXPECT_FALSE(Match(R"({"data":{"n":[{"numeric":[">",0,"<=",5]}]}})", R"({"n":6})"));
  EXPECT_TRUE(Match(R"({"data":{"n":[{"exists":true}]}})", R"({"n":6})"));
  EXPECT_FALSE(Match(R"({"data":{"m":[{"exists":true}]}})", R"({"n":6})"));
  EXPECT_TRUE(Match(R"({"data":{"m":[{"exists":false}]}})", R"({"n":6})"));
}

TEST(EventFilter, AnyFilterOfTheSetMatches) {
  auto set = FilterSet::Parse({R"({"data":{"a":[1]}})", R"({"data":{"b":[2]}})"});
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->MatchesRecord("k", "1", 0, R"({"b":2})"));
  EXPECT_FALSE(set->MatchesRecord("k", "1", 0, R"({"c":2})"));
}

TEST(EventFilter, BadPatternsAreInvalidAndUnimplementedOperatorsNotSupported) {
  for (const char* bad : {"", "[]", "{}", R"({"a":"x"})", R"({"a":[]})", R"({"a":[{"numeric":["!",1]}]})",
                          R"({"a":[{"nope":1}]})", "{\"a\":"}) {
    auto f = EventFilter::Parse(bad);
    ASSERT_FALSE(f.ok()) << bad;
    EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  for (const char* unsupported : {R"({"a":[{"wildcard":"x*"}]})", R"({"a":[{"cidr":"10.0.0.0/8"}]})",
                                  R"({"$or":[{"a":[1]},{"b":[2]}]})"}) {
    auto f = EventFilter::Parse(unsupported);
    ASSERT_FALSE(f.ok()) << unsupported;
    EXPECT_EQ(f.status().code(), StatusCode::kNotSupported) << unsupported;
  }
}

}  // namespace
}  // namespace sluice::functions::internal
