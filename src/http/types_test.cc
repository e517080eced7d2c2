#include "http/types.h"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

TEST(RequestHead, SplitsPathAndQuery) {
  RequestHead h;
  h.target = "/bucket/a%20b?list-type=2&prefix=x";
  EXPECT_EQ(h.Path(), "/bucket/a%20b");
  EXPECT_EQ(h.Query(), "list-type=2&prefix=x");
  h.target = "/health";
  EXPECT_EQ(h.Path(), "/health");
  EXPECT_EQ(h.Query(), "");
}

TEST(RequestHead, HeaderLookupReturnsFirstValueOrEmpty) {
  RequestHead h;
  h.headers = {{"x-amz-target", "Kinesis_20131202.PutRecord"}, {"x-amz-target", "second"}};
  EXPECT_EQ(h.Header("x-amz-target"), "Kinesis_20131202.PutRecord");
  EXPECT_EQ(h.Header("content-type"), "");
}

}  // namespace
}  // namespace sluice::http
