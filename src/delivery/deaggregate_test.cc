#include "delivery/deaggregate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::delivery {
namespace {

std::vector<std::string> Json(std::string_view data) {
  auto r = SplitJsonObjects(data);
  EXPECT_TRUE(r.ok()) << data << ": " << r.status().ToString();
  return r.ok() ? std::vector<std::string>(r->begin(), r->end()) : std::vector<std::string>{};
}

void ExpectJsonError(std::string_view data, std::string_view message) {
  auto r = SplitJsonObjects(data);
  ASSERT_FALSE(r.ok()) << data;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), message) << data;
}

std::vector<std::string> Delimited(std::string_view data, std::string_view delimiter) {
  auto r = SplitDelimited(data, delimiter);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::vector<std::string>(r->begin(), r->end()) : std::vector<std::string>{};
}

using Strings = std::vector<std::string>;

TEST(SplitJsonObjects, ConcatenatedAndNewlineSeparated) {
  EXPECT_EQ(Json(R"({"a":1}{"a":2})"), (Strings{R"({"a":1})", R"({"a":2})"}));
  EXPECT_EQ(Json("{\"a\":1}\n{\"a\":2}\n"), (Strings{R"({"a":1})", R"({"a":2})"}));
  EXPECT_EQ(Json(" \t\r\n{}\r\n  {\"b\":[1,{\"c\":2}]} "), (Strings{"{}", R"({"b":[1,{"c":2}]})"}));
  EXPECT_EQ(Json(""), Strings{});
  EXPECT_EQ(Json(" \n "), Strings{});
}

TEST(SplitJsonObjects, BracesInsideStringsAndEscapes) {
  EXPECT_EQ(Json(R"({"s":"}{"}{"t":"\"}"})"), (Strings{R"({"s":"}{"})", R"({"t":"\"}"})"}));
  EXPECT_EQ(Json(R"({"s":"a\\"}{"u":"\\\""})"), (Strings{R"({"s":"a\\"})", R"({"u":"\\\""})"}));
}

TEST(SplitJsonObjects, ViewsPointIntoTheInput) {
  const std::string data = "{\"a\":1}\n{\"b\":2}";
  auto r = SplitJsonObjects(data);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].data(), data.data());
  EXPECT_EQ((*r)[1].data(), data.data() + 8);
}

TEST(SplitJsonObjects, RefusesAnythingButObjects) {
  ExpectJsonError("1", "record is not a sequence of JSON objects: not an object at offset 0");
  ExpectJsonError("{\"a\":1} [1]",
                  "record is not a sequence of JSON objects: not an object at offset 8");
  ExpectJsonError("{\"a\":1}x",
                  "record is not a sequence of JSON objects: not an object at offset 7");
  ExpectJsonError("{\"a\":[1}",
                  "record is not a sequence of JSON objects: mismatched bracket at offset 7");
  ExpectJsonError("{\"a\":1",
                  "record is not a sequence of JSON objects: unterminated object at offset 0");
  ExpectJsonError("{} {\"a\":\"x}",
                  "record is not a sequence of JSON objects: unterminated string in the object at "
                  "offset 3");
  ExpectJsonError("{\"a\":\"\\",
                  "record is not a sequence of JSON objects: unterminated string in the object at "
                  "offset 0");
}

TEST(SplitDelimited, SplitsOnTheDelimiter) {
  EXPECT_EQ(Delimited("a####b", "##"), (Strings{"a", "", "b"}));
  EXPECT_EQ(Delimited("a##b##", "##"), (Strings{"a", "b"}));
  EXPECT_EQ(Delimited("##a", "##"), (Strings{"", "a"}));
  EXPECT_EQ(Delimited("abc", "##"), (Strings{"abc"}));
  EXPECT_EQ(Delimited("", "##"), Strings{});
  EXPECT_EQ(Delimited("a#b", "##"), (Strings{"a#b"}));
  EXPECT_EQ(Delimited(std::string_view("a\0b", 3), std::string_view("\0", 1)), (Strings{"a", "b"}));
}

TEST(SplitDelimited, RefusesAnEmptyDelimiter) {
  auto r = SplitDelimited("abc", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "the delimiter must not be empty");
}

}  // namespace
}  // namespace sluice::delivery
