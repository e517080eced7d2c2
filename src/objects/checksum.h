// The flexible checksums S3 verifies on upload: CRC32, CRC32C, CRC64NVME, SHA1 and
// SHA256, sent as `x-amz-checksum-<algorithm>` (a header, or an aws-chunked trailer
// named by x-amz-trailer) with the base64 of the big-endian digest, or asked for by
// `x-amz-sdk-checksum-algorithm` alone. Pure functions and a streaming calculator.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/hash.h"

namespace sluice::objects {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

// "CRC32", "crc32c", ... (any case); nullopt for anything else.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// S3's spelling in messages: "CRC32", "CRC64NVME", "SHA256".
std::string_view ChecksumName(ChecksumAlgorithm a);
// "x-amz-checksum-crc32", ...
std::string ChecksumHeader(ChecksumAlgorithm a);
// Digest length in bytes.
size_t ChecksumBytes(ChecksumAlgorithm a);

// CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5, initial and final XOR all
// ones), extended over data like crc32c::Extend: pass 0 to start.
uint64_t Crc64NvmeExtend(uint64_t crc, const void* data, size_t n);

// One algorithm over data given in pieces. Not thread-safe.
class ChecksumStream {
 public:
  explicit ChecksumStream(ChecksumAlgorithm a);
  void Update(std::string_view data);
  // The big-endian digest of everything given. Call once.
  std::string Finish();
  ChecksumAlgorithm algorithm() const { return algorithm_; }

 private:
  ChecksumAlgorithm algorithm_;
  uint64_t crc_ = 0;
  std::unique_ptr<HashStream> hash_;  // SHA1 and SHA256
};

}  // namespace sluice::objects
