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
#include <vector>

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

// The big-endian digest of a CRC value, ChecksumBytes(a) long.
std::string CrcDigest(ChecksumAlgorithm a, uint64_t crc);
// Whether the algorithm is a CRC (a full-object checksum can be combined from parts).
bool IsCrc(ChecksumAlgorithm a);
// The digest of `data` (big-endian, ChecksumBytes long).
std::string ComputeChecksum(ChecksumAlgorithm a, std::string_view data);
// The CRC of the concatenation A·B from the digests of A and of B and B's length, by
// multiplying A's CRC by x^(8·len) modulo the polynomial (zlib's crc32_combine, for
// every CRC here). CRC algorithms only; digests as ComputeChecksum gives them.
std::string CombineCrc(ChecksumAlgorithm a, std::string_view first, std::string_view second,
                       uint64_t second_len);

// How a multipart object's checksum is formed from its parts' (S3's x-amz-checksum-type).
enum class ChecksumType { kComposite, kFullObject };
// "COMPOSITE" / "FULL_OBJECT"; nullopt for anything else (exact spelling, as S3 wants).
std::optional<ChecksumType> ParseChecksumType(std::string_view name);
std::string_view ChecksumTypeName(ChecksumType t);
// S3's default for an upload that names only its algorithm: FULL_OBJECT for CRC64NVME
// (which has no composite form), COMPOSITE for the others.
ChecksumType DefaultChecksumType(ChecksumAlgorithm a);
// Whether S3 accepts the pair: SHA1/SHA256 are composite only, CRC64NVME full-object only.
bool ChecksumTypeAllowed(ChecksumAlgorithm a, ChecksumType t);

struct PartDigest {
  std::string digest;  // big-endian, ChecksumBytes long
  uint64_t size = 0;
};
// The object's checksum after CompleteMultipartUpload, base64, as S3 answers it:
// COMPOSITE is the digest of the concatenated binary part digests, then "-<parts>";
// FULL_OBJECT is the CRC of the whole object, combined from the parts' CRCs.
std::string MultipartChecksum(ChecksumAlgorithm a, ChecksumType t, const std::vector<PartDigest>& parts);

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
