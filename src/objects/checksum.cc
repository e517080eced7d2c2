#include "objects/checksum.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <limits>

#include "base/crc32c.h"
#include "base/ascii.h"

namespace sluice::objects {
namespace {

// Slicing-by-8 (Intel's technique, as zlib and crc32c use): table k maps a byte to its
// CRC after k more zero bytes, so eight bytes fold in with eight independent lookups
// instead of eight dependent ones (about 4x the byte-wise loop).
using Crc64Tables = std::array<std::array<uint64_t, 256>, 8>;

constexpr Crc64Tables MakeCrc64NvmeTables() {
  Crc64Tables t{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) ? 0x9A6C9329AC4BC9B5ull : 0);
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  }
  return t;
}
constexpr Crc64Tables kCrc64Nvme = MakeCrc64NvmeTables();

uint64_t LoadLittleEndian64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];  // compiles to one load on x86 and ARM
  return v;
}


}  // namespace

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  const std::string lower = AsciiLower(name);
  if (lower == "crc32") return ChecksumAlgorithm::kCrc32;
  if (lower == "crc32c") return ChecksumAlgorithm::kCrc32c;
  if (lower == "crc64nvme") return ChecksumAlgorithm::kCrc64Nvme;
  if (lower == "sha1") return ChecksumAlgorithm::kSha1;
  if (lower == "sha256") return ChecksumAlgorithm::kSha256;
  return std::nullopt;
}

std::string_view ChecksumName(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::kCrc32: return "CRC32";
    case ChecksumAlgorithm::kCrc32c: return "CRC32C";
    case ChecksumAlgorithm::kCrc64Nvme: return "CRC64NVME";
    case ChecksumAlgorithm::kSha1: return "SHA1";
    case ChecksumAlgorithm::kSha256: return "SHA256";
  }
  return "";
}

std::string ChecksumHeader(ChecksumAlgorithm a) {
  return "x-amz-checksum-" + AsciiLower(ChecksumName(a));
}

size_t ChecksumBytes(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c: return 4;
    case ChecksumAlgorithm::kCrc64Nvme: return 8;
    case ChecksumAlgorithm::kSha1: return 20;
    case ChecksumAlgorithm::kSha256: return 32;
  }
  return 0;
}

std::string CrcDigest(ChecksumAlgorithm a, uint64_t crc) {
  const size_t bytes = ChecksumBytes(a);
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) out[bytes - 1 - i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  return out;
}

uint64_t Crc64NvmeExtend(uint64_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    crc ^= LoadLittleEndian64(p);
    crc = kCrc64Nvme[7][crc & 0xff] ^ kCrc64Nvme[6][(crc >> 8) & 0xff] ^
          kCrc64Nvme[5][(crc >> 16) & 0xff] ^ kCrc64Nvme[4][(crc >> 24) & 0xff] ^
          kCrc64Nvme[3][(crc >> 32) & 0xff] ^ kCrc64Nvme[2][(crc >> 40) & 0xff] ^
          kCrc64Nvme[1][(crc >> 48) & 0xff] ^ kCrc64Nvme[0][crc >> 56];
  }
  for (; n > 0; --n, ++p) crc = kCrc64Nvme[0][(crc ^ *p) & 0xff] ^ (crc >> 8);
  return ~crc;
}

ChecksumStream::ChecksumStream(ChecksumAlgorithm a) : algorithm_(a) {
  if (a == ChecksumAlgorithm::kSha1) hash_ = std::make_unique<HashStream>(HashStream::Kind::kSha1);
  if (a == ChecksumAlgorithm::kSha256) hash_ = std::make_unique<HashStream>(HashStream::Kind::kSha256);
}

void ChecksumStream::Update(std::string_view data) {
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32:
      // zlib takes a 32-bit length: feed large pieces in parts.
      while (!data.empty()) {
        const size_t n = std::min<size_t>(data.size(), std::numeric_limits<uInt>::max());
        crc_ = ::crc32(static_cast<uLong>(crc_), reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
        data.remove_prefix(n);
      }
      return;
    case ChecksumAlgorithm::kCrc32c:
      crc_ = crc32c::Extend(static_cast<uint32_t>(crc_), data.data(), data.size());
      return;
    case ChecksumAlgorithm::kCrc64Nvme:
      crc_ = Crc64NvmeExtend(crc_, data.data(), data.size());
      return;
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      hash_->Update(data);
      return;
  }
}

std::string ChecksumStream::Finish() {
  if (hash_) return hash_->Finish();
  return CrcDigest(algorithm_, crc_);
}

}  // namespace sluice::objects
