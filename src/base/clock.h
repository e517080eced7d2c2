// Clock: wall time in milliseconds, behind an interface so tests can move time.
// Implementations are thread-safe.
#pragma once

#include <atomic>
#include <string>
#include <cstdint>

namespace sluice {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;
  // The process-wide real clock.
  static Clock& Real();
};

// ISO 8601 in UTC with milliseconds, as AWS's XML answers write times:
// "2009-10-12T17:50:30.000Z".
std::string Iso8601Millis(int64_t unix_ms);

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Set(int64_t ms) { now_.store(ms); }
  void Advance(int64_t ms) { now_.fetch_add(ms); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace sluice
