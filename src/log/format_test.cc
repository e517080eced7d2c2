#include "log/format.h"

#include <gtest/gtest.h>

#include "base/crc32c.h"
#include "log/testing/test_util.h"

namespace sluice::log::format {
namespace {

using testing::MakeRecords;
using testing::OwnedRecord;
using testing::Views;

std::span<const char, kBatchHeaderSize> HeaderOf(const std::vector<char>& batch) {
  return std::span<const char, kBatchHeaderSize>(batch.data(), kBatchHeaderSize);
}

TEST(FormatTest, BatchRoundTripsEveryField) {
  std::vector<OwnedRecord> in = MakeRecords("payload", 3);
  in[0].hash = HashKey{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  in[1].arrival_ms = 5;
  in[2].key.clear();
  in[2].data.clear();
  Result<std::vector<char>> batch = EncodeBatch(Views(in), 1000);
  ASSERT_TRUE(batch.ok());
  SetBaseOffset(*batch, Offset(42));

  BatchHeader h;
  ASSERT_EQ(DecodeBatchHeader(HeaderOf(*batch), &h), HeaderCheck::kValid);
  EXPECT_EQ(h.magic, kBatchMagic);
  EXPECT_EQ(h.version, kFormatVersion);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.reserved, 0);
  EXPECT_EQ(h.record_count, 3u);
  EXPECT_EQ(h.base_offset, 42u);
  EXPECT_EQ(h.min_arrival_ms, 5);
  EXPECT_EQ(h.max_arrival_ms, 1000);
  EXPECT_EQ(h.payload_len, batch->size() - kBatchHeaderSize);
  EXPECT_EQ(h.payload_crc, crc32c::Value(batch->data() + kBatchHeaderSize, h.payload_len));

  std::vector<Record> out;
  ASSERT_TRUE(DecodeRecords(std::string_view(batch->data() + kBatchHeaderSize, h.payload_len), h.record_count,
                            Offset(h.base_offset), &out)
                  .ok());
  ASSERT_EQ(out.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i].offset, Offset(42 + i));
    EXPECT_EQ(out[i].partition_key, in[i].key);
    EXPECT_EQ(out[i].data, in[i].data);
    EXPECT_EQ(out[i].explicit_hash_key, in[i].hash);
  }
  EXPECT_EQ(out[0].arrival_ms, 1000);
  EXPECT_EQ(out[1].arrival_ms, 5);
}

TEST(FormatTest, HeaderLayoutMatchesTheDocumentedOffsets) {
  std::vector<OwnedRecord> in = MakeRecords("x", 1);
  in[0].arrival_ms = 0x0102030405060708;
  Result<std::vector<char>> batch = EncodeBatch(Views(in), 0);
  ASSERT_TRUE(batch.ok());
  SetBaseOffset(*batch, Offset(0x1122334455667788));
  const auto byte = [&](size_t i) { return static_cast<uint8_t>((*batch)[i]); };
  EXPECT_EQ(byte(0), 0x31);  // magic, little-endian
  EXPECT_EQ(byte(3), 0x53);
  EXPECT_EQ(byte(4), kFormatVersion);
  EXPECT_EQ(byte(20), 1);  // record_count
  EXPECT_EQ(byte(24), 0x88);  // base_offset low byte
  EXPECT_EQ(byte(31), 0x11);
  EXPECT_EQ(byte(32), 0x08);  // min arrival
  EXPECT_EQ(byte(40), 0x08);  // max arrival
}

TEST(FormatTest, EveryHeaderByteIsCoveredByTheChecksum) {
  Result<std::vector<char>> batch = EncodeBatch(Views(MakeRecords("x", 2)), 7);
  ASSERT_TRUE(batch.ok());
  for (size_t i = 0; i < kBatchHeaderSize; ++i) {
    std::vector<char> copy = *batch;
    copy[i] ^= 0x10;
    BatchHeader h;
    const HeaderCheck c = DecodeBatchHeader(HeaderOf(copy), &h);
    EXPECT_TRUE(c == HeaderCheck::kBadCrc || c == HeaderCheck::kBadMagic) << "byte " << i;
  }
}

TEST(FormatTest, ZeroBytesAreNotABatch) {
  const std::vector<char> zeros(kBatchHeaderSize, 0);
  BatchHeader h;
  EXPECT_EQ(DecodeBatchHeader(HeaderOf(zeros), &h), HeaderCheck::kBadMagic);
}

TEST(FormatTest, NewerVersionIsRecognisedOnlyWithAValidChecksum) {
  Result<std::vector<char>> batch = EncodeBatch(Views(MakeRecords("x", 1)), 7);
  ASSERT_TRUE(batch.ok());
  BatchHeader h;
  ASSERT_EQ(DecodeBatchHeader(HeaderOf(*batch), &h), HeaderCheck::kValid);
  h.version = kFormatVersion + 1;
  std::vector<char> newer = *batch;
  EncodeBatchHeader(h, newer.data());
  EXPECT_EQ(DecodeBatchHeader(HeaderOf(newer), &h), HeaderCheck::kNewerVersion);
  std::vector<char> flipped = *batch;
  flipped[4] = static_cast<char>(kFormatVersion + 1);  // no CRC update: damage, not a version
  EXPECT_EQ(DecodeBatchHeader(HeaderOf(flipped), &h), HeaderCheck::kBadCrc);
}

TEST(FormatTest, EmptyAppendIsRejected) {
  EXPECT_EQ(EncodeBatch({}, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(FormatTest, OverlongPartitionKeyIsRejected) {
  std::vector<OwnedRecord> in = MakeRecords("x", 1);
  in[0].key.assign(70000, 'k');
  EXPECT_EQ(EncodeBatch(Views(in), 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(FormatTest, SegmentFileNamesAreZeroPaddedBaseOffsets) {
  EXPECT_EQ(SegmentFileName(Offset(0)), "00000000000000000000.log");
  EXPECT_EQ(SegmentFileName(Offset(1234)), "00000000000000001234.log");
  EXPECT_EQ(IndexFileName(Offset(1234)), "00000000000000001234.index");
  EXPECT_EQ(ParseSegmentFileName("00000000000000001234.log"), Offset(1234));
  EXPECT_EQ(ParseSegmentFileName("18446744073709551615.log"), Offset(UINT64_MAX));
  EXPECT_FALSE(ParseSegmentFileName("00000000000000001234.index"));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000123a.log"));
  EXPECT_FALSE(ParseSegmentFileName("99999999999999999999.log"));  // overflows u64
  EXPECT_FALSE(ParseSegmentFileName("1234.log"));
}

TEST(FormatTest, IndexFileRoundTrips) {
  IndexFile f{Offset(100), Offset(250), 9000, 77, {{Offset(100), FilePosition(0), INT64_MIN},
                                                  {Offset(180), FilePosition(4200), 60}}};
  Result<IndexFile> back = DecodeIndexFile(EncodeIndexFile(f));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->base_offset, Offset(100));
  EXPECT_EQ(back->next_offset, Offset(250));
  EXPECT_EQ(back->segment_bytes, 9000u);
  EXPECT_EQ(back->max_arrival_ms, 77);
  ASSERT_EQ(back->entries.size(), 2u);
  EXPECT_EQ(back->entries[1].offset, Offset(180));
  EXPECT_EQ(back->entries[1].position, FilePosition(4200));
  EXPECT_EQ(back->entries[1].max_arrival_before, 60);
}

TEST(FormatTest, DamagedIndexFileIsCorruption) {
  IndexFile f{Offset(1), Offset(2), 100, 5, {{Offset(1), FilePosition(0), INT64_MIN}}};
  std::string bytes = EncodeIndexFile(f);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string copy = bytes;
    copy[i] ^= 0x01;
    EXPECT_FALSE(DecodeIndexFile(copy).ok()) << "byte " << i;
  }
  EXPECT_EQ(DecodeIndexFile(bytes.substr(0, bytes.size() - 1)).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace sluice::log::format
