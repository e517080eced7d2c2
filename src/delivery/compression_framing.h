// Internal to the delivery module: the framings behind Compress (compression.h), one
// function per format, each over the concatenation of `pieces`. Layouts in
// docs/formats/firehose-objects.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::delivery {

// snappy-java's SnappyOutputStream and SnappyHadoopCompatibleOutputStream (which AWS's
// objects are byte-for-byte): one raw snappy block per 32 KiB of input.
inline constexpr size_t kSnappyJavaBlock = 32 * 1024;

Result<std::string> GzipFrame(std::span<const std::string_view> pieces);
Result<std::string> ZipFrame(std::span<const std::string_view> pieces, std::string_view entry_name);
Result<std::string> SnappyJavaFrame(std::span<const std::string_view> pieces);
Result<std::string> HadoopSnappyFrame(std::span<const std::string_view> pieces);

}  // namespace sluice::delivery

namespace sluice::delivery {

// Calls f(std::string_view chunk) for consecutive chunks of exactly `chunk_size` bytes of
// the concatenated pieces (the last one shorter; none for empty input). A chunk inside a
// single piece is passed as a view into it; one spanning pieces is gathered into `scratch`.
template <typename F>
void ForEachChunk(std::span<const std::string_view> pieces, size_t chunk_size, std::string& scratch,
                  F&& f) {
  scratch.clear();
  for (std::string_view piece : pieces) {
    while (!piece.empty()) {
      if (scratch.empty() && piece.size() >= chunk_size) {
        f(piece.substr(0, chunk_size));
        piece.remove_prefix(chunk_size);
        continue;
      }
      size_t take = std::min(chunk_size - scratch.size(), piece.size());
      scratch.append(piece.substr(0, take));
      piece.remove_prefix(take);
      if (scratch.size() == chunk_size) {
        f(std::string_view(scratch));
        scratch.clear();
      }
    }
  }
  if (!scratch.empty()) f(std::string_view(scratch));
}

}  // namespace sluice::delivery
