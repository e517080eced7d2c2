#include "producer/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace sluice::producer {

TokenBucket::TokenBucket(double rate_per_second, double burst, int64_t now_us)
    : rate_(rate_per_second), burst_(std::max(1.0, burst)), tokens_(std::max(1.0, burst)), last_us_(now_us) {}

int64_t TokenBucket::Take(double n, int64_t now_us) {
  if (now_us > last_us_) {
    tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(now_us - last_us_) / 1e6);
    last_us_ = now_us;
  }
  tokens_ -= n;
  if (tokens_ >= 0) return 0;
  return static_cast<int64_t>(std::ceil(-tokens_ / rate_ * 1e6));
}

int64_t BackoffDelayMs(const BackoffPolicy& policy, int attempt, Rng& rng) {
  const int shift = std::clamp(attempt - 1, 0, 30);
  const double ceiling = std::min(static_cast<double>(policy.cap_ms),
                                  static_cast<double>(policy.base_ms) * std::ldexp(1.0, shift));
  return static_cast<int64_t>(rng.Uniform() * (ceiling + 1));
}

}  // namespace sluice::producer
