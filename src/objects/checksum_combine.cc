// CRC combination (for full-object checksums of multipart objects) and S3's two ways
// of forming a multipart object's checksum.
#include <array>
#include <cstdint>

#include "base/base64.h"
#include "objects/checksum.h"

namespace sluice::objects {
namespace {

// A reflected CRC: the bit for x^0 is the top one of `width` bits.
struct Crc {
  uint64_t poly;
  int width;
  uint64_t One() const { return uint64_t{1} << (width - 1); }
};

Crc CrcOf(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::kCrc32: return {0xEDB88320u, 32};
    case ChecksumAlgorithm::kCrc32c: return {0x82F63B78u, 32};
    default: return {0x9A6C9329AC4BC9B5ull, 64};
  }
}

// a·b modulo the polynomial; a must not be zero (powers of x never are).
uint64_t MultModP(const Crc& c, uint64_t a, uint64_t b) {
  uint64_t m = c.One(), p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>= 1;
    b = (b & 1) ? (b >> 1) ^ c.poly : b >> 1;
  }
  return p;
}

// x^(n·2^k) modulo the polynomial, by squares: n bits of a byte count, k = 3.
uint64_t X2nModP(const Crc& c, uint64_t n, int k) {
  std::array<uint64_t, 64 + 3> squares{};  // x^(2^i)
  squares[0] = c.One() >> 1;               // x^1
  for (size_t i = 1; i < squares.size(); ++i) squares[i] = MultModP(c, squares[i - 1], squares[i - 1]);
  uint64_t p = c.One();
  for (; n != 0; n >>= 1, ++k) {
    if (n & 1) p = MultModP(c, squares[static_cast<size_t>(k)], p);
  }
  return p;
}

uint64_t FromBigEndian(std::string_view b) {
  uint64_t v = 0;
  for (const char ch : b) v = (v << 8) | static_cast<uint8_t>(ch);
  return v;
}


}  // namespace

bool IsCrc(ChecksumAlgorithm a) {
  return a == ChecksumAlgorithm::kCrc32 || a == ChecksumAlgorithm::kCrc32c || a == ChecksumAlgorithm::kCrc64Nvme;
}

std::string ComputeChecksum(ChecksumAlgorithm a, std::string_view data) {
  ChecksumStream s(a);
  s.Update(data);
  return s.Finish();
}

std::string CombineCrc(ChecksumAlgorithm a, std::string_view first, std::string_view second, uint64_t second_len) {
  const Crc c = CrcOf(a);
  const uint64_t combined = MultModP(c, X2nModP(c, second_len, 3), FromBigEndian(first)) ^ FromBigEndian(second);
  return CrcDigest(a, combined);
}

std::optional<ChecksumType> ParseChecksumType(std::string_view name) {
  if (name == "COMPOSITE") return ChecksumType::kComposite;
  if (name == "FULL_OBJECT") return ChecksumType::kFullObject;
  return std::nullopt;
}

std::string_view ChecksumTypeName(ChecksumType t) {
  return t == ChecksumType::kComposite ? "COMPOSITE" : "FULL_OBJECT";
}

ChecksumType DefaultChecksumType(ChecksumAlgorithm a) {
  return a == ChecksumAlgorithm::kCrc64Nvme ? ChecksumType::kFullObject : ChecksumType::kComposite;
}

bool ChecksumTypeAllowed(ChecksumAlgorithm a, ChecksumType t) {
  if (t == ChecksumType::kFullObject) return IsCrc(a);
  return a != ChecksumAlgorithm::kCrc64Nvme;
}

std::string MultipartChecksum(ChecksumAlgorithm a, ChecksumType t, const std::vector<PartDigest>& parts) {
  if (t == ChecksumType::kFullObject) {
    std::string crc = ComputeChecksum(a, "");
    for (const PartDigest& p : parts) crc = CombineCrc(a, crc, p.digest, p.size);
    return Base64Encode(crc);
  }
  ChecksumStream of_digests(a);
  for (const PartDigest& p : parts) of_digests.Update(p.digest);
  return Base64Encode(of_digests.Finish()) + "-" + std::to_string(parts.size());
}

}  // namespace sluice::objects
