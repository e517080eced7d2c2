// CRC-64/NVME: the sliced implementation against the catalogue check value and against
// the plain byte-wise definition (kept here as the reference) on random data, at every
// alignment and length around the 8-byte stride.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>

#include "base/base64.h"
#include "objects/checksum.h"

namespace sluice::objects {
namespace {

uint64_t ByteWiseCrc64Nvme(uint64_t crc, const std::string& data) {
  static const auto table = [] {
    std::array<uint64_t, 256> t{};
    for (uint64_t i = 0; i < 256; ++i) {
      uint64_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) ? 0x9A6C9329AC4BC9B5ull : 0);
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (const char ch : data) crc = table[(crc ^ static_cast<uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

TEST(Crc64Nvme, CheckValueOf123456789) {
  EXPECT_EQ(Crc64NvmeExtend(0, "123456789", 9), 0xAE8B14860A799888ull);
  EXPECT_EQ(Crc64NvmeExtend(0, "", 0), 0u);
}

TEST(Crc64Nvme, MatchesTheByteWiseDefinitionOnRandomData) {
  std::mt19937_64 rng(20261130);
  std::string data(4096 + 13, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t len : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{15}, size_t{16},
                       size_t{17}, size_t{63}, size_t{64}, size_t{65}, size_t{4096}}) {
      const std::string piece = data.substr(offset, len);
      EXPECT_EQ(Crc64NvmeExtend(0, piece.data(), piece.size()), ByteWiseCrc64Nvme(0, piece))
          << offset << "+" << len;
    }
  }
  // Extending piece by piece is the CRC of the whole.
  uint64_t crc = 0;
  for (size_t i = 0; i < data.size(); i += 333) {
    const std::string piece = data.substr(i, 333);
    crc = Crc64NvmeExtend(crc, piece.data(), piece.size());
  }
  EXPECT_EQ(crc, ByteWiseCrc64Nvme(0, data));
}

}  // namespace
}  // namespace sluice::objects

namespace sluice::objects {
namespace {

TEST(CrcCombine, CombinedCrcIsTheCrcOfTheConcatenation) {
  std::mt19937_64 rng(7);
  for (const auto a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    for (size_t first_len : {size_t{0}, size_t{1}, size_t{1000}}) {
      for (size_t second_len : {size_t{0}, size_t{1}, size_t{7}, size_t{4097}}) {
        std::string first(first_len, '\0'), second(second_len, '\0');
        for (char& c : first) c = static_cast<char>(rng());
        for (char& c : second) c = static_cast<char>(rng());
        EXPECT_EQ(CombineCrc(a, ComputeChecksum(a, first), ComputeChecksum(a, second), second.size()),
                  ComputeChecksum(a, first + second))
            << ChecksumName(a) << " " << first_len << "+" << second_len;
      }
    }
  }
}

TEST(MultipartChecksum, CompositeIsTheDigestOfTheBinaryPartDigestsWithTheCount) {
  const std::string p1(100, 'a'), p2 = "tail";
  const auto a = ChecksumAlgorithm::kSha256;
  const std::string d1 = ComputeChecksum(a, p1), d2 = ComputeChecksum(a, p2);
  EXPECT_EQ(MultipartChecksum(a, ChecksumType::kComposite, {{d1, p1.size()}, {d2, p2.size()}}),
            Base64Encode(ComputeChecksum(a, d1 + d2)) + "-2");
  const auto crc = ChecksumAlgorithm::kCrc64Nvme;
  EXPECT_EQ(MultipartChecksum(crc, ChecksumType::kFullObject,
                              {{ComputeChecksum(crc, p1), p1.size()}, {ComputeChecksum(crc, p2), p2.size()}}),
            Base64Encode(ComputeChecksum(crc, p1 + p2)));
}

TEST(MultipartChecksum, TypesAllowedPerAlgorithmAsS3) {
  EXPECT_FALSE(ChecksumTypeAllowed(ChecksumAlgorithm::kSha256, ChecksumType::kFullObject));
  EXPECT_FALSE(ChecksumTypeAllowed(ChecksumAlgorithm::kCrc64Nvme, ChecksumType::kComposite));
  EXPECT_TRUE(ChecksumTypeAllowed(ChecksumAlgorithm::kCrc32, ChecksumType::kFullObject));
  EXPECT_TRUE(ChecksumTypeAllowed(ChecksumAlgorithm::kCrc32c, ChecksumType::kComposite));
  EXPECT_EQ(DefaultChecksumType(ChecksumAlgorithm::kCrc64Nvme), ChecksumType::kFullObject);
  EXPECT_EQ(DefaultChecksumType(ChecksumAlgorithm::kCrc32), ChecksumType::kComposite);
  EXPECT_EQ(ParseChecksumType("composite"), std::nullopt);
}

}  // namespace
}  // namespace sluice::objects
