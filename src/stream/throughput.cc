#include "stream/throughput.h"

#include <algorithm>

namespace sluice::stream {

void TokenBucket::Refill(int64_t now_ms) {
  if (last_ms_ >= 0 && now_ms > last_ms_) {
    tokens_ = std::min(capacity_, tokens_ + rate_ * static_cast<double>(now_ms - last_ms_) / 1000.0);
  }
  if (now_ms > last_ms_) last_ms_ = now_ms;
}

bool TokenBucket::TryTake(double n, int64_t now_ms) {
  Refill(now_ms);
  if (tokens_ < n) return false;
  tokens_ -= n;
  return true;
}

bool TokenBucket::Positive(int64_t now_ms) {
  Refill(now_ms);
  return tokens_ > 0;
}

void TokenBucket::Charge(double n, int64_t now_ms) {
  Refill(now_ms);
  tokens_ -= n;
}

bool ShardLimiter::AdmitWrite(int64_t bytes, int64_t now_ms) {
  const MutexLock lock(mu_);
  // Check both before taking either, so a refusal consumes nothing.
  if (!write_records_.TryTake(1, now_ms)) return false;
  if (!write_bytes_.TryTake(static_cast<double>(bytes), now_ms)) {
    write_records_.Charge(-1, now_ms);
    return false;
  }
  return true;
}

bool ShardLimiter::AdmitRead(int64_t now_ms) {
  const MutexLock lock(mu_);
  if (!read_bytes_.Positive(now_ms)) return false;
  return read_calls_.TryTake(1, now_ms);
}

void ShardLimiter::ChargeRead(int64_t bytes, int64_t now_ms) {
  const MutexLock lock(mu_);
  read_bytes_.Charge(static_cast<double>(bytes), now_ms);
}

}  // namespace sluice::stream
