#include "catalog/functions.h"

#include <gtest/gtest.h>

#include "catalog/testing/test_util.h"

namespace sluice::catalog {
namespace {

TEST(FunctionsStoreTest, RowsAreReplacedByNameRemovedAndSurviveReopen) {
  testing::TempDir dir;
  {
    auto c = Catalog::Open(dir.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE(PutFunction(**c, {"b", R"({"v":1})", 10}).ok());
    ASSERT_TRUE(PutFunction(**c, {"a", R"({"v":2})", 11}).ok());
    ASSERT_TRUE(PutFunction(**c, {"b", R"({"v":3})", 12}).ok());
    ASSERT_TRUE(PutFunction(**c, {"gone", "{}", 13}).ok());
    ASSERT_TRUE(RemoveFunction(**c, "gone").ok());
  }
  auto c = Catalog::Open(dir.File("catalog.db"));
  ASSERT_TRUE(c.ok());
  auto rows = LoadFunctions(**c);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].name, "a");
  EXPECT_EQ((*rows)[1].name, "b");
  EXPECT_EQ((*rows)[1].config_json, R"({"v":3})");
  EXPECT_EQ((*rows)[1].updated_ms, 12);
}

}  // namespace
}  // namespace sluice::catalog
