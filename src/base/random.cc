#include "base/random.h"

#include <random>

#include "base/hex.h"

namespace sluice {

uint64_t RandomU64() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng();
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  for (size_t i = 0; i < bytes; i += 8) {
    uint64_t v = RandomU64();
    for (size_t j = i; j < bytes && j < i + 8; ++j, v >>= 8) raw[j] = static_cast<char>(v & 0xFF);
  }
  return HexEncode(raw);
}

}  // namespace sluice
