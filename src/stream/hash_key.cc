#include "stream/hash_key.h"

#include <algorithm>

#include "base/hash.h"

namespace sluice::stream {

uint128 HashPartitionKey(std::string_view partition_key) {
  // Per record on PutRecord(s): base's Md5 reuses its algorithm and context.
  const Md5Digest md = Md5(partition_key);
  uint128 v = 0;
  for (unsigned int i = 0; i < 16; ++i) v = (v << 8) | md[i];
  return v;
}

std::string ToDecimal(uint128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

std::optional<uint128> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 39) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  uint128 v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<uint128>(c - '0');
    if (v > (kMaxHashKey - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

log::HashKey ToBytes(uint128 v) {
  log::HashKey b{};
  for (int i = 15; i >= 0; --i) {
    b[static_cast<size_t>(i)] = static_cast<uint8_t>(v & 0xFF);
    v >>= 8;
  }
  return b;
}

uint128 FromBytes(const log::HashKey& b) {
  uint128 v = 0;
  for (const uint8_t x : b) v = (v << 8) | x;
  return v;
}

std::vector<HashRange> EvenSplit(size_t n) {
  // floor(i * 2^128 / n) without 256-bit arithmetic: with 2^128 = q*n + r,
  // i * 2^128 / n = i*q + i*r/n.
  const uint128 nn = n;
  const uint128 q = kMaxHashKey / nn;
  const uint128 r = kMaxHashKey % nn + 1;  // may equal n, which the formula tolerates
  auto start = [&](size_t i) -> uint128 { return q * i + (r * i) / nn; };
  std::vector<HashRange> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const uint128 end = (i + 1 == n) ? kMaxHashKey : start(i + 1) - 1;
    out.push_back({start(i), end});
  }
  return out;
}

}  // namespace sluice::stream
