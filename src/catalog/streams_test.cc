#include "catalog/streams.h"

#include <gtest/gtest.h>

#include "catalog/testing/test_util.h"

namespace sluice::catalog {
namespace {

using testing::TempDir;

class StreamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Catalog::Open(dir_.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
  }
  void Reopen() {
    catalog_.reset();
    auto c = Catalog::Open(dir_.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
  }
  static std::vector<ShardRow> TwoShards() {
    return {{.shard_index = 0, .start_hash = "0", .end_hash = "9", .created_ms = 5},
            {.shard_index = 1, .start_hash = "10", .end_hash = "20", .created_ms = 5}};
  }
  TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(StreamsTest, InsertedStreamSurvivesReopenWithShardsAndTags) {
  StreamRow row{.name = "ingress", .created_ms = 1234, .retention_hours = 48};
  auto id = InsertStream(*catalog_, row, TwoShards(), {{"stage", "dev"}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Reopen();
  auto all = LoadStreams(*catalog_);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1u);
  const StreamRecord& rec = (*all)[0];
  EXPECT_EQ(rec.stream.id, *id);
  EXPECT_EQ(rec.stream.name, "ingress");
  EXPECT_EQ(rec.stream.created_ms, 1234);
  EXPECT_EQ(rec.stream.retention_hours, 48);
  EXPECT_FALSE(rec.stream.deleted_ms.has_value());
  ASSERT_EQ(rec.shards.size(), 2u);
  EXPECT_EQ(rec.shards[1].start_hash, "10");
  EXPECT_FALSE(rec.shards[1].end_offset.has_value());
  ASSERT_EQ(rec.tags.size(), 1u);
  EXPECT_EQ(rec.tags[0], (std::pair<std::string, std::string>{"stage", "dev"}));
}

TEST_F(StreamsTest, DuplicateNameIsAlreadyExistsAndChangesNothing) {
  ASSERT_TRUE(InsertStream(*catalog_, {.name = "s"}, TwoShards(), {}).ok());
  auto again = InsertStream(*catalog_, {.name = "s"}, TwoShards(), {{"k", "v"}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto all = LoadStreams(*catalog_);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE((*all)[0].tags.empty());
}

TEST_F(StreamsTest, RetentionTagsAndDeletionAreDurable) {
  auto id = InsertStream(*catalog_, {.name = "s"}, TwoShards(), {{"a", "1"}, {"b", "2"}});
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(SetRetentionHours(*catalog_, *id, 72).ok());
  ASSERT_TRUE(PutTags(*catalog_, *id, {{"a", "one"}, {"c", "3"}}).ok());
  ASSERT_TRUE(RemoveTags(*catalog_, *id, {"b", "missing"}).ok());
  ASSERT_TRUE(MarkStreamDeleted(*catalog_, *id, 99).ok());
  Reopen();
  auto all = LoadStreams(*catalog_);
  ASSERT_TRUE(all.ok());
  const StreamRecord& rec = (*all)[0];
  EXPECT_EQ(rec.stream.retention_hours, 72);
  EXPECT_EQ(rec.stream.deleted_ms, 99);
  EXPECT_EQ(rec.tags, (Tags{{"a", "one"}, {"c", "3"}}));
  ASSERT_TRUE(RemoveStream(*catalog_, *id).ok());
  auto after = LoadStreams(*catalog_);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
  // Shards and tags went with it: the name can be reused from a clean slate.
  auto again = InsertStream(*catalog_, {.name = "s"}, TwoShards(), {});
  ASSERT_TRUE(again.ok());
  auto fresh = LoadStreams(*catalog_);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE((*fresh)[0].tags.empty());
  EXPECT_EQ((*fresh)[0].shards.size(), 2u);
}

TEST_F(StreamsTest, ReshardClosesParentsAndAddsChildrenAtomically) {
  auto id = InsertStream(*catalog_, {.name = "s"}, TwoShards(), {});
  ASSERT_TRUE(id.ok());
  const std::vector<ShardRow> children = {
      {.shard_index = 2, .start_hash = "0", .end_hash = "4", .parent_index = 0, .created_ms = 9},
      {.shard_index = 3, .start_hash = "5", .end_hash = "9", .parent_index = 0, .created_ms = 9}};
  ASSERT_TRUE(ApplyReshard(*catalog_, *id, {{.shard_index = 0, .end_offset = 17, .closed_ms = 9}}, children).ok());
  // A failing step (duplicate child index) changes nothing.
  EXPECT_FALSE(ApplyReshard(*catalog_, *id, {{.shard_index = 1, .end_offset = 3, .closed_ms = 10}},
                            {children[0]}).ok());
  Reopen();
  auto all = LoadStreams(*catalog_);
  ASSERT_TRUE(all.ok());
  const auto& shards = (*all)[0].shards;
  ASSERT_EQ(shards.size(), 4u);
  EXPECT_EQ(shards[0].end_offset, 17);
  EXPECT_EQ(shards[0].closed_ms, 9);
  EXPECT_FALSE(shards[1].end_offset.has_value()) << "the failed step was rolled back";
  EXPECT_EQ(shards[2].parent_index, 0);
  ASSERT_TRUE(RemoveShards(*catalog_, *id, {0}).ok());
  auto after = LoadStreams(*catalog_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)[0].shards.size(), 3u);
  EXPECT_EQ((*after)[0].shards[0].shard_index, 1);
}

TEST_F(StreamsTest, ShardCountUpdatesAreDurableAndPrunedPastTheirWindow) {
  auto id = InsertStream(*catalog_, {.name = "s"}, TwoShards(), {});
  ASSERT_TRUE(id.ok());
  int next = 2;
  const auto update = [&](int64_t at, int64_t forget_before) {
    const ShardRow child{.shard_index = next++, .start_hash = "0", .end_hash = "20", .created_ms = at};
    return ApplyReshard(*catalog_, *id, {}, {child}, ShardCountUpdate{at, forget_before});
  };
  ASSERT_TRUE(update(100, 0).ok());
  ASSERT_TRUE(update(200, 0).ok());
  ASSERT_TRUE(update(300, 150).ok());  // forgets 100
  // A failed step records nothing (duplicate child index).
  EXPECT_FALSE(ApplyReshard(*catalog_, *id, {}, {{.shard_index = 2, .start_hash = "0", .end_hash = "1"}},
                            ShardCountUpdate{400, 0}).ok());
  ASSERT_TRUE(ApplyReshard(*catalog_, *id, {}, {}).ok());  // a split or merge: not recorded
  Reopen();
  auto all = LoadStreams(*catalog_);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[0].shard_count_updates, (std::vector<int64_t>{200, 300}));
  ASSERT_TRUE(RemoveStream(*catalog_, *id).ok());
  auto none = LoadStreams(*catalog_);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace sluice::catalog
