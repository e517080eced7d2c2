// Small, fast, portable pseudo-random generators. The standard library's engines are
// portable but its distributions are not (libstdc++ and libc++ differ), and the trip
// generator promises the same output for the same seed, so distributions are here
// too. Not for cryptography. A generator is used by one thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

namespace sluice::producer {

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// xoshiro256** by Blackman and Vigna, seeded through SplitMix64 as its authors advise.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& w : s_) w = SplitMix64(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Uniform() * static_cast<double>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal by Box-Muller (one of the pair is dropped: simplicity over speed).
  double Normal() {
    double u = Uniform();
    while (u <= 0) u = Uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * Uniform());
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// A random (version 4, RFC 9562 variant) UUID in its 36-character text form.
std::string UuidV4(Rng& rng);

}  // namespace sluice::producer
