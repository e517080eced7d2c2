#include "awsproto/rest_json.h"

#include <gtest/gtest.h>

namespace sluice::awsproto {
namespace {

constexpr RestRoute kRoutes[] = {
    {"GET", "/2015-03-31/functions", 1},
    {"GET", "/2015-03-31/functions/{FunctionName}", 2},
    {"DELETE", "/2015-03-31/functions/{FunctionName}/policy/{StatementId}", 3},
};

TEST(RestRouterTest, MatchesMethodAndPathWithDecodedLabels) {
  const RestRouter r(kRoutes);
  auto list = r.Match("GET", "/2015-03-31/functions/");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->operation, 1);
  auto get = r.Match("GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->operation, 2);
  EXPECT_EQ(get->Label("FunctionName"), "arn:aws:lambda:us-east-1:123456789012:function:f");
  auto del = r.Match("DELETE", "/2015-03-31/functions/f/policy/s1");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->Label("StatementId"), "s1");
  EXPECT_FALSE(r.Match("POST", "/2015-03-31/functions/f"));
  EXPECT_FALSE(r.Match("GET", "/2015-03-31/functions/f/extra"));
  EXPECT_FALSE(r.Match("GET", "/2015-03-31/functions//"));
  EXPECT_TRUE(r.KnowsPath("/2015-03-31/functions/f"));
  EXPECT_FALSE(r.KnowsPath("/bucket/key"));
}

TEST(RestJsonTest, QueryIsDecodedAndRepeatedKeysKept) {
  const auto q = ParseQuery("tagKeys=a&tagKeys=b%20c&Marker=&MaxItems=5");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[1].second, "b c");
  EXPECT_EQ(QueryValue(q, "MaxItems"), "5");
  EXPECT_EQ(QueryValue(q, "Marker"), "");
  EXPECT_FALSE(QueryValue(q, "Nope"));
}

TEST(RestJsonTest, ErrorsCarryTheTypeHeaderAndAUserOrServiceBody) {
  const http::Response r = RestJsonError(404, "ResourceNotFoundException", "Function not \"found\"");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"Type":"User","message":"Function not \"found\""})");
  bool typed = false;
  for (const auto& [k, v] : r.headers) typed |= k == "x-amzn-errortype" && v == "ResourceNotFoundException";
  EXPECT_TRUE(typed);
  EXPECT_EQ(RestJsonError(500, "ServiceException", "x").body, R"({"Type":"Service","message":"x"})");
}

}  // namespace
}  // namespace sluice::awsproto
