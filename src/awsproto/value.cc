#include "awsproto/value.h"

#include <limits>

namespace sluice::awsproto {

int64_t SaturatingInt64(double v) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (!(v < kTwoTo63)) return std::numeric_limits<int64_t>::max();
  if (v < -kTwoTo63) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

int64_t SaturatingMillis(int64_t seconds) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (seconds > kMax / 1000) return kMax;
  if (seconds < kMin / 1000) return kMin;
  return seconds * 1000;
}

const Value* Value::Get(std::string_view key) const {
  for (const auto [k, v] : members()) {
    if (k == key) return v.is_null() ? nullptr : &v;
  }
  return nullptr;
}

}  // namespace sluice::awsproto
