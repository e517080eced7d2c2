#include "internal/upload_sink.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include "base/hash.h"
#include "objects/local_store.h"

namespace sluice::frontends::s3 {
namespace {

namespace fs = std::filesystem;

class UploadSinkTest : public ::testing::Test {
 protected:
  static constexpr int kPoolThreads = 2;

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice-sink-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = objects::LocalObjectStore::Open({.dir = dir_.string()});
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->CreateBucket("bkt").ok());
    pool_ = std::make_unique<WorkPool>(kPoolThreads);
  }
  void TearDown() override {
    pool_.reset();
    fs::remove_all(dir_);
  }

  std::shared_ptr<S3UploadSink> Sink(const std::string& target) {
    RequestHead head;
    head.method = "PUT";
    head.target = target;
    head.host = "localhost";
    return std::make_shared<S3UploadSink>(*pool_, std::make_unique<s3::CallState>(head, *store_, "REQ"));
  }

  // Finish and wait for the answer.
  static Response FinishAndWait(BodySink& sink) {
    std::promise<Response> answer;
    auto got = answer.get_future();
    sink.Finish([&answer](Response r) { answer.set_value(std::move(r)); });
    EXPECT_EQ(got.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return got.get();
  }

  static std::string Header(const Response& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  fs::path dir_;
  std::unique_ptr<objects::LocalObjectStore> store_;
  std::unique_ptr<WorkPool> pool_;
};

// Back-pressure is forced, not hoped for: both pool workers are held at a gate, so
// nothing drains until the queue has passed its limit; then the gate opens and the
// paused sender must be resumed.
TEST_F(UploadSinkTest, PiecesLandInOrderAndAFullQueuePausesTheSender) {
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  for (int i = 0; i < kPoolThreads; ++i) pool_->Post([open] { open.wait(); });

  auto sink = Sink("/bkt/big");
  constexpr size_t kPiece = 1 << 20;
  constexpr int kPieces = 40;
  constexpr size_t kPiecesBeforeFull = S3UploadSink::kMaxQueuedBytes / kPiece;
  std::mutex mu;
  std::condition_variable cv;
  bool resumed = false;
  int pauses = 0;
  std::string all;
  for (int i = 0; i < kPieces; ++i) {
    std::string piece(kPiece, static_cast<char>('a' + i % 26));
    piece[static_cast<size_t>(i)] = '!';  // no two pieces alike
    all += piece;
    {
      std::lock_guard lock(mu);
      resumed = false;
    }
    const bool more = sink->Write(std::move(piece), [&] {
      std::lock_guard lock(mu);
      resumed = true;
      cv.notify_all();
    });
    if (static_cast<size_t>(i) < kPiecesBeforeFull) {
      ASSERT_TRUE(more) << "paused at piece " << i << " with the queue not yet full";
    } else if (static_cast<size_t>(i) == kPiecesBeforeFull) {
      ASSERT_FALSE(more) << "a queue past its limit must pause the sender";
      gate.set_value();
    }
    if (!more) {
      ++pauses;
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return resumed; });
    }
  }
  EXPECT_GE(pauses, 1);
  const Response r = FinishAndWait(*sink);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Header(r, "etag"), "\"" + HexEncode(Md5(all)) + "\"");
  auto got = store_->Get("bkt", "big", std::nullopt);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->data == all);
}

TEST_F(UploadSinkTest, AbortMidBodyLeavesNoTemporaryAndNoObject) {
  auto sink = Sink("/bkt/gone");
  for (int i = 0; i < 6; ++i) sink->Write(std::string(1 << 20, 'x'), [] {});
  sink->Abort();
  sink->Abort();  // harmless twice
  pool_.reset();  // runs every job already posted
  EXPECT_TRUE(fs::is_empty(dir_ / "objects-tmp"));
  EXPECT_EQ(store_->Head("bkt", "gone").error().code, objects::S3Error::kNoSuchKey);
}

TEST_F(UploadSinkTest, AHeadRefusalComesFromBeginOrAtFinish) {
  auto early = Sink("/nobucket/k");
  std::promise<std::optional<Response>> ready;
  early->Begin([&ready](std::optional<Response> r) { ready.set_value(std::move(r)); });
  auto refusal = ready.get_future().get();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->status, 404);
  EXPECT_NE(refusal->body.find("<Code>NoSuchBucket</Code>"), std::string::npos);
  early->Abort();

  auto late = Sink("/nobucket/k");
  late->Write("some body", [] {});
  const Response r = FinishAndWait(*late);
  EXPECT_EQ(r.status, 404);

  auto accepted = Sink("/bkt/ok");
  std::promise<std::optional<Response>> go;
  accepted->Begin([&go](std::optional<Response> r) { go.set_value(std::move(r)); });
  EXPECT_FALSE(go.get_future().get().has_value());
  accepted->Write("body", [] {});
  EXPECT_EQ(FinishAndWait(*accepted).status, 200);
  EXPECT_EQ(store_->Get("bkt", "ok", std::nullopt)->data, "body");
}

}  // namespace
}  // namespace sluice::frontends::s3
