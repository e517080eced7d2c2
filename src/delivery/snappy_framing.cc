// Snappy's framing format and Hadoop's block framing, over raw snappy blocks.
#include <snappy.h>

#include "base/crc32c.h"
#include "delivery/compression_framing.h"

namespace sluice::delivery {
namespace {

constexpr char kChunkCompressed = 0x00;
constexpr char kChunkUncompressed = 0x01;
constexpr char kStreamIdentifier[] = "\xff\x06\x00\x00sNaPpY";  // type 0xff, length 6

void PutLe24(std::string& out, uint32_t v) {
  for (int i = 0; i < 3; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutLe32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutBe32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

uint32_t MaskedCrc32c(std::string_view data) {
  uint32_t crc = crc32c::Value(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

Result<std::string> SnappyFrame(std::span<const std::string_view> pieces) {
  std::string out(kStreamIdentifier, sizeof kStreamIdentifier - 1);
  std::string scratch;
  std::string block;
  ForEachChunk(pieces, kSnappyFrameChunk, scratch, [&](std::string_view chunk) {
    block.clear();
    snappy::Compress(chunk.data(), chunk.size(), &block);
    // A chunk that does not shrink is stored uncompressed, as the reference encoder does.
    const bool compressed = block.size() < chunk.size();
    std::string_view body = compressed ? std::string_view(block) : chunk;
    out.push_back(compressed ? kChunkCompressed : kChunkUncompressed);
    PutLe24(out, static_cast<uint32_t>(body.size() + 4));
    PutLe32(out, MaskedCrc32c(chunk));
    out.append(body);
  });
  return out;
}

Result<std::string> HadoopSnappyFrame(std::span<const std::string_view> pieces) {
  std::string out;
  std::string scratch;
  std::string block;
  ForEachChunk(pieces, kHadoopSnappyBlock, scratch, [&](std::string_view chunk) {
    block.clear();
    snappy::Compress(chunk.data(), chunk.size(), &block);
    PutBe32(out, static_cast<uint32_t>(chunk.size()));
    PutBe32(out, static_cast<uint32_t>(block.size()));
    out.append(block);
  });
  return out;
}

}  // namespace sluice::delivery
