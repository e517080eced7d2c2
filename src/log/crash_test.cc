// Kills a child appender with SIGKILL at random moments, many times over one log, and
// checks after each kill that every acknowledged record is present exactly once, in
// order, with the right content.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "log/log.h"
#include "log/testing/test_util.h"

extern char** environ;

namespace sluice::log {
namespace {

struct Ack {
  uint64_t first, last;
  int run, thread;
  uint64_t seq;
};

std::string ExpectedData(int run, int thread, uint64_t seq) {
  std::string s = "r" + std::to_string(run) + "t" + std::to_string(thread) + "s" + std::to_string(seq) + "|";
  s.append((seq * 7919) % 300, static_cast<char>('a' + seq % 26));
  return s;
}

// Runs the child for `run_ms`, kills it, returns everything it printed.
std::string RunAndKill(const std::string& dir, int run, int run_ms) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return "";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  const std::string run_s = std::to_string(run);
  std::vector<char*> argv = {const_cast<char*>(LOG_CRASH_CHILD), const_cast<char*>(dir.c_str()),
                             const_cast<char*>(run_s.c_str()), const_cast<char*>("4"), nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, LOG_CRASH_CHILD, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  EXPECT_EQ(rc, 0) << "spawn " << LOG_CRASH_CHILD;
  std::string out;
  char buf[65536];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
  bool killed = rc != 0;
  while (true) {
    if (!killed && std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, killed ? 1000 : 2);
    if (ready <= 0) {
      if (killed) break;
      continue;
    }
    const ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n <= 0) {
      if (killed) break;
      continue;  // EOF before the kill: the child died on its own; wait for the deadline
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (rc == 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exited on its own: " << status;
  }
  return out;
}

TEST(CrashTest, EveryAcknowledgedRecordSurvivesSigkillExactlyOnce) {
  testing::ScratchDir dir;
  std::mt19937 rng(12345);
  std::vector<Ack> acks;
  constexpr int kRuns = 60;
  const auto start = std::chrono::steady_clock::now();
  for (int run = 0; run < kRuns; ++run) {
    const int run_ms = std::uniform_int_distribution<int>(1, 120)(rng);
    std::istringstream lines(RunAndKill(dir.path(), run, run_ms));
    std::string line;
    while (std::getline(lines, line)) {
      Ack a;
      std::istringstream fields(line);
      ASSERT_TRUE(fields >> a.first >> a.last >> a.run >> a.thread >> a.seq) << line;
      acks.push_back(a);
    }

    LogOptions o = testing::TestOptions(dir.path());
    o.segment_bytes = 64 << 10;
    Result<std::unique_ptr<Log>> log = Log::Open(o);
    ASSERT_TRUE(log.ok()) << "run " << run << ": " << log.status().ToString();
    std::vector<std::string> data;
    Offset at = (*log)->StartOffset();
    ASSERT_EQ(at, Offset(0));
    while (at < (*log)->EndOffset()) {
      Result<ReadResult> r = (*log)->Read(at, 10000, 16 << 20);
      ASSERT_TRUE(r.ok()) << "run " << run << ": " << r.status().ToString();
      for (const Record& rec : r->records) data.emplace_back(rec.data);
      at = r->next_offset;
    }
    // Exactly once, and each thread's records in the order it appended them.
    std::set<std::string> seen;
    std::map<std::pair<int, int>, uint64_t> next_seq;
    for (size_t i = 0; i < data.size(); ++i) {
      ASSERT_TRUE(seen.insert(data[i]).second) << "duplicate record at offset " << i << ": " << data[i].substr(0, 20);
      int r = 0, t = 0;
      unsigned long long s = 0;
      ASSERT_EQ(std::sscanf(data[i].c_str(), "r%dt%ds%llu|", &r, &t, &s), 3) << data[i];
      ASSERT_EQ(data[i], ExpectedData(r, t, s)) << "content of offset " << i;
      auto [it, fresh] = next_seq.try_emplace({r, t}, 0);
      ASSERT_GE(s, it->second) << "out of order at offset " << i;
      it->second = s + 1;
    }
    for (const Ack& a : acks) {
      ASSERT_LT(a.last, data.size()) << "run " << run << ": acknowledged offset " << a.last << " lost";
      for (uint64_t off = a.first; off <= a.last; ++off) {
        ASSERT_EQ(data[off], ExpectedData(a.run, a.thread, a.seq + (off - a.first)))
            << "run " << run << ": acknowledged offset " << off;
      }
    }
  }
  const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d kills, %zu acknowledged appends verified, %.1f s\n", kRuns, acks.size(), secs);
  EXPECT_GT(acks.size(), 100u);
}

}  // namespace
}  // namespace sluice::log
