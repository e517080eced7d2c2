#include "delivery/compression.h"

#include <array>

#include "delivery/compression_framing.h"

namespace sluice::delivery {
namespace {

struct Format {
  Compression compression;
  std::string_view name;
  std::string_view extension;
  std::string_view content_encoding;
};

constexpr std::array<Format, 5> kFormats = {{
    {Compression::kUncompressed, "UNCOMPRESSED", "", ""},
    {Compression::kGzip, "GZIP", ".gz", "gzip"},
    {Compression::kZip, "ZIP", ".zip", "zip"},
    {Compression::kSnappy, "Snappy", ".snappy", "snappy-java"},
    // ".snappy", not the ".hsnappy" AWS documents: what the service writes.
    {Compression::kHadoopSnappy, "HADOOP_SNAPPY", ".snappy", "hadoop-snappy"},
}};

const Format& FormatOf(Compression compression) {
  for (const Format& f : kFormats) {
    if (f.compression == compression) return f;
  }
  return kFormats[0];
}

}  // namespace

std::optional<Compression> CompressionFromName(std::string_view aws_name) {
  for (const Format& f : kFormats) {
    if (f.name == aws_name) return f.compression;
  }
  return std::nullopt;
}

std::string_view CompressionName(Compression compression) { return FormatOf(compression).name; }

std::string_view FileExtension(Compression compression) { return FormatOf(compression).extension; }

std::string_view ContentEncoding(Compression compression) {
  return FormatOf(compression).content_encoding;
}

Result<std::string> Compress(Compression compression, std::span<const std::string_view> pieces,
                             std::string_view zip_entry_name) {
  switch (compression) {
    case Compression::kUncompressed: {
      size_t total = 0;
      for (std::string_view p : pieces) total += p.size();
      std::string out;
      out.reserve(total);
      for (std::string_view p : pieces) out.append(p);
      return out;
    }
    case Compression::kGzip:
      return GzipFrame(pieces);
    case Compression::kZip:
      return ZipFrame(pieces, zip_entry_name);
    case Compression::kSnappy:
      return SnappyJavaFrame(pieces);
    case Compression::kHadoopSnappy:
      return HadoopSnappyFrame(pieces);
  }
  return Status::Internal("unknown compression format");
}

}  // namespace sluice::delivery
