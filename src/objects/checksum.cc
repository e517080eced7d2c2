#include "objects/checksum.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <limits>

#include "base/crc32c.h"
#include "base/ascii.h"

namespace sluice::objects {
namespace {

constexpr std::array<uint64_t, 256> MakeCrc64NvmeTable() {
  std::array<uint64_t, 256> t{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) ? 0x9A6C9329AC4BC9B5ull : 0);
    t[i] = c;
  }
  return t;
}
constexpr auto kCrc64NvmeTable = MakeCrc64NvmeTable();

std::string BigEndian(uint64_t v, size_t bytes) {
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) out[bytes - 1 - i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
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

uint64_t Crc64NvmeExtend(uint64_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = kCrc64NvmeTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
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
  return BigEndian(crc_, ChecksumBytes(algorithm_));
}

}  // namespace sluice::objects
