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
  EXPECT_EQ(FileExtension(Compression::kHadoopSnappy), ".snappy");
}

TEST(CompressionNames, ContentEncodings) {
  EXPECT_EQ(ContentEncoding(Compression::kUncompressed), "");
  EXPECT_EQ(ContentEncoding(Compression::kGzip), "gzip");
  EXPECT_EQ(ContentEncoding(Compression::kZip), "zip");
  EXPECT_EQ(ContentEncoding(Compression::kSnappy), "snappy-java");
  EXPECT_EQ(ContentEncoding(Compression::kHadoopSnappy), "hadoop-snappy");
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
  // Random bytes (snappy blocks larger than their input), one byte around each boundary.
  for (size_t n :
       {kSnappyJavaBlock - 1, kSnappyJavaBlock, kSnappyJavaBlock + 1, 3 * kSnappyJavaBlock}) {
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

// The vectors in testing/snappy_java/ were written by snappy-java (Debian's
// libsnappy-java, over the same libsnappy) with testing/make_snappy_java_vectors.sh: AWS's
// Snappy and HADOOP_SNAPPY objects are byte-for-byte what its SnappyOutputStream and
// SnappyHadoopCompatibleOutputStream write.
TEST(SnappyJava, ByteForByteWhatSnappyJavaWrites) {
  const std::filesystem::path dir = SLUICE_DELIVERY_TESTING_DIR "/snappy_java";
  for (std::string name : {"empty", "hello", "records", "random"}) {
    SCOPED_TRACE(name);
    const std::string input = ReadFile(dir / (name + ".in"));
    // Cut into record-sized pieces, as the engine passes them.
    std::vector<std::string_view> pieces;
    for (size_t off = 0, step = 1; off < input.size(); off += step, step = step * 3 % 977 + 1) {
      pieces.push_back(std::string_view(input).substr(off, step));
    }
    auto stream = Compress(Compression::kSnappy, pieces, "");
    auto hadoop = Compress(Compression::kHadoopSnappy, pieces, "");
    ASSERT_TRUE(stream.ok() && hadoop.ok());
    const std::string want_stream = ReadFile(dir / (name + ".snappy-java"));
    const std::string want_hadoop = ReadFile(dir / (name + ".hadoop-snappy"));
    EXPECT_EQ(stream->size(), want_stream.size());
    EXPECT_TRUE(*stream == want_stream);
    EXPECT_EQ(hadoop->size(), want_hadoop.size());
    EXPECT_TRUE(*hadoop == want_hadoop);
  }
  EXPECT_GT(ReadFile(dir / "records.in").size(), 2 * kSnappyJavaBlock);  // several blocks
}

TEST(SnappyJava, HeaderAndBlockLayout) {
  std::vector<std::string_view> pieces = {"hello\n"};
  auto stream = Compress(Compression::kSnappy, pieces, "");
  ASSERT_TRUE(stream.ok());
  // 82 "SNAPPY" 00, version 1, compatible version 1, block length 8, raw block.
  EXPECT_EQ(*stream,
            std::string("\x82SNAPPY\x00\0\0\0\x01\0\0\0\x01\0\0\0\x08\x06\x14hello\n", 28));
  auto hadoop = Compress(Compression::kHadoopSnappy, pieces, "");
  ASSERT_TRUE(hadoop.ok());
  EXPECT_EQ(*hadoop, std::string("\0\0\0\x06\0\0\0\x08\x06\x14hello\n", 16));
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
