// Progress for a produce run, on stderr: a redrawn bar with records/s on a terminal,
// a plain line every few seconds otherwise (logs and CI stay readable). A
// background thread samples the counters; Stop() prints nothing more.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

#include "base/mutex.h"
#include "producer/produce_stats.h"

namespace sluice::producer {

enum class ProgressMode { kAuto, kBar, kLines, kOff };

class ProgressReporter {
 public:
  // `total_bytes` is the input size when known (-1 otherwise) for a percentage.
  ProgressReporter(const ProduceCounters& counters, ProgressMode mode, int64_t interval_ms, int64_t total_bytes,
                   std::FILE* out);
  ~ProgressReporter();  // stops
  void Stop();

  // One progress line for the given state; exposed for tests.
  static std::string Line(const ProduceStats& s, double records_per_second, int64_t total_bytes, bool bar);

 private:
  void Loop();

  const ProduceCounters& counters_;
  ProgressMode mode_;
  int64_t interval_ms_;
  int64_t total_bytes_;
  std::FILE* out_;
  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sluice::producer
