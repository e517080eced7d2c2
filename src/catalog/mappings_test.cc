#include "catalog/mappings.h"

#include <gtest/gtest.h>

#include "catalog/testing/test_util.h"

namespace sluice::catalog {
namespace {

using testing::TempDir;

class MappingsTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    catalog_.reset();
    auto c = Catalog::Open(dir_.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
  }
  static MappingRow Row(std::string uuid) {
    return {.uuid = std::move(uuid),
            .function_arn = "arn:aws:lambda:us-east-1:000000000000:function:f",
            .event_source_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s",
            .config_json = R"({"BatchSize":100})",
            .state = "Creating",
            .created_ms = 10,
            .last_modified_ms = 10,
            .last_processing_result = "No records processed"};
  }
  TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(MappingsTest, MappingAndCheckpointsSurviveReopen) {
  ASSERT_TRUE(InsertMapping(*catalog_, Row("b")).ok());
  ASSERT_TRUE(InsertMapping(*catalog_, Row("a")).ok());
  ASSERT_TRUE(SaveMappingCheckpoint(*catalog_, "a", {"shardId-000000000001", "49", false}).ok());
  ASSERT_TRUE(SaveMappingCheckpoint(*catalog_, "a", {"shardId-000000000000", "12", false}).ok());
  ASSERT_TRUE(SaveMappingCheckpoint(*catalog_, "a", {"shardId-000000000000", "13", true}).ok());
  Reopen();
  auto rows = LoadMappings(*catalog_);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].uuid, "a");
  EXPECT_EQ((*rows)[0].config_json, R"({"BatchSize":100})");
  auto cps = LoadMappingCheckpoints(*catalog_, "a");
  ASSERT_TRUE(cps.ok());
  ASSERT_EQ(cps->size(), 2u);
  EXPECT_EQ((*cps)[0].shard_id, "shardId-000000000000");
  EXPECT_EQ((*cps)[0].sequence_number, "13");
  EXPECT_TRUE((*cps)[0].finished);
  EXPECT_EQ((*cps)[1].sequence_number, "49");
}

TEST_F(MappingsTest, ATumblingWindowMovesWithItsCheckpointAndClears) {
  ASSERT_TRUE(InsertMapping(*catalog_, Row("a")).ok());
  MappingCheckpointRow cp{"shardId-000000000000", "7", false,
                          MappingCheckpointRow::Window{60'000, 120'000, R"({"sum":3})"}};
  ASSERT_TRUE(SaveMappingCheckpoint(*catalog_, "a", cp).ok());
  Reopen();
  auto cps = LoadMappingCheckpoints(*catalog_, "a");
  ASSERT_TRUE(cps.ok());
  ASSERT_EQ(cps->size(), 1u);
  ASSERT_TRUE((*cps)[0].window.has_value());
  EXPECT_EQ((*cps)[0].window->start_ms, 60'000);
  EXPECT_EQ((*cps)[0].window->end_ms, 120'000);
  EXPECT_EQ((*cps)[0].window->state, R"({"sum":3})");
  cp.sequence_number = "9";
  cp.window.reset();
  ASSERT_TRUE(SaveMappingCheckpoint(*catalog_, "a", cp).ok());
  cps = LoadMappingCheckpoints(*catalog_, "a");
  ASSERT_TRUE(cps.ok());
  EXPECT_EQ((*cps)[0].sequence_number, "9");
  EXPECT_FALSE((*cps)[0].window.has_value());
}

TEST_F(MappingsTest, DuplicateUuidIsRefusedAndUpdateOfMissingRowIsNotFound) {
  ASSERT_TRUE(InsertMapping(*catalog_, Row("a")).ok());
  EXPECT_EQ(InsertMapping(*catalog_, Row("a")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(UpdateMapping(*catalog_, Row("zz")).code(), StatusCode::kNotFound);
}

TEST_F(MappingsTest, UpdateKeepsCreationTimeAndRemoveDropsCheckpoints) {
  ASSERT_TRUE(InsertMapping(*catalog_, Row("a")).ok());
  ASSERT_TRUE(SaveMappingCheckpoint(*catalog_, "a", {"shardId-000000000000", "1", false}).ok());
  MappingRow changed = Row("a");
  changed.created_ms = 999;
  changed.state = "Enabled";
  changed.last_modified_ms = 50;
  ASSERT_TRUE(UpdateMapping(*catalog_, changed).ok());
  auto rows = LoadMappings(*catalog_);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].created_ms, 10);
  EXPECT_EQ((*rows)[0].state, "Enabled");
  EXPECT_EQ((*rows)[0].last_modified_ms, 50);
  ASSERT_TRUE(RemoveMapping(*catalog_, "a").ok());
  EXPECT_TRUE(LoadMappings(*catalog_)->empty());
  EXPECT_TRUE(LoadMappingCheckpoints(*catalog_, "a")->empty());
}

}  // namespace
}  // namespace sluice::catalog
