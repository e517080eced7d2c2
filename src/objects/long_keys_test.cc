// Keys with segments too long to be file names (key_path.h long names and the local
// store's names table): stored, read back, listed in order under prefixes and
// delimiters, never confused with one another, and never outside their bucket.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/utf8.h"
#include "objects/key_path.h"
#include "objects/local_store.h"
#include "objects/test_dir.h"

namespace sluice::objects {
namespace {

namespace fs = std::filesystem;

TEST(LongNames, OnlySegmentsPastTheLimitGetOneAndItIsNeverAnOrdinaryName) {
  EXPECT_EQ(SegmentFileName(std::string(255, 'a')), std::string(255, 'a'));
  const std::string name = SegmentFileName(std::string(256, 'a'));
  EXPECT_LE(name.size(), kMaxSegmentBytes);
  EXPECT_TRUE(name.starts_with(std::string(kLongNamePrefixBytes, 'a')));
  ASSERT_TRUE(LongNameHash(name));
  std::string decoded;
  EXPECT_FALSE(DecodeSegment(name, &decoded));
  // 86 control bytes encode to 258 bytes: long, and the readable start is cut between
  // escapes.
  const std::string controls(86, '\x01');
  const std::string escaped = SegmentFileName(controls);
  ASSERT_TRUE(LongNameHash(escaped));
  EXPECT_EQ(escaped.substr(0, escaped.find(kLongNameMark)).size() % 3, 0u);
  // A leading '.' stays escaped, so a long name never starts with '.' either.
  EXPECT_TRUE(SegmentFileName("." + std::string(300, 'x')).starts_with("%2E"));
  // Segments that share their readable start differ by their hash.
  EXPECT_NE(SegmentFileName(std::string(300, 'a') + "1"), SegmentFileName(std::string(300, 'a') + "2"));
  // No ordinary name is mistaken for a long one.
  EXPECT_FALSE(LongNameHash(EncodeSegment("x%#" + std::string(64, 'a'))));
  EXPECT_FALSE(LongNameHash("short"));
  // UTF-8 is cut before a character, not inside it.
  std::string accents;
  while (accents.size() < 300) accents += "\xc3\xa9";  // é
  const std::string utf8 = SegmentFileName(accents);
  EXPECT_TRUE(IsValidUtf8(utf8.substr(0, utf8.find(kLongNameMark))));
}

class LongKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("sluice-longkeys");
    auto s = LocalObjectStore::Open({.dir = dir_.string()});
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->CreateBucket("bkt").ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Read(const std::string& key) {
    auto g = store_->Get("bkt", key, std::nullopt);
    return g.ok() ? g->data : "<" + std::string(S3ErrorName(g.error().code)) + ">";
  }
  std::vector<std::string> Keys(ListRequest req = {}) {
    auto l = store_->List("bkt", req);
    EXPECT_TRUE(l.ok());
    std::vector<std::string> out;
    for (const auto& o : l->objects) out.push_back(o.key);
    for (const auto& p : l->common_prefixes) out.push_back("P:" + p);
    return out;
  }

  fs::path dir_;
  std::unique_ptr<LocalObjectStore> store_;
};

TEST_F(LongKeyStoreTest, AOneSegmentKeyOf1024BytesRoundTripsAndLists) {
  const std::string key(1024, 'k');
  ASSERT_TRUE(store_->Put("bkt", key, "long", {}).ok());
  EXPECT_EQ(Read(key), "long");
  auto head = store_->Head("bkt", key);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->key, key);
  EXPECT_EQ(Keys(), std::vector<std::string>{key});
  // 1025 bytes is S3's KeyTooLongError.
  auto too_long = store_->Put("bkt", std::string(1025, 'k'), "x", {});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, S3Error::kKeyTooLongError);
  EXPECT_EQ(too_long.error().message, "Your key is too long");
  // Deleted like any other key, folders and all.
  ASSERT_TRUE(store_->Delete("bkt", key).ok());
  EXPECT_EQ(Read(key), "<NoSuchKey>");
  EXPECT_TRUE(fs::is_empty(dir_ / "objects" / "bkt"));
}

TEST_F(LongKeyStoreTest, LongSegmentsSortPrefixAndFoldAsTheirKeys) {
  const std::string a300(300, 'a');
  const std::vector<std::string> keys = {
      a300 + "1",            // shares its readable start with the next
      a300 + "2",
      a300 + "2/child",      // a long folder that is also an object
      a300 + "3/" + std::string(400, 'z') + "/leaf",
      "b",
      "a",
      std::string(299, 'a') + "b",
  };
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_TRUE(store_->Put("bkt", keys[i], "v" + std::to_string(i), {}).ok()) << i;
  }
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(Read(keys[i]), "v" + std::to_string(i));
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(Keys(), sorted);
  EXPECT_EQ(Keys({.prefix = a300 + "2"}), (std::vector<std::string>{a300 + "2", a300 + "2/child"}));
  EXPECT_EQ(Keys({.prefix = a300, .delimiter = "/"}),
            (std::vector<std::string>{a300 + "1", a300 + "2", "P:" + a300 + "2/", "P:" + a300 + "3/"}));
  EXPECT_EQ(Keys({.start_after = a300 + "2/child", .max_keys = 2}),
            (std::vector<std::string>{a300 + "3/" + std::string(400, 'z') + "/leaf", std::string(299, 'a') + "b"}));
  // Paging one key at a time visits every key once, in order.
  std::vector<std::string> paged;
  std::string after;
  for (int i = 0; i < 20; ++i) {
    auto l = store_->List("bkt", {.start_after = after, .max_keys = 1});
    ASSERT_TRUE(l.ok());
    for (const auto& o : l->objects) paged.push_back(o.key);
    if (!l->truncated) break;
    after = l->last;
  }
  EXPECT_EQ(paged, sorted);
}

TEST_F(LongKeyStoreTest, LongKeysStayInsideTheBucket) {
  const std::string dots = ".." + std::string(300, '.');
  const std::string key = dots + "/" + std::string(20, '/') + std::string(600, '\x01');
  ASSERT_TRUE(store_->Put("bkt", key, "inside", {}).ok());
  EXPECT_EQ(Read(key), "inside");
  EXPECT_EQ(Keys(), std::vector<std::string>{key});
  const std::string root = fs::canonical(dir_ / "objects" / "bkt").string() + "/";
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "objects" / "bkt")) {
    EXPECT_TRUE(fs::canonical(e.path()).string().starts_with(root)) << e.path();
    EXPECT_LE(e.path().filename().string().size(), kMaxSegmentBytes);
  }
}

TEST_F(LongKeyStoreTest, ANameTableEntryThatDoesNotMapBackListsNothing) {
  const std::string key(500, 'q');
  ASSERT_TRUE(store_->Put("bkt", key, "x", {}).ok());
  const std::string file_name = SegmentFileName(key);  // the hash is a view into it
  const auto hash = LongNameHash(file_name);
  ASSERT_TRUE(hash);
  {
    std::ofstream tamper(dir_ / "objects-meta" / "bkt" / "names" / std::string(*hash), std::ios::trunc);
    tamper << std::string(500, 'r');
  }
  EXPECT_TRUE(Keys().empty());
  EXPECT_EQ(Read(key), "x");  // reads go by the key's own name, not the table
}

}  // namespace
}  // namespace sluice::objects
