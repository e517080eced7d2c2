// Crash-test child: appends from several threads until killed, printing one line per
// acknowledged append: "<first> <last> <run> <thread> <first seq>". The parent kills
// it with SIGKILL and checks that every printed append survived exactly once.
//
// Record data is "r<run>t<thread>s<seq>|" followed by a filler derived from the seq,
// so the parent can check content, not just identity.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "log/log.h"

namespace {

std::string RecordData(int run, int thread, uint64_t seq) {
  std::string s = "r" + std::to_string(run) + "t" + std::to_string(thread) + "s" + std::to_string(seq) + "|";
  s.append((seq * 7919) % 300, static_cast<char>('a' + seq % 26));
  return s;
}

void WriteLine(const std::string& line) {
  // One write() per line: lines from different threads never interleave in the pipe.
  if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::_Exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <run> <threads>\n", argv[0]);
    return 2;
  }
  using namespace sluice::log;
  LogOptions o;
  o.dir = argv[1];
  o.segment_bytes = 64 << 10;  // many rolls per run
  o.index_interval_bytes = 1024;
  o.on_warning = [](std::string_view) {};
  const int run = std::atoi(argv[2]);
  const int threads = std::atoi(argv[3]);
  sluice::Result<std::unique_ptr<Log>> log = Log::Open(o);
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.status().ToString().c_str());
    return 1;
  }
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      uint64_t seq = 0;
      while (true) {
        const int n = 1 + static_cast<int>(seq % 4);
        std::vector<std::string> data;
        std::vector<RecordInput> in;
        for (int i = 0; i < n; ++i) data.push_back(RecordData(run, t, seq + i));
        for (const std::string& d : data) in.push_back(RecordInput{"pk", std::nullopt, d, std::nullopt});
        sluice::Result<AppendResult> a = (*log)->Append(in);
        if (!a.ok()) {
          std::fprintf(stderr, "append: %s\n", a.status().ToString().c_str());
          std::_Exit(1);
        }
        WriteLine(std::to_string(a->first_offset.value()) + " " + std::to_string(a->last_offset.value()) + " " +
                  std::to_string(run) + " " + std::to_string(t) + " " + std::to_string(seq) + "\n");
        seq += n;
      }
    });
  }
  for (std::thread& w : workers) w.join();
  return 0;
}
