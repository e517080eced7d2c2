#include "catalog/delivery_streams.h"

#include <gtest/gtest.h>

#include "catalog/testing/test_util.h"

namespace sluice::catalog {
namespace {

using testing::TempDir;

class DeliveryStreamsTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    catalog_.reset();
    auto c = Catalog::Open(dir_.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
  }
  static DeliveryStreamRow Row(std::string name) {
    return {.name = std::move(name), .type = "DirectPut", .created_ms = 5, .updated_ms = 5,
            .version = 1, .config_json = "{\"a\":1}"};
  }
  TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(DeliveryStreamsTest, InsertedStreamSurvivesReopenWithTagsAndZeroCheckpoint) {
  auto id = InsertDeliveryStream(*catalog_, Row("b"), {{"k", "v"}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(InsertDeliveryStream(*catalog_, Row("a"), {}).ok());
  Reopen();
  auto all = LoadDeliveryStreams(*catalog_);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].stream.name, "a");
  const DeliveryStreamRecord& b = (*all)[1];
  EXPECT_EQ(b.stream.config_json, "{\"a\":1}");
  EXPECT_EQ(b.tags, (std::vector<std::pair<std::string, std::string>>{{"k", "v"}}));
  EXPECT_EQ(b.checkpoint.next_offset, 0);
  EXPECT_TRUE(b.checkpoint.partitions.empty());
}

TEST_F(DeliveryStreamsTest, DuplicateNameIsAlreadyExists) {
  ASSERT_TRUE(InsertDeliveryStream(*catalog_, Row("a"), {}).ok());
  auto again = InsertDeliveryStream(*catalog_, Row("a"), {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(DeliveryStreamsTest, PendingObjectIsKeptUntilTheDeliveryCommits) {
  const int64_t id = InsertDeliveryStream(*catalog_, Row("a"), {}).value();
  ASSERT_TRUE(SetPendingObject(*catalog_, id, "p1", {.first = 0, .last = 9, .bucket = "b", .key = "k1"}).ok());
  ASSERT_TRUE(SetPendingObject(*catalog_, id, "p2", {.first = 3, .last = 4, .bucket = "b", .key = "k2"}).ok());
  Reopen();
  auto loaded = LoadDeliveryStreams(*catalog_);
  ASSERT_TRUE(loaded.ok());
  const auto& parts = (*loaded)[0].checkpoint.partitions;
  ASSERT_EQ(parts.size(), 2u);
  ASSERT_TRUE(parts[0].pending);
  EXPECT_EQ(parts[0].pending->key, "k1");
  EXPECT_EQ(parts[0].pending->last, 9);
  ASSERT_TRUE(CommitDelivery(*catalog_, id, "p1", 10, 3).ok());
  Reopen();
  loaded = LoadDeliveryStreams(*catalog_);
  EXPECT_EQ((*loaded)[0].checkpoint.next_offset, 3);
  EXPECT_EQ((*loaded)[0].checkpoint.partitions[0].watermark, 10);
  EXPECT_FALSE((*loaded)[0].checkpoint.partitions[0].pending);
  ASSERT_TRUE(CommitDelivery(*catalog_, id, "p2", 5, 10, {"p1", "p2"}).ok());
  loaded = LoadDeliveryStreams(*catalog_);
  EXPECT_EQ((*loaded)[0].checkpoint.next_offset, 10);
  EXPECT_TRUE((*loaded)[0].checkpoint.partitions.empty());
}

TEST_F(DeliveryStreamsTest, UpdateTagsAndRemove) {
  const int64_t id = InsertDeliveryStream(*catalog_, Row("a"), {{"x", "1"}}).value();
  ASSERT_TRUE(UpdateDeliveryStreamConfig(*catalog_, id, 2, 9, "{}").ok());
  ASSERT_TRUE(PutDeliveryStreamTags(*catalog_, id, {{"x", "2"}, {"y", "3"}}).ok());
  ASSERT_TRUE(RemoveDeliveryStreamTags(*catalog_, id, {"y"}).ok());
  ASSERT_TRUE(SetSourcePosition(*catalog_, id, "pos").ok());
  auto loaded = LoadDeliveryStreams(*catalog_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)[0].stream.version, 2);
  EXPECT_EQ((*loaded)[0].stream.config_json, "{}");
  EXPECT_EQ((*loaded)[0].tags, (std::vector<std::pair<std::string, std::string>>{{"x", "2"}}));
  EXPECT_EQ((*loaded)[0].checkpoint.source_position, "pos");
  ASSERT_TRUE(MarkDeliveryStreamDeleted(*catalog_, id, 10).ok());
  ASSERT_TRUE(RemoveDeliveryStream(*catalog_, id).ok());
  loaded = LoadDeliveryStreams(*catalog_);
  EXPECT_TRUE(loaded->empty());
}

}  // namespace
}  // namespace sluice::catalog
