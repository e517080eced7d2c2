// Snappy as AWS writes it: snappy-java's stream format (SnappyOutputStream) for Snappy and
// snappy-java's Hadoop-compatible stream (SnappyHadoopCompatibleOutputStream) for
// HADOOP_SNAPPY, both over raw snappy blocks of 32 KiB of input.
#include <snappy.h>

#include "delivery/compression_framing.h"

namespace sluice::delivery {
namespace {

// SnappyCodec's header: magic, version 1, minimum compatible version 1.
constexpr char kSnappyJavaHeader[] = "\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01";
static_assert(sizeof kSnappyJavaHeader - 1 == 16, "8-byte magic + two 4-byte versions");

void PutBe32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// One block per `kSnappyJavaBlock` bytes of input: [uncompressed length if `hadoop`]
// compressed length, raw snappy block.
std::string Blocks(std::span<const std::string_view> pieces, bool hadoop, std::string out) {
  std::string scratch;
  std::string block;
  ForEachChunk(pieces, kSnappyJavaBlock, scratch, [&](std::string_view chunk) {
    block.clear();
    snappy::Compress(chunk.data(), chunk.size(), &block);
    if (hadoop) PutBe32(out, static_cast<uint32_t>(chunk.size()));
    PutBe32(out, static_cast<uint32_t>(block.size()));
    out.append(block);
  });
  return out;
}

}  // namespace

Result<std::string> SnappyJavaFrame(std::span<const std::string_view> pieces) {
  return Blocks(pieces, false, std::string(kSnappyJavaHeader, sizeof kSnappyJavaHeader - 1));
}

Result<std::string> HadoopSnappyFrame(std::span<const std::string_view> pieces) {
  return Blocks(pieces, true, std::string());
}

}  // namespace sluice::delivery
