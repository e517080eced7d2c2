#include "internal/paging.h"

#include <gtest/gtest.h>

namespace sluice::frontends::cloudformation {
namespace {

TEST(PagingTest, PagesFollowTheLastItemEvenWhenItemsAreAddedInFront) {
  std::vector<std::string> keys;
  for (int i = 0; i < 5; ++i) keys.push_back("k" + std::to_string(i));
  auto first = PageOf(keys, "ListStacks", std::nullopt, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->begin, 0u);
  EXPECT_EQ(first->end, 2u);
  ASSERT_TRUE(first->next_token);
  keys.insert(keys.begin(), "new");  // a newer stack lists first
  auto second = PageOf(keys, "ListStacks", first->next_token, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(keys[second->begin], "k2");
  EXPECT_EQ(second->end, 5u);
  auto last = PageOf(keys, "ListStacks", second->next_token, 2);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(keys[last->begin], "k4");
  EXPECT_EQ(last->end, 6u);
  EXPECT_FALSE(last->next_token);
}

TEST(PagingTest, AnExactFitHasNoNextToken) {
  const std::vector<std::string> keys{"a", "b"};
  auto page = PageOf(keys, "ListExports", std::nullopt, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(page->next_token);
  auto empty = PageOf({}, "ListExports", std::nullopt, 2);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->end, 0u);
}

TEST(PagingTest, ForeignOrStaleTokensAreRefused) {
  const std::vector<std::string> keys{"a", "b", "c"};
  auto page = PageOf(keys, "ListStacks", std::nullopt, 1);
  ASSERT_TRUE(page.ok() && page->next_token);
  auto other = PageOf(keys, "ListExports", page->next_token, 1);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().message, "Invalid NextToken: " + *page->next_token);
  auto gone = PageOf({"b", "c"}, "ListStacks", page->next_token, 1);
  ASSERT_FALSE(gone.ok());
  auto garbage = PageOf(keys, "ListStacks", std::string("%%%"), 1);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().message, "Invalid NextToken: %%%");
}

}  // namespace
}  // namespace sluice::frontends::cloudformation
