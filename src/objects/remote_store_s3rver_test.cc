// RemoteObjectStore against s3rver (an S3 implementation from npm, installed by
// scripts/setup into tests/node) on loopback: put, get, list, delete, copy and a
// multipart upload through a real S3 server. Fails, rather than skips, when node or
// s3rver is missing, so CI cannot pass without exercising it. Nothing here depends on
// the machine's speed: the server is waited for on a state (it answers for a bucket
// only this test's server has) with a generous bound, and a port lost to another
// process is given up for a fresh one.
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "base/hash.h"
#include "objects/remote_store.h"

extern char** environ;

namespace sluice::objects {
namespace {

namespace fs = std::filesystem;

// A loopback port bound (not listening) for as long as the object lives: nobody else
// can take it, and a connection to it is refused at once.
class ReservedPort {
 public:
  ReservedPort() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~ReservedPort() { ::close(fd_); }
  ReservedPort(const ReservedPort&) = delete;
  ReservedPort& operator=(const ReservedPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

// A port free now; another process may take it before s3rver binds it (SetUp checks).
int FreePort() { return ReservedPort().port(); }

bool Reachable(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

RemoteStoreOptions OptionsFor(int port) {
  RemoteStoreOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(port);
  o.credentials.access_key_id = "S3RVER";  // s3rver's fixed test credentials
  o.credentials.secret_access_key = "S3RVER";
  o.credentials.region = "us-east-1";
  o.multipart_threshold = 6ull << 20;
  o.part_size = 5ull << 20;
  return o;
}

// s3rver serves the folders of its directory as buckets: one made before the start
// tells this test's server from another process's that took the same port.
constexpr const char* kProbeBucket = "sluice-probe";
// Node can take long to start on a loaded machine; this bounds a wait on a state.
constexpr auto kStartDeadline = std::chrono::seconds(120);
constexpr int kPortAttempts = 5;

class S3rverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    js_ = fs::path(SLUICE_SOURCE_DIR) / "tests/node/node_modules/s3rver/bin/s3rver.js";
    ASSERT_TRUE(fs::exists(js_)) << js_ << " is missing: run scripts/setup (npm ci in tests/node)";
    dir_ = fs::temp_directory_path() / ("sluice-s3rver-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / kProbeBucket);
    for (int attempt = 0; attempt < kPortAttempts && store_ == nullptr; ++attempt) StartOn(FreePort());
    ASSERT_NE(store_, nullptr) << "s3rver did not start";
  }
  void TearDown() override {
    Stop();
    fs::remove_all(dir_);
  }

  // Starts s3rver on `port` and waits until it answers as itself; on failure (the port
  // went to another process, or the server exited) leaves store_ null.
  void StartOn(int port) {
    const std::string p = std::to_string(port), d = dir_.string(), script = js_.string();
    const char* argv[] = {"node", script.c_str(), "-d", d.c_str(), "-a", "127.0.0.1", "-p", p.c_str(),
                          "--silent", nullptr};
    ASSERT_EQ(::posix_spawnp(&pid_, "node", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
    RemoteStoreOptions probe_options = OptionsFor(port);
    probe_options.max_attempts = 1;
    auto probe = RemoteObjectStore::Open(probe_options, [](std::string_view) { return std::nullopt; });
    ASSERT_TRUE(probe.ok()) << probe.error().message;
    const auto deadline = std::chrono::steady_clock::now() + kStartDeadline;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {  // it exited: the port was taken
        pid_ = -1;
        return;
      }
      if (Reachable(port)) {
        const auto head = (*probe)->HeadBucket(kProbeBucket);
        if (head.ok()) {
          auto store = RemoteObjectStore::Open(OptionsFor(port), [](std::string_view) { return std::nullopt; });
          ASSERT_TRUE(store.ok()) << store.error().message;
          store_ = std::move(store).value();
          return;
        }
        if (head.error().code == S3Error::kNoSuchBucket) {  // another process's server
          Stop();
          return;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Stop();
  }

  void Stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }

  fs::path js_;
  fs::path dir_;
  pid_t pid_ = -1;
  std::unique_ptr<RemoteObjectStore> store_;
};

TEST_F(S3rverTest, PutGetListCopyDeleteAgainstARealS3Server) {
  ASSERT_TRUE(store_->CreateBucket("remote-bkt").ok());
  ASSERT_TRUE(store_->HeadBucket("remote-bkt").ok());
  auto put = store_->Put("remote-bkt", "dir/é x.txt", "hello remote",
                         {.content_type = "text/plain", .user = {{"color", "blue"}}});
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(put->etag, HexEncode(Md5("hello remote")));
  ASSERT_TRUE(store_->Put("remote-bkt", "top", "t", {}).ok());

  auto got = store_->Get("remote-bkt", "dir/é x.txt", std::nullopt);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->data, "hello remote");
  EXPECT_EQ(got->info.meta.content_type, "text/plain");
  ASSERT_EQ(got->info.meta.user.size(), 1u);
  EXPECT_EQ(got->info.meta.user[0].second, "blue");
  auto part = store_->Get("remote-bkt", "dir/é x.txt", RangeSpec{6, 11});
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->data, "remote");

  auto list = store_->List("remote-bkt", {.delimiter = "/"});
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(list->common_prefixes, std::vector<std::string>{"dir/"});
  ASSERT_EQ(list->objects.size(), 1u);
  EXPECT_EQ(list->objects[0].key, "top");

  auto copy = store_->Copy("remote-bkt", "dir/é x.txt", "remote-bkt", "copied", std::nullopt);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  EXPECT_EQ(store_->Get("remote-bkt", "copied", std::nullopt)->data, "hello remote");

  EXPECT_EQ(store_->Get("remote-bkt", "missing", std::nullopt).error().code, S3Error::kNoSuchKey);
  EXPECT_EQ(store_->DeleteBucket("remote-bkt").error().code, S3Error::kBucketNotEmpty);
  for (const char* k : {"dir/é x.txt", "top", "copied"}) ASSERT_TRUE(store_->Delete("remote-bkt", k).ok());
  EXPECT_TRUE(store_->List("remote-bkt", {})->objects.empty());
  EXPECT_TRUE(store_->DeleteBucket("remote-bkt").ok());
  EXPECT_EQ(store_->HeadBucket("remote-bkt").error().code, S3Error::kNoSuchBucket);
}

TEST_F(S3rverTest, LargePutGoesMultipart) {
  ASSERT_TRUE(store_->CreateBucket("mp-bkt").ok());
  std::string data(12ull << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 4096);
  const int before = store_->attempts_total();
  auto put = store_->Put("mp-bkt", "big", data, {});
  ASSERT_TRUE(put.ok()) << put.error().message;
  // Create, three parts (5 + 5 + 2 MiB), Complete, then a HEAD for the final ETag
  // (s3rver reports the whole object's MD5 where AWS would say "...-3").
  EXPECT_EQ(store_->attempts_total() - before, 6);
  auto got = store_->Get("mp-bkt", "big", std::nullopt);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->data == data);
}

TEST_F(S3rverTest, WriterSendsPartsAsTheyFill) {
  ASSERT_TRUE(store_->CreateBucket("stream-bkt").ok());
  auto w = store_->NewObjectWriter("stream-bkt", "streamed", {.content_type = "text/csv"});
  ASSERT_TRUE(w.ok());
  std::string all;
  const int start = store_->attempts_total();
  for (int i = 0; i < 13; ++i) {
    std::string piece(1 << 20, static_cast<char>('A' + i));
    all += piece;
    ASSERT_TRUE((*w)->Append(piece).ok());
  }
  // Past the 6 MiB threshold the upload started and two 5 MiB parts went out already.
  EXPECT_EQ(store_->attempts_total() - start, 3);
  auto info = (*w)->Commit(Md5(all));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->size, all.size());
  auto got = store_->Get("stream-bkt", "streamed", std::nullopt);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->data == all);
  EXPECT_EQ(got->info.meta.content_type, "text/csv");

  // Small bodies stay one PUT; a wrong Content-MD5 sends nothing.
  auto small = store_->NewObjectWriter("stream-bkt", "small", {});
  ASSERT_TRUE((*small)->Append("tiny").ok());
  EXPECT_EQ((*small)->Commit(Md5("other")).error().code, S3Error::kBadDigest);
  EXPECT_EQ(store_->Get("stream-bkt", "small", std::nullopt).error().code, S3Error::kNoSuchKey);

  // A writer dropped after its upload started aborts it (one DELETE).
  auto dropped = store_->NewObjectWriter("stream-bkt", "dropped", {});
  ASSERT_TRUE((*dropped)->Append(std::string(7 << 20, 'd')).ok());
  const int before_drop = store_->attempts_total();
  dropped->reset();
  EXPECT_EQ(store_->attempts_total() - before_drop, 1);
  EXPECT_EQ(store_->Get("stream-bkt", "dropped", std::nullopt).error().code, S3Error::kNoSuchKey);
}

TEST(RemoteStoreRetry, GivesUpAfterMaxAttemptsOnRefusedConnections) {
  const ReservedPort reserved;  // bound, never listening: every connection is refused
  RemoteStoreOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(reserved.port());
  o.credentials.access_key_id = "AK";
  o.credentials.secret_access_key = "SK";
  o.max_attempts = 3;
  o.base_backoff_ms = 1;
  auto store = RemoteObjectStore::Open(o, [](std::string_view) { return std::nullopt; });
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->HeadBucket("b").ok());
  EXPECT_EQ((*store)->attempts_total(), 3);
}

}  // namespace
}  // namespace sluice::objects
