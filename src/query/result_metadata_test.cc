#include "internal/result_metadata.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>

namespace sluice::query {
namespace {

// A minimal protocol-buffers reader: (field, wire type) -> values, in order.
struct Field {
  int number = 0;
  int wire = 0;
  uint64_t varint = 0;
  std::string bytes;
};

bool ReadVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto b = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

std::vector<Field> Decode(std::string_view in) {
  std::vector<Field> out;
  while (!in.empty()) {
    uint64_t tag = 0;
    EXPECT_TRUE(ReadVarint(in, tag));
    Field f{static_cast<int>(tag >> 3), static_cast<int>(tag & 7), 0, ""};
    if (f.wire == 0) {
      EXPECT_TRUE(ReadVarint(in, f.varint));
    } else {
      EXPECT_EQ(f.wire, 2);
      uint64_t n = 0;
      EXPECT_TRUE(ReadVarint(in, n));
      EXPECT_LE(n, in.size());
      if (f.wire != 2 || n > in.size()) return out;
      f.bytes = std::string(in.substr(0, n));
      in.remove_prefix(n);
    }
    out.push_back(std::move(f));
  }
  return out;
}

TEST(ResultMetadata, ReproducesAPublishedAthenaFileByteForByte) {
  // The .csv.metadata of `SELECT ... AS ary` (one array column) as Athena wrote it.
  const std::string athena(
      "\x0a\x1b" "20190423_125128_00001_ehtur"
      "\x22\x19" "\x0a\x04hive" "\x22\x03" "ary" "\x2a\x03" "ary" "\x32\x05" "array" "\x48\x03",
      0x38);
  EXPECT_EQ(EncodeResultMetadata("20190423_125128_00001_ehtur", {ColumnInfo{"ary", "array", 0, 0}}), athena);
}

TEST(ResultMetadata, EveryColumnFieldDecodes) {
  const std::vector<ColumnInfo> columns = {{"trip_id", "varchar", 0, 0},
                                           {"amount", "decimal", 10, 2},
                                           {"n", "bigint", 0, 0}};
  const std::vector<Field> top = Decode(EncodeResultMetadata("c0ffee-1", columns));
  ASSERT_EQ(top.size(), 4u);
  EXPECT_EQ(top[0].number, kMetadataQueryIdField);
  EXPECT_EQ(top[0].bytes, "c0ffee-1");
  struct Want {
    std::string name, type;
    uint64_t precision, scale, case_sensitive;
  };
  const Want want[] = {{"trip_id", "varchar", 2147483647, 0, 1}, {"amount", "decimal", 10, 2, 0}, {"n", "bigint", 19, 0, 0}};
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(top[i + 1].number, kMetadataColumnField);
    ASSERT_EQ(top[i + 1].wire, 2);
    std::map<int, Field> f;
    for (Field& x : Decode(top[i + 1].bytes)) f[x.number] = std::move(x);
    EXPECT_EQ(f[1].bytes, "hive");
    EXPECT_EQ(f.count(2), 0u);  // schema and table names: empty, left out as Athena does
    EXPECT_EQ(f.count(3), 0u);
    EXPECT_EQ(f[4].bytes, want[i].name);
    EXPECT_EQ(f[5].bytes, want[i].name);
    EXPECT_EQ(f[6].bytes, want[i].type);
    EXPECT_EQ(f[7].varint, want[i].precision);
    EXPECT_EQ(f[8].varint, want[i].scale);
    EXPECT_EQ(f[9].varint, static_cast<uint64_t>(kNullableUnknown));
    EXPECT_EQ(f[10].varint, want[i].case_sensitive);
  }
}

TEST(ResultMetadata, NoColumnsIsTheIdAlone) {
  EXPECT_EQ(EncodeResultMetadata("q", {}), std::string("\x0a\x01q", 3));
}

}  // namespace
}  // namespace sluice::query
