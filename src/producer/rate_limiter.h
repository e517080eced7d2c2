// Pacing: a token bucket for the records/s limit, and exponential backoff with full
// jitter for retries. Both are pure arithmetic over times the caller passes in, so
// tests need no sleeping; callers do the waiting.
#pragma once

#include <cstdint>

#include "producer/random.h"

namespace sluice::producer {

// Refills at `rate` tokens per second up to `burst`. Take() may drive the balance
// negative, so a caller asking for more than the burst is delayed, never starved.
// Not thread-safe.
class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst, int64_t now_us);
  // Takes `n` tokens and returns how many microseconds to wait before using them.
  int64_t Take(double n, int64_t now_us);

 private:
  double rate_;
  double burst_;
  double tokens_;
  int64_t last_us_;
};

struct BackoffPolicy {
  int64_t base_ms = 100;   // the first retry waits up to this
  int64_t cap_ms = 5'000;  // no single wait is longer
};

// The wait before retry number `attempt` (1 for the first retry): uniform in
// [0, min(cap, base * 2^(attempt-1))] ("full jitter"), which spreads retrying
// senders apart instead of having them collide again in lockstep.
int64_t BackoffDelayMs(const BackoffPolicy& policy, int attempt, Rng& rng);

}  // namespace sluice::producer
