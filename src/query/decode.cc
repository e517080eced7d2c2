#include "internal/decode.h"

#include <archive.h>
#include <archive_entry.h>
#include <snappy.h>
#include <libdeflate.h>

#include <algorithm>
#include <memory>

#include "base/crc32c.h"

namespace sluice::query {
namespace {

constexpr std::string_view kSnappyStreamId("\xff\x06\x00\x00sNaPpY", 10);

bool EndsWith(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

Status Bad(std::string_view key, std::string_view what) {
  return Status::Corruption("HIVE_CURSOR_ERROR: " + std::string(what) + " in " + std::string(key));
}

uint32_t Le24(std::string_view s, size_t at) {
  return static_cast<uint8_t>(s[at]) | static_cast<uint8_t>(s[at + 1]) << 8 | static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 16;
}
uint32_t Le32(std::string_view s, size_t at) { return Le24(s, at) | static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3])) << 24; }
// The whole object is in memory already, so libdeflate inflates each member in one
// call (about twice zlib's speed; it checks the CRC32 and size trailer too). The
// output is sized from the last member's ISIZE trailer (exact for the usual single
// member) and doubled when a member does not fit, up to kMaxDecodedObjectBytes.
// Concatenated members are inflated one after another.
Result<std::string> Gunzip(std::string_view key, std::string_view in) {
  std::unique_ptr<libdeflate_decompressor, decltype(&libdeflate_free_decompressor)> d(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  if (d == nullptr) return Status::Internal("libdeflate_alloc_decompressor");
  // deflate expands at most 1032:1, so a trailer claiming more is not believed (it is
  // garbage, or another member's): it would cost a huge zero-filled buffer.
  constexpr uint64_t kMaxRatio = 1032;
  uint64_t guess = in.size() >= 18 ? Le32(in, in.size() - 4) : 0;
  if (guess > in.size() * kMaxRatio) guess = 0;
  guess = std::max<uint64_t>({guess, in.size() * 4, 1 << 16});
  // Room behind the text spares the parser a copy of the last line (simdjson's padding).
  constexpr size_t kRoom = 64;
  std::string out;
  const auto grow = [&](uint64_t n) {
    out.reserve(n + kRoom);
    out.resize(n);
  };
  grow(std::min<uint64_t>(guess, kMaxDecodedObjectBytes));
  size_t at_in = 0;
  size_t at_out = 0;
  while (at_in < in.size()) {
    size_t used_in = 0;
    size_t made = 0;
    const libdeflate_result rc =
        libdeflate_gzip_decompress_ex(d.get(), in.data() + at_in, in.size() - at_in, out.data() + at_out,
                                      out.size() - at_out, &used_in, &made);
    if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) {
      if (out.size() >= kMaxDecodedObjectBytes) return Bad(key, "object decodes to more than 1 GiB");
      grow(std::min<uint64_t>(out.size() * 2, kMaxDecodedObjectBytes));
      continue;  // this member again, with room
    }
    if (rc != LIBDEFLATE_SUCCESS || used_in == 0) return Bad(key, "truncated or corrupt GZIP data");
    at_in += used_in;
    at_out += made;
  }
  if (at_out == 0 && in.empty()) return Bad(key, "truncated or corrupt GZIP data");
  out.resize(at_out);
  return out;
}

// libarchive's message for the last failure; it may have none.
std::string ArchiveError(archive* a) {
  const char* m = archive_error_string(a);
  return m != nullptr ? m : "unknown error";
}

Result<std::string> Unzip(std::string_view key, std::string_view in) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(a.get());
  archive_read_support_filter_none(a.get());
  if (archive_read_open_memory(a.get(), in.data(), in.size()) != ARCHIVE_OK) return Bad(key, "unreadable ZIP archive");
  std::string out;
  archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) return Bad(key, "corrupt ZIP archive: " + ArchiveError(a.get()));
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    char buf[1 << 16];
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
      if (n < 0) return Bad(key, "corrupt ZIP entry: " + ArchiveError(a.get()));
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
      if (out.size() > kMaxDecodedObjectBytes) return Bad(key, "object decodes to more than 1 GiB");
    }
    if (!out.empty() && out.back() != '\n') out += '\n';  // entries are separate files
  }
  return out;
}

uint32_t Be32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24 | static_cast<uint8_t>(s[at + 1]) << 16 |
         static_cast<uint8_t>(s[at + 2]) << 8 | static_cast<uint8_t>(s[at + 3]);
}

uint32_t MaskedCrc(std::string_view data) {
  const uint32_t crc = crc32c::Value(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

// https://github.com/google/snappy/blob/main/framing_format.txt
Result<std::string> UnsnappyFramed(std::string_view key, std::string_view in) {
  std::string out;
  size_t at = 0;
  while (at < in.size()) {
    if (in.size() - at < 4) return Bad(key, "truncated Snappy frame");
    const uint8_t type = static_cast<uint8_t>(in[at]);
    const uint32_t len = Le24(in, at + 1);
    at += 4;
    if (in.size() - at < len) return Bad(key, "truncated Snappy frame");
    const std::string_view body = in.substr(at, len);
    at += len;
    if (type == 0xff || type == 0xfe || (type >= 0x80 && type <= 0xfd)) continue;
    if (type > 0x01) return Bad(key, "reserved Snappy frame type");
    if (len < 4) return Bad(key, "short Snappy frame");
    const uint32_t want = Le32(body, 0);
    std::string chunk;
    if (type == 0x00) {
      if (!snappy::Uncompress(body.data() + 4, body.size() - 4, &chunk)) return Bad(key, "corrupt Snappy block");
    } else {
      chunk.assign(body.substr(4));
    }
    if (MaskedCrc(chunk) != want) return Bad(key, "Snappy frame checksum mismatch");
    out += chunk;
    if (out.size() > kMaxDecodedObjectBytes) return Bad(key, "object decodes to more than 1 GiB");
  }
  return out;
}

// Hadoop's BlockCompressorStream: [u32 BE raw length]([u32 BE compressed length][block])+.
Result<std::string> UnsnappyHadoop(std::string_view key, std::string_view in) {
  std::string out;
  size_t at = 0;
  while (at < in.size()) {
    if (in.size() - at < 4) return Bad(key, "truncated Hadoop Snappy block");
    const uint32_t raw = Be32(in, at);
    at += 4;
    uint64_t got = 0;
    while (got < raw) {
      if (in.size() - at < 4) return Bad(key, "truncated Hadoop Snappy block");
      const uint32_t clen = Be32(in, at);
      at += 4;
      if (in.size() - at < clen) return Bad(key, "truncated Hadoop Snappy block");
      std::string chunk;
      if (!snappy::Uncompress(in.data() + at, clen, &chunk)) return Bad(key, "corrupt Snappy block");
      at += clen;
      got += chunk.size();
      out += chunk;
      if (out.size() > kMaxDecodedObjectBytes) return Bad(key, "object decodes to more than 1 GiB");
    }
  }
  return out;
}

}  // namespace

Compression DetectCompression(std::string_view key, std::string_view data) {
  if (data.starts_with("\x1f\x8b")) return Compression::kGzip;
  if (data.starts_with("PK\x03\x04")) return Compression::kZip;
  if (data.starts_with(kSnappyStreamId)) return Compression::kSnappyFramed;
  if (EndsWith(key, ".gz")) return Compression::kGzip;
  if (EndsWith(key, ".zip")) return Compression::kZip;
  if (EndsWith(key, ".snappy")) return Compression::kHadoopSnappy;
  return Compression::kNone;
}

Result<std::string> Decode(std::string_view key, std::string data) {
  switch (DetectCompression(key, data)) {
    case Compression::kNone: return data;
    case Compression::kGzip: return Gunzip(key, data);
    case Compression::kZip: return Unzip(key, data);
    case Compression::kSnappyFramed: return UnsnappyFramed(key, data);
    case Compression::kHadoopSnappy: return UnsnappyHadoop(key, data);
  }
  return data;
}

}  // namespace sluice::query
