// Flexible checksums of multipart uploads in the local store: each part keeps its
// own, Complete checks the ones the request gives and forms the object's as S3 does
// (COMPOSITE "<digest of digests>-N", or a FULL_OBJECT CRC combined from the parts).
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "base/base64.h"
#include "objects/checksum.h"
#include "objects/local_store.h"
#include "objects/test_dir.h"

namespace sluice::objects {
namespace {

namespace fs = std::filesystem;

class MultipartChecksumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("sluice-mpsum");
    Reopen();
    ASSERT_TRUE(store_->CreateBucket("bkt").ok());
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Reopen() {
    store_.reset();
    auto s = LocalObjectStore::Open({.dir = dir_.string(), .sync = false});
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }

  // Uploads a part as the front end does: with the checksum the upload requires.
  PartInfo Part(const std::string& id, int number, const std::string& data) {
    auto w = store_->NewPartWriter("bkt", "mp", id, number);
    EXPECT_TRUE(w.ok());
    const auto alg = ParseChecksumAlgorithm((*w)->RequiredChecksum().algorithm);
    EXPECT_TRUE((*w)->Append(data).ok());
    if (alg) (*w)->SetChecksum({std::string(ChecksumName(*alg)), Base64Encode(ComputeChecksum(*alg, data)), ""});
    auto info = (*w)->Commit(std::nullopt);
    EXPECT_TRUE(info.ok());
    return PartInfo{number, info->etag, info->size, 0, info->checksum};
  }

  fs::path dir_;
  std::unique_ptr<LocalObjectStore> store_;
  const std::string p1_ = std::string(kMinPartBytes, 'a'), p2_ = "the tail";
};

TEST_F(MultipartChecksumTest, CompositeSha256IsTheDigestOfPartDigestsWithTheirCount) {
  auto id = store_->CreateMultipartUpload("bkt", "mp", {}, {"SHA256", "", ""});
  ASSERT_TRUE(id.ok());
  auto w = store_->NewPartWriter("bkt", "mp", *id, 1);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->RequiredChecksum(), (ObjectChecksum{"SHA256", "", "COMPOSITE"}));
  w->reset();
  const PartInfo a = Part(*id, 1, p1_), b = Part(*id, 2, p2_);
  const std::string da = ComputeChecksum(ChecksumAlgorithm::kSha256, p1_);
  const std::string db = ComputeChecksum(ChecksumAlgorithm::kSha256, p2_);
  EXPECT_EQ(a.checksum.value, Base64Encode(da));
  auto listed = store_->ListParts("bkt", "mp", *id, 0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].checksum, (ObjectChecksum{"SHA256", Base64Encode(db), ""}));

  // COMPOSITE: every part's checksum must be given, and match.
  auto missing = store_->CompleteMultipartUpload("bkt", "mp", *id, {{1, a.etag, a.checksum}, {2, b.etag, {}}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, S3Error::kInvalidRequest);
  EXPECT_EQ(missing.error().message,
            "The upload was created using a sha256 checksum. The complete request must include the checksum "
            "for each part. It was missing for part 2 in the request.");
  auto wrong = store_->CompleteMultipartUpload("bkt", "mp", *id,
                                               {{1, a.etag, a.checksum}, {2, b.etag, {"SHA256", Base64Encode(da), ""}}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, S3Error::kInvalidPart);

  auto done = store_->CompleteMultipartUpload("bkt", "mp", *id, {{1, a.etag, a.checksum}, {2, b.etag, b.checksum}});
  ASSERT_TRUE(done.ok());
  const ObjectChecksum want{"SHA256", Base64Encode(ComputeChecksum(ChecksumAlgorithm::kSha256, da + db)) + "-2",
                            "COMPOSITE"};
  EXPECT_EQ(done->checksum, want);
  Reopen();
  auto head = store_->Head("bkt", "mp");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->checksum, want);
}

TEST_F(MultipartChecksumTest, Crc64NvmeIsAFullObjectCrcCombinedFromTheParts) {
  auto id = store_->CreateMultipartUpload("bkt", "mp", {}, {"CRC64NVME", "", ""});
  ASSERT_TRUE(id.ok());
  const PartInfo a = Part(*id, 1, p1_), b = Part(*id, 2, p2_);
  // FULL_OBJECT: part checksums may be left out of the request.
  auto done = store_->CompleteMultipartUpload("bkt", "mp", *id, {{1, a.etag, {}}, {2, b.etag, b.checksum}});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->checksum, (ObjectChecksum{"CRC64NVME",
                                            Base64Encode(ComputeChecksum(ChecksumAlgorithm::kCrc64Nvme, p1_ + p2_)),
                                            "FULL_OBJECT"}));
}

TEST_F(MultipartChecksumTest, AStatedWholeObjectChecksumMustMatchOrNothingIsPublished) {
  auto id = store_->CreateMultipartUpload("bkt", "mp", {}, {"CRC32", "", "FULL_OBJECT"});
  ASSERT_TRUE(id.ok());
  const PartInfo a = Part(*id, 1, p1_), b = Part(*id, 2, p2_);
  const std::vector<CompletedPart> parts = {{1, a.etag, {}}, {2, b.etag, {}}};
  const std::string whole = Base64Encode(ComputeChecksum(ChecksumAlgorithm::kCrc32, p1_ + p2_));
  for (const ObjectChecksum& wrong : {ObjectChecksum{"CRC32", "AAAAAA==", ""}, ObjectChecksum{"", "", "COMPOSITE"},
                                      ObjectChecksum{"CRC32C", whole, ""}}) {
    auto refused = store_->CompleteMultipartUpload("bkt", "mp", *id, parts, wrong);
    ASSERT_FALSE(refused.ok()) << wrong.algorithm << wrong.type;
    EXPECT_EQ(refused.error().code, S3Error::kBadDigest);
  }
  EXPECT_EQ(store_->Head("bkt", "mp").error().code, S3Error::kNoSuchKey);
  auto done = store_->CompleteMultipartUpload("bkt", "mp", *id, parts, {"CRC32", whole, "FULL_OBJECT"});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->checksum.value, whole);
}

TEST_F(MultipartChecksumTest, AnUploadWithoutAChecksumMakesAnObjectWithout) {
  auto id = store_->CreateMultipartUpload("bkt", "mp", {});
  ASSERT_TRUE(id.ok());
  const PartInfo a = Part(*id, 1, "only");
  auto done = store_->CompleteMultipartUpload("bkt", "mp", *id, {{1, a.etag, {}}});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->checksum, ObjectChecksum{});
}

}  // namespace
}  // namespace sluice::objects
