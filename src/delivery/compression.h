// The compression formats of a Firehose S3 destination (CompressionFormat) and the
// object bodies they produce. Pure functions, thread-safe, no state.
//
// Formats (byte layouts in docs/formats/firehose-objects.md, "Object keys and
// compression"):
//   UNCOMPRESSED   the pieces concatenated, as they are.
//   GZIP           one gzip member (RFC 1952), deflate level 6 (zlib's default).
//   ZIP            a zip archive (PKWARE APPNOTE) holding one deflated entry named
//                  `zip_entry_name`, whose content is the concatenated pieces.
//   Snappy         snappy-java's stream format (what its SnappyOutputStream writes): the
//                  16-byte header 82 "SNAPPY" 00, version 1, compatible version 1, then
//                  per 32 KiB of input a 4-byte big-endian compressed length and one raw
//                  snappy block. Not Snappy's framing format: AWS's objects are
//                  snappy-java streams (Content-Encoding snappy-java).
//   HADOOP_SNAPPY  Hadoop's block framing as snappy-java's SnappyHadoopCompatibleOutputStream
//                  writes it: per 32 KiB of input a 4-byte big-endian uncompressed length,
//                  a 4-byte big-endian compressed length and one raw snappy block.
//                  Readable by Hadoop's SnappyCodec (Hive, Spark, Athena).
// Both are byte-for-byte what Debian's snappy-java writes for the same input
// (compression_test.cc checks it against vectors made with it).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::delivery {

enum class Compression { kUncompressed, kGzip, kZip, kSnappy, kHadoopSnappy };

// The format named as the Firehose API names it (case-sensitive, as AWS is):
// "UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"; nullopt for anything else.
std::optional<Compression> CompressionFromName(std::string_view aws_name);
// The inverse of CompressionFromName.
std::string_view CompressionName(Compression compression);
// What Firehose appends to an object key for the format: "" for UNCOMPRESSED, ".gz",
// ".zip", ".snappy", and ".snappy" for HADOOP_SNAPPY too (AWS's documentation tables
// ".hsnappy", but the service writes ".snappy").
std::string_view FileExtension(Compression compression);

// The Content-Encoding AWS stores with an object of the format: "" (none) for
// UNCOMPRESSED, "gzip", "zip", "snappy-java", "hadoop-snappy".
std::string_view ContentEncoding(Compression compression);

// The object body: the concatenation of `pieces`, compressed. `zip_entry_name` names the
// single entry of a ZIP archive (ignored by the other formats; the delivery engine passes
// the object's name without its extension). Errors only when a library fails
// (kInternal) or the input exceeds what the format can hold (kInvalidArgument, e.g.
// more than 4 GiB for ZIP without zip64).
Result<std::string> Compress(Compression compression, std::span<const std::string_view> pieces,
                             std::string_view zip_entry_name);

}  // namespace sluice::delivery
