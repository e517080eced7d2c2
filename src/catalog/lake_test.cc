#include "catalog/lake.h"

#include <gtest/gtest.h>

#include "catalog/testing/test_util.h"

namespace sluice::catalog {
namespace {

using testing::TempDir;

class LakeTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    catalog_.reset();
    auto c = Catalog::Open(dir_.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
  }
  static LakeTableRow Trips() {
    return {.database = "events",
            .name = "trips",
            .columns = {{"trip_id", "string"}, {"polyline", "array<array<double>>"}},
            .partition_keys = {{"dt", "string"}},
            .location = "s3://lake/trips/",
            .serde = "org.openx.data.jsonserde.JsonSerDe",
            .serde_properties = {{"ignore.malformed.json", "true"}},
            .table_properties = {{"classification", "json"}},
            .created_ms = 7};
  }
  TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(LakeTest, TablesAndPartitionsSurviveReopen) {
  ASSERT_TRUE(InsertLakeDatabase(*catalog_, "events", 1).ok());
  ASSERT_TRUE(InsertLakeTable(*catalog_, Trips()).ok());
  auto added = AddLakePartitions(*catalog_, "events", "trips", {{{"2024-01-01"}, "s3://lake/trips/dt=2024-01-01/"}});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 1);
  Reopen();
  auto dbs = ListLakeDatabases(*catalog_);
  ASSERT_TRUE(dbs.ok());
  EXPECT_EQ(*dbs, std::vector<std::string>{"events"});
  auto tables = LoadLakeTables(*catalog_, "events");
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  ASSERT_EQ(tables->size(), 1u);
  const LakeTableRow& t = (*tables)[0];
  EXPECT_EQ(t.columns, Trips().columns);
  EXPECT_EQ(t.partition_keys, Trips().partition_keys);
  EXPECT_EQ(t.serde_properties, Trips().serde_properties);
  EXPECT_EQ(t.table_properties, Trips().table_properties);
  EXPECT_EQ(t.location, "s3://lake/trips/");
  auto parts = LoadLakePartitions(*catalog_, "events", "trips");
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].values, std::vector<std::string>{"2024-01-01"});
}

TEST_F(LakeTest, RegisteringAPartitionTwiceAddsItOnce) {
  ASSERT_TRUE(InsertLakeDatabase(*catalog_, "events", 1).ok());
  ASSERT_TRUE(InsertLakeTable(*catalog_, Trips()).ok());
  const std::vector<LakePartitionRow> p = {{{"a"}, "s3://lake/trips/dt=a/"}};
  ASSERT_EQ(*AddLakePartitions(*catalog_, "events", "trips", p), 1);
  EXPECT_EQ(*AddLakePartitions(*catalog_, "events", "trips", p), 0);
}

TEST_F(LakeTest, DuplicatesAndMissingParentsAreRefused) {
  EXPECT_EQ(InsertLakeTable(*catalog_, Trips()).code(), StatusCode::kNotFound);
  ASSERT_TRUE(InsertLakeDatabase(*catalog_, "events", 1).ok());
  EXPECT_EQ(InsertLakeDatabase(*catalog_, "events", 1).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(InsertLakeTable(*catalog_, Trips()).ok());
  EXPECT_EQ(InsertLakeTable(*catalog_, Trips()).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(RemoveLakeTable(*catalog_, "events", "nope").code(), StatusCode::kNotFound);
}

TEST_F(LakeTest, DroppingADatabaseDropsItsTablesAndPartitions) {
  ASSERT_TRUE(InsertLakeDatabase(*catalog_, "events", 1).ok());
  ASSERT_TRUE(InsertLakeTable(*catalog_, Trips()).ok());
  ASSERT_TRUE(AddLakePartitions(*catalog_, "events", "trips", {{{"a"}, "s3://lake/trips/dt=a/"}}).ok());
  ASSERT_TRUE(RemoveLakeDatabase(*catalog_, "events").ok());
  ASSERT_TRUE(InsertLakeDatabase(*catalog_, "events", 2).ok());
  EXPECT_TRUE(LoadLakeTables(*catalog_, "events")->empty());
  EXPECT_TRUE(LoadLakePartitions(*catalog_, "events", "trips")->empty());
  EXPECT_EQ(RemoveLakeDatabase(*catalog_, "nope").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sluice::catalog
