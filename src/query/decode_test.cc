#include "internal/decode.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "internal/rows.h"
#include "testing_fixtures.h"

namespace sluice::query {
namespace {

constexpr std::string_view kLines = "{\"a\":1}\n{\"a\":2}\n";

TEST(Decode, GzipZipAndSnappyByMagic) {
  EXPECT_EQ(*Decode("k", testing::Gzip(kLines)), kLines);
  EXPECT_EQ(*Decode("k", testing::Zip("x.json", kLines)), kLines);
  EXPECT_EQ(*Decode("k", testing::SnappyFramed(kLines)), kLines);
  EXPECT_EQ(*Decode("k.json", std::string(kLines)), kLines);
}

TEST(Decode, ConcatenatedGzipMembersAreOneStream) {
  EXPECT_EQ(*Decode("k.gz", testing::Gzip("{\"a\":1}\n") + testing::Gzip("{\"a\":2}\n")), kLines);
}

// The output is first sized from the last member's size trailer: a first member that
// inflates to far more than that (and than 4x the input) must still come out whole.
TEST(Decode, GzipMembersLargerThanTheFirstGuessGrowTheOutput) {
  std::string big;
  for (int i = 0; i < 200000; ++i) big += "{\"a\":1}\n";  // 1.6 MB, compresses over 100x
  const std::string small = "{\"a\":2}\n";
  EXPECT_EQ(*Decode("k.gz", testing::Gzip(big) + testing::Gzip(small)), big + small);
  EXPECT_EQ(*Decode("k.gz", testing::Gzip(big)), big);
  EXPECT_EQ(*Decode("k.gz", testing::Gzip("")), "");
}

TEST(Decode, GzipChecksumsTrailersAndGarbageAreCorruption) {
  const std::string gz = testing::Gzip(kLines);
  std::string crc = gz;
  crc[crc.size() - 8] ^= 1;  // the CRC32 trailer
  EXPECT_EQ(Decode("k.gz", crc).status().message(), "HIVE_CURSOR_ERROR: truncated or corrupt GZIP data in k.gz");
  EXPECT_EQ(Decode("k.gz", gz + "junk").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Decode("k.gz", "").status().code(), StatusCode::kCorruption);
}

TEST(Decode, CorruptDataIsAnErrorNamingTheObject) {
  std::string gz = testing::Gzip(kLines);
  gz.resize(gz.size() / 2);
  auto r = Decode("s3://b/k.gz", gz);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("s3://b/k.gz"), std::string::npos);
  std::string sn = testing::SnappyFramed(kLines);
  sn[15] ^= 1;  // inside the checksum
  EXPECT_EQ(Decode("k", sn).status().code(), StatusCode::kCorruption);
}

// Hadoop's block framing, as Firehose's HADOOP_SNAPPY writes it.
std::string HadoopSnappy(std::string_view in) {
  std::string block;
  snappy::Compress(in.data(), in.size(), &block);
  const auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  return be32(static_cast<uint32_t>(in.size())) + be32(static_cast<uint32_t>(block.size())) + block;
}

TEST(Decode, HadoopSnappyByExtension) {
  EXPECT_EQ(*Decode("k.snappy", HadoopSnappy(kLines)), kLines);
  std::string bad = HadoopSnappy(kLines);
  bad.resize(bad.size() - 3);
  EXPECT_EQ(Decode("k.snappy", bad).status().code(), StatusCode::kCorruption);
}

// Found by fuzz_query_ddl: libarchive fails this header without a message, which was
// read as a C string (fuzz/regressions/query_ddl/zip_without_error_message).
TEST(Decode, ZipHeaderLibarchiveRefusesSilentlyIsCorruptionNotACrash) {
  const auto data = Base64Decode(
      "UEsDBG50czsgRElOIGV2ZW50czsgREVTQyBJTiBldmVudHM7IERJTiBldmVudHM7IERF//8/AAAAU0lBREVBVEFC/v+oOsAiMn3k/91BU0UgSUYgRVgAFklT");
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(Decode("k", *data).status().code(), StatusCode::kCorruption);
}

TEST(Decode, ExtensionDecidesWithoutMagic) {
  EXPECT_EQ(DetectCompression("a/b.snappy", "xx"), Compression::kHadoopSnappy);
  EXPECT_EQ(DetectCompression("a/b.gz", "xx"), Compression::kGzip);
  EXPECT_EQ(DetectCompression("a/b", "xx"), Compression::kNone);
}

}  // namespace
}  // namespace sluice::query

namespace sluice::query {
namespace {

// simdjson reads past a document: the last line is parsed from a padded copy unless
// the string has room behind it, and both ways give the same rows.
TEST(ParseRowsTest, TheLastLineParsesWithOrWithoutRoomBehindTheText) {
  RowSpec spec;
  spec.types = {ParseColumnType("int")};
  spec.by_key = {{"a", 0}};
  for (const std::string body : {"{\"a\":1}\n{\"a\":2}", "{\"a\":1}\n{\"a\":2}\n", "{\"a\":1}\n{\"a\":2}  \n\n"}) {
    for (const bool room : {false, true}) {
      std::string text;
      if (room) text.reserve(body.size() + 4096);
      text = body;
      if (!room) text.shrink_to_fit();
      auto rows = ParseRows(spec, "s3://b/k", std::move(text));
      ASSERT_TRUE(rows.ok()) << body << " room " << room << ": " << rows.status().ToString();
      ASSERT_EQ(rows->rows(), 2u);
      EXPECT_EQ(rows->cells[1].i, 2);
    }
  }
}

}  // namespace
}  // namespace sluice::query
