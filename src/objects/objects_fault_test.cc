// The local store under injected file-system faults (base/testing/fault_file_system.h):
// every failed write, sync or rename is reported as InternalError with its errno, and
// leaves no object and no temporary behind, or (when the failure comes after the
// rename that published the object) is still reported.
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "base/testing/fault_file_system.h"
#include "objects/local_store.h"
#include "objects/test_dir.h"

namespace sluice::objects {
namespace {

namespace stdfs = std::filesystem;
using sluice::testing::FaultFileSystem;

class LocalStoreFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("sluice-objects-fault").string();
    auto s = LocalObjectStore::Open({.dir = dir_, .file_system = &files_});
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->CreateBucket("bkt").ok());
  }
  void TearDown() override {
    store_.reset();
    stdfs::remove_all(dir_);
  }

  std::string Read(const std::string& key) {
    auto g = store_->Get("bkt", key, std::nullopt);
    return g.ok() ? g->data : "<" + std::string(S3ErrorName(g.error().code)) + ">";
  }
  // Files in objects-tmp: writes in flight, and what a failure must not leave behind.
  size_t Temporaries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : stdfs::directory_iterator(dir_ + "/objects-tmp")) ++n;
    return n;
  }
  std::string Tmp() const { return dir_ + "/objects-tmp/"; }
  std::string Bucket() const { return dir_ + "/objects/bkt"; }

  std::string dir_;
  FaultFileSystem files_{FileSystem::Posix()};
  std::unique_ptr<LocalObjectStore> store_;
};

TEST_F(LocalStoreFaultTest, FailedSyncOfAPutsTemporaryPublishesNothing) {
  ASSERT_TRUE(store_->Put("bkt", "k", "old", {}).ok());
  files_.FailSyncsUnder(Tmp());
  auto put = store_->Put("bkt", "k", "new", {});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, S3Error::kInternalError);
  EXPECT_EQ(put.error().sys_errno, EIO);
  EXPECT_EQ(Read("k"), "old");
  EXPECT_EQ(Temporaries(), 0u);
  auto fresh = store_->Put("bkt", "never", "x", {});
  ASSERT_FALSE(fresh.ok());
  EXPECT_EQ(store_->Head("bkt", "never").error().code, S3Error::kNoSuchKey);
  EXPECT_EQ(Temporaries(), 0u);

  files_.ClearPathFaults();
  ASSERT_TRUE(store_->Put("bkt", "k", "new", {}).ok());
  EXPECT_EQ(Read("k"), "new");
}

TEST_F(LocalStoreFaultTest, FailedRenamePublishesNothing) {
  files_.FailRenamesTo(Bucket() + "/");
  auto put = store_->Put("bkt", "k", "data", {});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, S3Error::kInternalError);
  EXPECT_EQ(put.error().sys_errno, EIO);
  EXPECT_EQ(store_->Head("bkt", "k").error().code, S3Error::kNoSuchKey);
  auto list = store_->List("bkt", {});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->objects.empty());
  EXPECT_EQ(Temporaries(), 0u);  // neither the data's nor the metadata's
}

TEST_F(LocalStoreFaultTest, NoSpaceMidUploadFailsTheWriterAndPublishesNothing) {
  auto w = store_->NewObjectWriter("bkt", "big", {});
  ASSERT_TRUE(w.ok());
  const std::string piece(1 << 20, 'x');
  ASSERT_TRUE((*w)->Append(piece).ok());
  files_.space_left = 1000;  // the next write is short, the one after it fails
  auto second = (*w)->Append(piece);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, S3Error::kInternalError);
  EXPECT_EQ(second.error().sys_errno, ENOSPC);
  files_.space_left = -1;
  EXPECT_FALSE((*w)->Append("more").ok());  // the bytes are incomplete for good
  auto commit = (*w)->Commit(std::nullopt);
  ASSERT_FALSE(commit.ok());
  EXPECT_EQ(commit.error().code, S3Error::kInternalError);
  w->reset();
  EXPECT_EQ(store_->Head("bkt", "big").error().code, S3Error::kNoSuchKey);
  EXPECT_EQ(Temporaries(), 0u);
}

TEST_F(LocalStoreFaultTest, FailedWriteOfAPartKeepsTheEarlierPart) {
  auto id = store_->CreateMultipartUpload("bkt", "mp", {});
  ASSERT_TRUE(id.ok());
  auto first = store_->UploadPart("bkt", "mp", *id, 1, "first");
  ASSERT_TRUE(first.ok());
  files_.fail_write_errno = EDQUOT;
  files_.fail_write_at = files_.writes.load() + 1;
  auto again = store_->UploadPart("bkt", "mp", *id, 1, "second");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, S3Error::kInternalError);
  EXPECT_EQ(again.error().sys_errno, EDQUOT);
  auto parts = store_->ListParts("bkt", "mp", *id, 0, 1000);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].etag, first->etag);
  for (const auto& e : stdfs::directory_iterator(dir_ + "/objects-uploads/bkt/" + *id)) {
    EXPECT_FALSE(e.path().filename().string().starts_with(".part-")) << e.path();
  }
}

TEST_F(LocalStoreFaultTest, FailedDirectorySyncAfterTheRenameIsReported) {
  files_.FailDirSyncsUnder(Bucket());
  auto put = store_->Put("bkt", "k", "data", {});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, S3Error::kInternalError);
  EXPECT_EQ(put.error().sys_errno, EIO);
  // The rename happened; only its durability is unknown, and the caller was told.
  EXPECT_EQ(Read("k"), "data");
  EXPECT_EQ(Temporaries(), 0u);
}

TEST_F(LocalStoreFaultTest, FailedCompleteLeavesTheUploadCompletable) {
  auto id = store_->CreateMultipartUpload("bkt", "mp", {});
  ASSERT_TRUE(id.ok());
  const std::string p1(kMinPartBytes, 'a'), p2 = "tail";
  auto e1 = store_->UploadPart("bkt", "mp", *id, 1, p1);
  auto e2 = store_->UploadPart("bkt", "mp", *id, 2, p2);
  ASSERT_TRUE(e1.ok() && e2.ok());
  const std::vector<CompletedPart> parts = {{1, e1->etag}, {2, e2->etag}};

  // The assembled temporary's sync fails, then (on a second try) its rename.
  files_.FailSyncsUnder(Tmp());
  auto failed = store_->CompleteMultipartUpload("bkt", "mp", *id, parts);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, S3Error::kInternalError);
  EXPECT_EQ(failed.error().sys_errno, EIO);
  files_.ClearPathFaults();
  files_.FailRenamesTo(Bucket() + "/");
  failed = store_->CompleteMultipartUpload("bkt", "mp", *id, parts);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().sys_errno, EIO);

  EXPECT_EQ(store_->Head("bkt", "mp").error().code, S3Error::kNoSuchKey);
  EXPECT_EQ(Temporaries(), 0u);
  auto listed = store_->ListParts("bkt", "mp", *id, 0, 1000);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);

  files_.ClearPathFaults();
  auto done = store_->CompleteMultipartUpload("bkt", "mp", *id, parts);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->etag, MultipartEtag({e1->etag, e2->etag}));
  EXPECT_EQ(Read("mp"), p1 + p2);
}

// Complete is held at the sync of the assembled object (it has read the parts and is
// about to publish); an Abort of the same upload arrives meanwhile. The Abort must not
// answer success while the Complete can still publish: it waits, then finds the
// upload completed (NoSuchUpload), and the object is there.
TEST_F(LocalStoreFaultTest, AbortDuringCompleteWaitsAndFindsTheUploadCompleted) {
  auto id = store_->CreateMultipartUpload("bkt", "race", {});
  ASSERT_TRUE(id.ok());
  auto part = store_->UploadPart("bkt", "race", *id, 1, "only part");
  ASSERT_TRUE(part.ok());
  files_.sync_gate.Close();
  std::optional<ObjResult<ObjectInfo>> completed;
  std::thread complete([&] { completed = store_->CompleteMultipartUpload("bkt", "race", *id, {{1, part->etag}}); });
  EXPECT_TRUE(files_.sync_gate.AwaitHeld(1).starts_with(Tmp()));
  std::optional<ObjStatus> aborted;
  std::thread abort([&] { aborted = store_->AbortMultipartUpload("bkt", "race", *id); });
  store_->claims_for_testing().AwaitWaiters(1);  // the Abort is queued behind the Complete
  files_.sync_gate.Open();
  complete.join();
  abort.join();
  ASSERT_TRUE(completed->ok());
  ASSERT_FALSE(aborted->ok());
  EXPECT_EQ(aborted->error().code, S3Error::kNoSuchUpload);
  EXPECT_EQ(Read("race"), "only part");
}

// The other order: an Abort that answered first leaves nothing to complete.
TEST_F(LocalStoreFaultTest, CompleteAfterAbortIsNoSuchUploadAndPublishesNothing) {
  auto id = store_->CreateMultipartUpload("bkt", "gone", {});
  ASSERT_TRUE(id.ok());
  auto part = store_->UploadPart("bkt", "gone", *id, 1, "x");
  ASSERT_TRUE(part.ok());
  ASSERT_TRUE(store_->AbortMultipartUpload("bkt", "gone", *id).ok());
  auto done = store_->CompleteMultipartUpload("bkt", "gone", *id, {{1, part->etag}});
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, S3Error::kNoSuchUpload);
  EXPECT_EQ(Read("gone"), "<NoSuchKey>");
}

}  // namespace
}  // namespace sluice::objects
