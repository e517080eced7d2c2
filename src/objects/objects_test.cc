#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/hash.h"
#include "objects/checksum.h"
#include "objects/key_path.h"
#include "objects/listing.h"
#include "objects/local_store.h"
#include "objects/test_dir.h"
#include "base/xml.h"

namespace sluice::objects {
namespace {

namespace fs = std::filesystem;

// ---- key mapping ----

TEST(KeyPath, DotSegmentsNeverBecomeDotDirectories) {
  EXPECT_EQ(KeyToRelativePath(".."), "%2E.");
  EXPECT_EQ(KeyToRelativePath("../../etc/passwd"), "%2E./%2E./etc/passwd");
  EXPECT_EQ(KeyToRelativePath("a/./b"), "a/%2E/b");
  EXPECT_EQ(KeyToRelativePath(".sluice-self"), "%2Esluice-self");
}

TEST(KeyPath, EmptySegmentsFromSlashesAreEncoded) {
  EXPECT_EQ(KeyToRelativePath("a//b"), "a/%/b");
  EXPECT_EQ(KeyToRelativePath("dir/"), "dir/%");
  EXPECT_EQ(KeyToRelativePath("/x"), "%/x");
}

TEST(KeyPath, LakeKeysKeepTheirNames) {
  EXPECT_EQ(KeyToRelativePath("context=firehose/2024/05/01/x-1.json"), "context=firehose/2024/05/01/x-1.json");
  EXPECT_EQ(KeyToRelativePath("unicodé 日本"), "unicodé 日本");
}

TEST(KeyPath, EverySegmentRoundTrips) {
  for (const std::string s : {"", ".", "..", "%", "%25", "a%b", "tab\there", "\x7f", ".x", "x.", "日本", "a b"}) {
    const std::string enc = EncodeSegment(s);
    EXPECT_EQ(enc.find('/'), std::string::npos);
    EXPECT_NE(enc, ".");
    EXPECT_NE(enc, "..");
    EXPECT_FALSE(enc.starts_with("."));
    std::string back;
    ASSERT_TRUE(DecodeSegment(enc, &back)) << enc;
    EXPECT_EQ(back, s);
  }
}

TEST(KeyPath, ForeignNamesDoNotDecode) {
  std::string out;
  EXPECT_FALSE(DecodeSegment(".sluice-self", &out));
  EXPECT_FALSE(DecodeSegment("%41", &out));  // 'A' is never escaped
  EXPECT_FALSE(DecodeSegment("%2", &out));
  EXPECT_FALSE(DecodeSegment("%2e", &out));  // lowercase hex is never written
}

TEST(KeyPath, RawControlCharactersAreForeignNames) {
  // Found by fuzz/key_path: a file named "a\x11b" decoded to the key "a\x11b", whose
  // own file is "a%11b", so a listing would show a key that GET cannot find.
  std::string out;
  EXPECT_FALSE(DecodeSegment(std::string("a\x11" "b"), &out));
  EXPECT_FALSE(DecodeSegment(std::string("x\x7f"), &out));
  EXPECT_FALSE(DecodeSegment(std::string(1, '\0'), &out));
  ASSERT_TRUE(DecodeSegment("a%11b", &out));
  EXPECT_EQ(out, "a\x11" "b");
}

TEST(KeyPath, KeyLimits) {
  EXPECT_TRUE(ValidateKey("k").ok());
  EXPECT_FALSE(ValidateKey("").ok());
  EXPECT_EQ(ValidateKey(std::string(1025, 'k')).error().code, S3Error::kKeyTooLongError);
  EXPECT_TRUE(ValidateKey(std::string(1024, 'k')).ok());  // one segment: a long name
  EXPECT_TRUE(ValidateKey(std::string(255, 'k')).ok());
  EXPECT_EQ(ValidateKey("\xff\xfe").error().code, S3Error::kInvalidArgument);
  EXPECT_EQ(ValidateKey("\xc0\xaf").error().code, S3Error::kInvalidArgument);  // overlong '/'
}

TEST(KeyPath, BucketNames) {
  EXPECT_TRUE(ValidateBucketName("my-bucket.1").ok());
  for (const char* bad : {"ab", "Abc", "a_b", "-ab", "ab-", "a..b", "192.168.0.1", ".."}) {
    EXPECT_EQ(ValidateBucketName(bad).error().code, S3Error::kInvalidBucketName) << bad;
  }
}

// ---- listing ----

ListResult ListKeys(const std::vector<std::string>& keys, ListRequest req) {
  ListingBuilder b(std::move(req));
  for (const auto& k : keys) {
    if (!b.Offer(k, [] { return std::optional<ObjectInfo>(ObjectInfo{}); })) break;
  }
  return std::move(b).Finish();
}

TEST(Listing, DelimiterFoldsKeysIntoCommonPrefixes) {
  const auto r = ListKeys({"a/1", "a/2", "b", "c/d/e"}, {.delimiter = "/"});
  EXPECT_EQ(r.common_prefixes, (std::vector<std::string>{"a/", "c/"}));
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(r.objects[0].key, "b");
  EXPECT_FALSE(r.truncated);
}

TEST(Listing, MaxKeysCountsPrefixesAndTruncates) {
  const auto r = ListKeys({"a/1", "a/2", "b", "c/d/e"}, {.delimiter = "/", .max_keys = 2});
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.last, "b");
  const auto next = ListKeys({"a/1", "a/2", "b", "c/d/e"}, {.delimiter = "/", .start_after = r.last, .max_keys = 2});
  EXPECT_EQ(next.common_prefixes, (std::vector<std::string>{"c/"}));
  EXPECT_FALSE(next.truncated);
}

TEST(Listing, ContinuationAfterACommonPrefixSkipsItsKeys) {
  const auto r = ListKeys({"a/1", "a/2", "b"}, {.delimiter = "/", .start_after = "a/"});
  EXPECT_TRUE(r.common_prefixes.empty());
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(r.objects[0].key, "b");
}

TEST(Listing, PrefixAndSubtreePruning) {
  ListingBuilder b({.prefix = "logs/2024", .start_after = "logs/2024/05"});
  EXPECT_FALSE(b.WantsSubtree("data/"));
  EXPECT_TRUE(b.WantsSubtree("logs/"));
  EXPECT_FALSE(b.WantsSubtree("logs/2024/04/"));
  EXPECT_TRUE(b.WantsSubtree("logs/2024/05/"));
  EXPECT_TRUE(b.WantsSubtree("logs/2024/06/"));
}

// ---- XML and ETags ----

TEST(MultipartEtag, IsMd5OfBinaryPartMd5sWithCount) {
  const std::string p1 = HexEncode(Md5("part one"));
  const std::string p2 = HexEncode(Md5("part two"));
  std::string binary;
  for (const auto& d : {Md5("part one"), Md5("part two")}) binary.append(reinterpret_cast<const char*>(d.data()), 16);
  EXPECT_EQ(MultipartEtag({p1, "\"" + p2 + "\""}), HexEncode(Md5(binary)) + "-2");
  EXPECT_EQ(MultipartEtag({"nothex"}), "");
}

TEST(Range, ResolvesLikeS3) {
  EXPECT_EQ(ResolveRange({0, 9}, 100), std::make_pair(uint64_t{0}, uint64_t{9}));
  EXPECT_EQ(ResolveRange({90, 200}, 100), std::make_pair(uint64_t{90}, uint64_t{99}));
  EXPECT_EQ(ResolveRange({std::nullopt, 10}, 100), std::make_pair(uint64_t{90}, uint64_t{99}));
  EXPECT_EQ(ResolveRange({std::nullopt, 500}, 100), std::make_pair(uint64_t{0}, uint64_t{99}));
  EXPECT_FALSE(ResolveRange({100, std::nullopt}, 100));
  EXPECT_FALSE(ResolveRange({0, std::nullopt}, 0));
}

// ---- checksums ----

TEST(Checksum, CatalogueCheckValuesOf123456789) {
  const std::pair<ChecksumAlgorithm, std::string> cases[] = {
      {ChecksumAlgorithm::kCrc32, "cbf43926"},
      {ChecksumAlgorithm::kCrc32c, "e3069283"},
      {ChecksumAlgorithm::kCrc64Nvme, "ae8b14860a799888"},
      {ChecksumAlgorithm::kSha1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441"},
      {ChecksumAlgorithm::kSha256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"},
  };
  for (const auto& [alg, want] : cases) {
    ChecksumStream whole(alg), split(alg);
    whole.Update("123456789");
    split.Update("1234");
    split.Update("");
    split.Update("56789");
    EXPECT_EQ(HexEncode(whole.Finish()), want) << ChecksumName(alg);
    EXPECT_EQ(HexEncode(split.Finish()), want) << ChecksumName(alg);
  }
}

TEST(Checksum, NamesAndHeaders) {
  EXPECT_EQ(ParseChecksumAlgorithm("crc64nvme"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_EQ(ParseChecksumAlgorithm("SHA256"), ChecksumAlgorithm::kSha256);
  EXPECT_FALSE(ParseChecksumAlgorithm("md5"));
  EXPECT_FALSE(ParseChecksumAlgorithm(""));
  EXPECT_EQ(ChecksumHeader(ChecksumAlgorithm::kCrc32c), "x-amz-checksum-crc32c");
  EXPECT_EQ(ChecksumName(ChecksumAlgorithm::kCrc64Nvme), "CRC64NVME");
  EXPECT_EQ(ChecksumBytes(ChecksumAlgorithm::kSha1), 20u);
}

// ---- local store ----

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("sluice-objects");
    Reopen();
    ASSERT_TRUE(store_->CreateBucket("bkt").ok());
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Reopen() {
    store_.reset();
    auto s = LocalObjectStore::Open({.dir = dir_.string()});
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  std::string Read(const std::string& key) {
    auto g = store_->Get("bkt", key, std::nullopt);
    return g.ok() ? g->data : "<" + std::string(S3ErrorName(g.error().code)) + ">";
  }
  fs::path dir_;
  std::unique_ptr<LocalObjectStore> store_;
};

TEST_F(LocalStoreTest, AKeyAndItsFolderCoexistInEitherOrder) {
  ASSERT_TRUE(store_->Put("bkt", "a", "A", {}).ok());
  ASSERT_TRUE(store_->Put("bkt", "a/b", "AB", {}).ok());
  ASSERT_TRUE(store_->Put("bkt", "c/d", "CD", {}).ok());
  ASSERT_TRUE(store_->Put("bkt", "c", "C", {}).ok());
  EXPECT_EQ(Read("a"), "A");
  EXPECT_EQ(Read("a/b"), "AB");
  EXPECT_EQ(Read("c"), "C");
  EXPECT_EQ(Read("c/d"), "CD");
  auto l = store_->List("bkt", {});
  ASSERT_TRUE(l.ok());
  std::vector<std::string> keys;
  for (const auto& o : l->objects) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "a/b", "c", "c/d"}));
  EXPECT_EQ(l->objects[0].etag, HexEncode(Md5("A")));
}

TEST_F(LocalStoreTest, EscapeAttemptsStayInsideTheBucket) {
  for (const std::string key : {"..", "../x", "../../bkt2/y", "a/../../z", "/abs", "./.", "%2F.."}) {
    ASSERT_TRUE(store_->Put("bkt", key, key, {}).ok()) << key;
    EXPECT_EQ(Read(key), key);
    auto p = store_->DataPath("bkt", key);
    ASSERT_TRUE(p.ok());
    const auto canonical = fs::weakly_canonical(*p).string();
    EXPECT_TRUE(canonical.starts_with(fs::weakly_canonical(dir_ / "objects" / "bkt").string() + "/")) << canonical;
  }
  for (const auto& e : fs::directory_iterator(dir_ / "objects")) EXPECT_EQ(e.path().filename(), "bkt");
}

TEST_F(LocalStoreTest, DeleteRemovesEmptyFoldersButNotTheBucket) {
  ASSERT_TRUE(store_->Put("bkt", "x/y/z", "1", {}).ok());
  ASSERT_TRUE(store_->Delete("bkt", "x/y/z").ok());
  EXPECT_TRUE(fs::is_empty(dir_ / "objects" / "bkt"));
  EXPECT_TRUE(store_->DeleteBucket("bkt").ok());
  EXPECT_EQ(store_->HeadBucket("bkt").error().code, S3Error::kNoSuchBucket);
}

TEST_F(LocalStoreTest, MetadataSurvivesReopen) {
  ObjectMeta m{.content_type = "text/csv", .user = {{"k", "v"}}};
  ASSERT_TRUE(store_->Put("bkt", "m", "data", m).ok());
  Reopen();
  auto h = store_->Head("bkt", "m");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->meta, m);
}

TEST_F(LocalStoreTest, StaleMetadataIsNotServedForNewData) {
  ObjectMeta m{.content_type = "text/old"};
  ASSERT_TRUE(store_->Put("bkt", "k", "old", m).ok());
  // As if a crash hit between the data rename and the metadata rename of a new write.
  auto path = store_->DataPath("bkt", "k");
  ASSERT_TRUE(path.ok());
  const std::string tmp = *path + ".new";
  std::ofstream(tmp) << "brand new";
  fs::rename(tmp, *path);
  auto h = store_->Head("bkt", "k");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->etag, HexEncode(Md5("brand new")));
  EXPECT_EQ(h->size, 9u);
  EXPECT_TRUE(h->meta.content_type.empty());
}

TEST_F(LocalStoreTest, OpenRemovesAbandonedTemporaries) {
  std::ofstream(dir_ / "objects-tmp" / "abandoned") << "half an object";
  Reopen();
  EXPECT_TRUE(fs::is_empty(dir_ / "objects-tmp"));
  auto l = store_->List("bkt", {});
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->objects.empty());
}

TEST_F(LocalStoreTest, OpenRemovesPartsThatWereBeingWritten) {
  auto id = store_->CreateMultipartUpload("bkt", "mp", {});
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->UploadPart("bkt", "mp", *id, 1, "kept").ok());
  const fs::path dir = dir_ / "objects-uploads" / "bkt" / *id;
  std::ofstream(dir / ".part-0123456789abcdef") << "half a part";
  Reopen();
  EXPECT_FALSE(fs::exists(dir / ".part-0123456789abcdef"));
  auto parts = store_->ListParts("bkt", "mp", *id, 0, 1000);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].size, 4u);
}

TEST_F(LocalStoreTest, MultipartAssemblesPartsWithS3Etag) {
  auto id = store_->CreateMultipartUpload("bkt", "mp", {.content_type = "x/y"});
  ASSERT_TRUE(id.ok());
  const std::string p1(kMinPartBytes, 'a'), p2 = "tail";
  auto e1 = store_->UploadPart("bkt", "mp", *id, 1, "replaced");
  ASSERT_TRUE(e1.ok());
  e1 = store_->UploadPart("bkt", "mp", *id, 1, p1);
  auto e2 = store_->UploadPart("bkt", "mp", *id, 2, p2);
  ASSERT_TRUE(e1.ok() && e2.ok());
  auto parts = store_->ListParts("bkt", "mp", *id, 0, 1000);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].size, kMinPartBytes);
  EXPECT_EQ(store_->CompleteMultipartUpload("bkt", "mp", *id, {{2, e2->etag}, {1, e1->etag}}).error().code,
            S3Error::kInvalidPartOrder);
  auto done = store_->CompleteMultipartUpload("bkt", "mp", *id, {{1, e1->etag}, {2, "\"" + e2->etag + "\""}});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->etag, MultipartEtag({e1->etag, e2->etag}));
  EXPECT_EQ(Read("mp"), p1 + p2);
  EXPECT_EQ(store_->ListParts("bkt", "mp", *id, 0, 1000).error().code, S3Error::kNoSuchUpload);
}

TEST_F(LocalStoreTest, RangesAndMissingKeys) {
  ASSERT_TRUE(store_->Put("bkt", "r", "0123456789", {}).ok());
  auto g = store_->Get("bkt", "r", RangeSpec{2, 4});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->data, "234");
  EXPECT_EQ(store_->Get("bkt", "r", RangeSpec{10, std::nullopt}).error().code, S3Error::kInvalidRange);
  EXPECT_EQ(Read("nope"), "<NoSuchKey>");
  EXPECT_EQ(Read("r/"), "<NoSuchKey>");
  EXPECT_EQ(store_->Get("nob", "r", std::nullopt).error().code, S3Error::kNoSuchBucket);
}

TEST_F(LocalStoreTest, WriterPublishesNothingBeforeCommit) {
  auto w = store_->NewObjectWriter("bkt", "s", {.content_type = "text/plain"});
  ASSERT_TRUE(w.ok());
  std::string all;
  for (int i = 0; i < 50; ++i) {
    const std::string piece(1000 + i, static_cast<char>('a' + i % 26));
    ASSERT_TRUE((*w)->Append(piece).ok());
    all += piece;
  }
  EXPECT_EQ((*w)->size(), all.size());
  EXPECT_EQ(Read("s"), "<NoSuchKey>");
  (*w)->SetChecksum({"CRC32C", "AAAAAA=="});
  auto info = (*w)->Commit(Md5(all));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->etag, HexEncode(Md5(all)));
  EXPECT_EQ(info->size, all.size());
  EXPECT_EQ(Read("s"), all);
  EXPECT_EQ(store_->Head("bkt", "s")->meta.content_type, "text/plain");
  EXPECT_EQ((*w)->Commit(std::nullopt).error().code, S3Error::kInternalError);  // only once
  w->reset();
  EXPECT_EQ(Read("s"), all);  // the writer's end does not touch a committed object
  EXPECT_TRUE(fs::is_empty(dir_ / "objects-tmp"));
  Reopen();  // the checksum is kept in the metadata file
  EXPECT_EQ(store_->Head("bkt", "s")->checksum, (ObjectChecksum{"CRC32C", "AAAAAA=="}));
}

TEST_F(LocalStoreTest, AbandonedOrMismatchedWritesLeaveNothing) {
  ASSERT_TRUE(store_->Put("bkt", "k", "old", {}).ok());
  {
    auto w = store_->NewObjectWriter("bkt", "k", {});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append("half of a new").ok());
  }  // dropped without Commit: a client that went away
  EXPECT_EQ(Read("k"), "old");
  EXPECT_TRUE(fs::is_empty(dir_ / "objects-tmp"));
  auto w = store_->NewObjectWriter("bkt", "k", {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("new").ok());
  EXPECT_EQ((*w)->Commit(Md5("other")).error().code, S3Error::kBadDigest);
  w->reset();
  EXPECT_EQ(Read("k"), "old");
  EXPECT_TRUE(fs::is_empty(dir_ / "objects-tmp"));
  EXPECT_EQ(store_->NewObjectWriter("nob", "k", {}).error().code, S3Error::kNoSuchBucket);
  EXPECT_EQ(store_->NewObjectWriter("bkt", std::string(1025, 'x'), {}).error().code,
            S3Error::kKeyTooLongError);
}

TEST_F(LocalStoreTest, PartWriterChecksTheUploadFirstAndAtCommit) {
  auto id = store_->CreateMultipartUpload("bkt", "mp", {});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(store_->NewPartWriter("bkt", "mp", *id, 0).error().code, S3Error::kInvalidArgument);
  EXPECT_EQ(store_->NewPartWriter("bkt", "mp", *id, 10001).error().code, S3Error::kInvalidArgument);
  EXPECT_EQ(store_->NewPartWriter("bkt", "other", *id, 1).error().code, S3Error::kNoSuchUpload);
  EXPECT_EQ(store_->NewPartWriter("bkt", "mp", std::string(32, 'f'), 1).error().code, S3Error::kNoSuchUpload);
  auto w = store_->NewPartWriter("bkt", "mp", *id, 3);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("par").ok());
  ASSERT_TRUE((*w)->Append("t three").ok());
  auto part = (*w)->Commit(std::nullopt);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->etag, HexEncode(Md5("part three")));
  auto parts = store_->ListParts("bkt", "mp", *id, 0, 1000);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].number, 3);
  EXPECT_EQ((*parts)[0].size, 10u);
  // An upload aborted while a part is being written: the part's commit finds it gone.
  auto late = store_->NewPartWriter("bkt", "mp", *id, 4);
  ASSERT_TRUE(late.ok());
  ASSERT_TRUE((*late)->Append("late").ok());
  ASSERT_TRUE(store_->AbortMultipartUpload("bkt", "mp", *id).ok());
  EXPECT_EQ((*late)->Commit(std::nullopt).error().code, S3Error::kNoSuchUpload);
  late->reset();
  EXPECT_EQ(store_->NewPartWriter("bkt", "mp", *id, 5).error().code, S3Error::kNoSuchUpload);
  EXPECT_EQ(store_->AbortMultipartUpload("bkt", "mp", *id).error().code, S3Error::kNoSuchUpload);
  EXPECT_FALSE(fs::exists(dir_ / "objects-uploads" / "bkt" / *id));
  EXPECT_TRUE(fs::is_empty(dir_ / "objects-tmp"));
}

}  // namespace
}  // namespace sluice::objects
