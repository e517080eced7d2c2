// The producer against kinesalite, an independent implementation of the Kinesis
// API: proves the client speaks real Kinesis (signing, JSON 1.1, PutRecords
// results, errors), not just what our own fake expects.
//
// kinesalite comes from the project's npm test peers (tests/node, pinned by its lock
// file). The setup script installs them; when node_modules is missing the test runs
// `npm ci` there itself, under a lock. It skips only when `node` is not installed:
// with node present, failing to install or start kinesalite fails the test.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "aws/kinesis_client.h"
#include "producer/gen_taxi.h"
#include "producer/produce.h"

namespace sluice::producer {
namespace {

namespace fs = std::filesystem;

std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  std::string_view rest(path);
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    const fs::path candidate = fs::path(std::string(rest.substr(0, colon))) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool CanConnect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Installs the npm test peers unless kinesalite is already there. flock on the lock
// file serialises concurrent tests: `npm ci` empties node_modules before filling it.
::testing::AssertionResult EnsureNodePeers(const fs::path& dir, const fs::path& cli) {
  if (fs::exists(cli)) return ::testing::AssertionSuccess();
  const std::string lock_path = (dir / "package-lock.json").string();
  const int lock = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock < 0) return ::testing::AssertionFailure() << "cannot open " << lock_path;
  ::flock(lock, LOCK_EX);
  int rc = 0;
  if (!fs::exists(cli)) {
    if (FindOnPath("npm").empty()) {
      ::close(lock);
      return ::testing::AssertionFailure() << "node is installed but npm is not: cannot install " << dir;
    }
    const std::string cmd = "npm ci --prefix '" + dir.string() + "' --no-audit --no-fund --loglevel=error >&2";
    rc = std::system(cmd.c_str());
  }
  ::close(lock);
  if (rc != 0) return ::testing::AssertionFailure() << "npm ci failed (" << rc << ") in " << dir;
  if (!fs::exists(cli)) return ::testing::AssertionFailure() << "npm ci did not install " << cli;
  return ::testing::AssertionSuccess();
}

class KinesaliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string node = FindOnPath("node");
    if (node.empty()) GTEST_SKIP() << "node is not installed: the kinesalite integration test needs Node.js";
    const fs::path peers = SLUICE_NODE_PEERS_DIR;
    const std::string cli = (peers / "node_modules" / "kinesalite" / "cli.js").string();
    ASSERT_TRUE(EnsureNodePeers(peers, cli));

    port_ = FreePort();
    const std::string port = std::to_string(port_);
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::execl(node.c_str(), "node", cli.c_str(), "--port", port.c_str(), "--createStreamMs", "0", "--deleteStreamMs",
              "0", "--updateStreamMs", "0", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!CanConnect(port_)) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid_, &status, WNOHANG), 0) << "kinesalite exited at start";
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "kinesalite did not listen within 20 s";
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    endpoint_ = "http://127.0.0.1:" + port;
    dir_ = fs::temp_directory_path() / ("sluice-kinesalite-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  aws::KinesisClient Client() {
    aws::KinesisClientOptions o;
    o.endpoint = endpoint_;
    o.region = "us-east-1";
    o.credentials = {"AKIDLOCAL", "local-secret", ""};
    return aws::KinesisClient(o);
  }

  ProduceOptions Options(std::string stream, std::string csv) {
    ProduceOptions o;
    o.stream = std::move(stream);
    o.csv = std::move(csv);
    o.endpoint = endpoint_;
    o.region = "us-east-1";
    o.access_key_id = "AKIDLOCAL";
    o.secret_access_key = "local-secret";
    o.progress = ProgressMode::kOff;
    o.concurrency = 4;
    return o;
  }

  pid_t pid_ = -1;
  int port_ = 0;
  std::string endpoint_;
  fs::path dir_;
};

TEST_F(KinesaliteTest, GeneratedTripsArriveOnBothShardsExactlyOnce) {
  aws::KinesisClient client = Client();
  auto created = client.CreateStream("ingress", 2);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  auto active = client.WaitForActive("ingress", 10'000);
  ASSERT_TRUE(active.ok()) << active.error().ToString();

  constexpr uint64_t kTrips = 3000;
  GenTaxiOptions gen;
  gen.trips = kTrips;
  gen.seed = 2024;
  gen.output = (dir_ / "trips.csv").string();
  ASSERT_EQ(RunGenTaxi(gen), 0);

  Result<ProduceStats> stats = Produce(Options("ingress", gen.output));
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->records_sent, kTrips) << stats->Summary();
  EXPECT_EQ(stats->records_failed, 0u);

  auto shards = client.ListShards("ingress");
  ASSERT_TRUE(shards.ok()) << shards.error().ToString();
  ASSERT_EQ(shards->size(), 2u);
  std::map<std::string, int> seen;
  for (const aws::ShardInfo& shard : *shards) {
    auto it = client.GetShardIterator("ingress", shard.shard_id, aws::ShardIteratorType::kTrimHorizon);
    ASSERT_TRUE(it.ok()) << it.error().ToString();
    std::string iterator = it.value();
    size_t on_shard = 0;
    while (!iterator.empty()) {
      auto page = client.GetRecords(iterator);
      ASSERT_TRUE(page.ok()) << page.error().ToString();
      for (const aws::KinesisRecord& r : page->records) {
        const nlohmann::json rec = nlohmann::json::parse(r.data);
        EXPECT_EQ(rec["event_id"], r.partition_key);
        seen[rec["TRIP_ID"].get<std::string>()]++;
      }
      on_shard += page->records.size();
      if (page->records.empty()) break;  // caught up
      iterator = page->next_shard_iterator;
    }
    EXPECT_GT(on_shard, kTrips / 4) << "random event ids spread records over " << shard.shard_id;
  }
  EXPECT_EQ(seen.size(), kTrips);
  for (const auto& [trip, n] : seen) ASSERT_EQ(n, 1) << trip;
}

TEST_F(KinesaliteTest, MissingStreamIsATypedErrorThatFailsTheRun) {
  aws::KinesisClient client = Client();
  auto summary = client.DescribeStreamSummary("absent");
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, aws::KinesisErrorCode::kResourceNotFound);

  GenTaxiOptions gen;
  gen.trips = 50;
  gen.output = (dir_ / "few.csv").string();
  ASSERT_EQ(RunGenTaxi(gen), 0);
  ProduceOptions o = Options("absent", gen.output);
  o.log = std::tmpfile();
  EXPECT_EQ(RunProduce(o), 1);
  std::fclose(o.log);
}

}  // namespace
}  // namespace sluice::producer
