#include "delivery/compression.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "delivery/compression_framing.h"

namespace sluice::delivery {
namespace {

constexpr Compression kAll[] = {Compression::kUncompressed, Compression::kGzip, Compression::kZip,
                                Compression::kSnappy, Compression::kHadoopSnappy};

std::filesystem::path ScratchDir() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("delivery-compression-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void WriteFile(const std::filesystem::path& p, std::string_view data) {
  std::ofstream f(p, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Compresses `pieces` and decodes the object with Python's gzip/zipfile and
// python3-snappy (testing/decode_object.py); returns the decoded bytes, or fails.
std::string CompressAndDecodeIndependently(Compression c, const std::vector<std::string>& pieces) {
  std::vector<std::string_view> views(pieces.begin(), pieces.end());
  const std::string entry = "stream-1-2024-01-02-03-04-05-id";
  Result<std::string> object = Compress(c, views, entry);
  EXPECT_TRUE(object.ok()) << object.status().ToString();
  if (!object.ok()) return "";
  const auto dir = ScratchDir();
  WriteFile(dir / "object", *object);
  const std::string cmd = "/usr/bin/python3 " SLUICE_DELIVERY_TESTING_DIR "/decode_object.py " +
                          std::string(CompressionName(c)) + " " + (dir / "object").string() + " " +
                          (dir / "decoded").string() + " " + entry;
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd;
  std::string decoded = ReadFile(dir / "decoded");
  std::filesystem::remove_all(dir);
  return decoded;
}

std::string Concat(const std::vector<std::string>& pieces) {
  std::string s;
  for (const auto& p : pieces) s += p;
  return s;
}

// JSON lines like the taxi records: compressible, and crossing chunk boundaries.
std::vector<std::string> JsonLines(size_t count) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < count; ++i) {
    lines.push_back("{\"trip_id\":\"T" + std::to_string(i) +
                    "\",\"call_type\":\"B\",\"taxi_id\":" + std::to_string(20000000 + i % 448) +
                    ",\"polyline\":[[-8.618643,41.141412],[-8.618499,41.141376]]}\n");
  }
  return lines;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

TEST(CompressionNames, RoundTripAwsNames) {
  for (Compression c : kAll) {
    auto back = CompressionFromName(CompressionName(c));
    ASSERT_TRUE(back.has_value()) << CompressionName(c);
    EXPECT_EQ(*back, c);
  }
  EXPECT_EQ(CompressionName(Compression::kSnappy), "Snappy");
  EXPECT_EQ(CompressionName(Compression::kHadoopSnappy), "HADOOP_SNAPPY");
}

TEST(CompressionNames, RefusesOtherSpellings) {
  EXPECT_FALSE(CompressionFromName("gzip").has_value());
  EXPECT_FALSE(CompressionFromName("SNAPPY").has_value());
  EXPECT_FALSE(CompressionFromName("").has_value());
  EXPECT_FALSE(CompressionFromName("ZSTD").has_value());
}

TEST(CompressionNames, FileExtensions) {
  EXPECT_EQ(FileExtension(Compression::kUncompressed), "");
  EXPECT_EQ(FileExtension(Compression::kGzip), ".gz");
  EXPECT_EQ(FileExtension(Compression::kZip), ".zip");
  EXPECT_EQ(FileExtension(Compression::kSnappy), ".snappy");
  EXPECT_EQ(FileExtension(Compression::kHadoopSnappy), ".hsnappy");
}

TEST(Compress, EveryFormatDecodesWithAnIndependentDecoder) {
  const auto pieces = JsonLines(3000);  // ~330 KB: several Snappy chunks and Hadoop blocks
  for (Compression c : kAll) {
    SCOPED_TRACE(std::string(CompressionName(c)));
    const std::string decoded = CompressAndDecodeIndependently(c, pieces);
    EXPECT_EQ(decoded.size(), Concat(pieces).size());
    EXPECT_TRUE(decoded == Concat(pieces));
  }
}

TEST(Compress, EmptyBodyDecodesToNothing) {
  for (Compression c : kAll) {
    SCOPED_TRACE(std::string(CompressionName(c)));
    EXPECT_EQ(CompressAndDecodeIndependently(c, {}), "");
    EXPECT_EQ(CompressAndDecodeIndependently(c, {"", ""}), "");
  }
}

TEST(Compress, IncompressibleDataAndExactChunkBoundaries) {
  // Random bytes (stored as uncompressed Snappy chunks), one byte around each boundary.
  for (size_t n : {kSnappyFrameChunk - 1, kSnappyFrameChunk, kSnappyFrameChunk + 1,
                   kHadoopSnappyBlock, kHadoopSnappyBlock + 1, 3 * kSnappyFrameChunk}) {
    const std::vector<std::string> pieces = {RandomBytes(n, static_cast<uint32_t>(n))};
    for (Compression c : kAll) {
      SCOPED_TRACE(std::string(CompressionName(c)) + " n=" + std::to_string(n));
      const std::string decoded = CompressAndDecodeIndependently(c, pieces);
      EXPECT_EQ(decoded.size(), pieces[0].size());
      EXPECT_TRUE(decoded == pieces[0]);
    }
  }
}

TEST(Compress, PiecesOfEverySizeGiveTheSameBody) {
  // The same bytes cut differently (single bytes, one piece) compress to the same object.
  const std::string body = Concat(JsonLines(800));
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < body.size(); ++i) bytes.push_back(std::string_view(body).substr(i, 1));
  std::vector<std::string_view> whole = {body};
  for (Compression c : kAll) {
    SCOPED_TRACE(std::string(CompressionName(c)));
    auto a = Compress(c, bytes, "e");
    auto b = Compress(c, whole, "e");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_TRUE(*a == *b);
  }
}

TEST(Compress, IsDeterministicSoAReplayWritesTheSameBytes) {
  const auto lines = JsonLines(100);
  std::vector<std::string_view> views(lines.begin(), lines.end());
  for (Compression c : kAll) {
    auto a = Compress(c, views, "entry");
    auto b = Compress(c, views, "entry");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_TRUE(*a == *b) << CompressionName(c);
  }
}

TEST(SnappyFraming, LayoutOfTheStreamIdentifierAndChunks) {
  const std::string data(100, 'a');
  std::vector<std::string_view> pieces = {data};
  auto framed = SnappyFrame(pieces);
  ASSERT_TRUE(framed.ok());
  const std::string& s = *framed;
  ASSERT_GT(s.size(), 18u);
  EXPECT_EQ(s.substr(0, 10), std::string("\xff\x06\x00\x00sNaPpY", 10));
  EXPECT_EQ(s[10], '\x00');  // a compressed chunk
  const uint32_t len = static_cast<uint8_t>(s[11]) | static_cast<uint8_t>(s[12]) << 8 |
                       static_cast<uint8_t>(s[13]) << 16;
  EXPECT_EQ(len, s.size() - 14);  // the chunk runs to the end
  const uint32_t crc = static_cast<uint8_t>(s[14]) | static_cast<uint8_t>(s[15]) << 8 |
                       static_cast<uint8_t>(s[16]) << 16 |
                       static_cast<uint32_t>(static_cast<uint8_t>(s[17])) << 24;
  EXPECT_EQ(crc, MaskedCrc32c(data));
}

TEST(SnappyFraming, MaskedCrcOfTheFramingSpecExample) {
  // CRC32C("123456789") = 0xe3069283; masked: rotate right 15, add 0xa282ead8.
  const uint32_t crc = 0xe3069283u;
  EXPECT_EQ(MaskedCrc32c("123456789"), ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
}

TEST(HadoopSnappyFraming, BigEndianLengthsPerBlock) {
  const std::string data(kHadoopSnappyBlock + 10, 'x');
  std::vector<std::string_view> pieces = {data};
  auto framed = HadoopSnappyFrame(pieces);
  ASSERT_TRUE(framed.ok());
  const std::string& s = *framed;
  auto be32 = [&](size_t at) {
    return static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24 |
           static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 16 |
           static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 8 |
           static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3]));
  };
  EXPECT_EQ(be32(0), kHadoopSnappyBlock);
  const uint32_t first_compressed = be32(4);
  const size_t second = 8 + first_compressed;
  EXPECT_EQ(be32(second), 10u);
  EXPECT_EQ(second + 8 + be32(second + 4), s.size());
}

TEST(ZipFraming, RefusesAnEmptyEntryName) {
  std::vector<std::string_view> pieces = {"x"};
  auto r = Compress(Compression::kZip, pieces, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "zip entry name must be 1-65535 bytes");
}

TEST(ForEachChunk, GathersAcrossPiecesAndPassesWholeChunksThrough) {
  std::vector<std::string_view> pieces = {"ab", "cdefgh", "", "i"};
  std::string scratch;
  std::vector<std::string> chunks;
  ForEachChunk(pieces, 3, scratch, [&](std::string_view c) { chunks.emplace_back(c); });
  EXPECT_EQ(chunks, (std::vector<std::string>{"abc", "def", "ghi"}));
}

}  // namespace
}  // namespace sluice::delivery
