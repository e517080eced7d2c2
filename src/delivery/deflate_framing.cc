// GZIP and ZIP: deflate (zlib) with a gzip wrapper, or raw deflate inside a one-entry
// zip archive written by hand (local header, data, central directory, end record).
#include <zlib.h>

#include <cstdint>
#include <limits>

#include "delivery/compression_framing.h"

namespace sluice::delivery {
namespace {

// Deflates the concatenated pieces. window_bits 31 = gzip wrapper, -15 = raw deflate.
Result<std::string> Deflate(std::span<const std::string_view> pieces, int window_bits) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::Internal("deflateInit2 failed");
  }
  std::string out;
  size_t total = 0;
  for (std::string_view p : pieces) total += p.size();
  out.resize(deflateBound(&z, total > std::numeric_limits<uLong>::max() ? 0 : total) + 64);
  size_t produced = 0;
  auto run = [&](std::string_view in, int flush) -> bool {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    for (;;) {
      if (produced == out.size()) out.resize(out.size() * 2 + 4096);
      size_t room = std::min<size_t>(out.size() - produced, std::numeric_limits<uInt>::max());
      z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
      z.avail_out = static_cast<uInt>(room);
      int rc = deflate(&z, flush);
      produced += room - z.avail_out;
      if (rc == Z_STREAM_END) return true;
      if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
      if (flush == Z_NO_FLUSH && z.avail_in == 0) return true;
    }
  };
  bool ok = true;
  for (std::string_view p : pieces) {
    // avail_in is 32-bit: feed very large pieces in slices.
    while (ok && !p.empty()) {
      std::string_view slice = p.substr(0, std::numeric_limits<uInt>::max());
      ok = run(slice, Z_NO_FLUSH);
      p.remove_prefix(slice.size());
    }
  }
  if (ok) ok = run({}, Z_FINISH);
  deflateEnd(&z);
  if (!ok) return Status::Internal("deflate failed");
  out.resize(produced);
  return out;
}

void Put16(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, v & 0xffff);
  Put16(out, v >> 16);
}

// Zip fields shared by the local header and the central directory entry.
constexpr uint32_t kZipVersionNeeded = 20;              // 2.0: deflate
constexpr uint32_t kZipVersionMadeBy = (3u << 8) | 20;  // Unix, 2.0
constexpr uint32_t kZipFlagUtf8Name = 1u << 11;
constexpr uint32_t kZipMethodDeflate = 8;
constexpr uint32_t kZipDosTime = 0;                           // 00:00:00
constexpr uint32_t kZipDosDate = (0u << 9) | (1u << 5) | 1u;  // 1980-01-01 (fixed: replays
                                                              // write identical bytes)
constexpr uint32_t kZipExternalAttrs = 0100644u << 16;        // a regular file, rw-r--r--

void PutCommonFields(std::string& out, uint32_t crc, uint32_t csize, uint32_t usize,
                     size_t name_size) {
  Put16(out, kZipVersionNeeded);
  Put16(out, kZipFlagUtf8Name);
  Put16(out, kZipMethodDeflate);
  Put16(out, kZipDosTime);
  Put16(out, kZipDosDate);
  Put32(out, crc);
  Put32(out, csize);
  Put32(out, usize);
  Put16(out, static_cast<uint32_t>(name_size));
  Put16(out, 0);  // extra field length
}

}  // namespace

Result<std::string> GzipFrame(std::span<const std::string_view> pieces) {
  return Deflate(pieces, 15 + 16);
}

Result<std::string> ZipFrame(std::span<const std::string_view> pieces,
                             std::string_view entry_name) {
  constexpr uint64_t kMax32 = 0xfffffffe;  // beyond this zip needs zip64 records
  if (entry_name.empty() || entry_name.size() > 0xffff) {
    return Status::InvalidArgument("zip entry name must be 1-65535 bytes");
  }
  uint64_t usize = 0;
  uLong crc = crc32(0, nullptr, 0);
  for (std::string_view p : pieces) {
    usize += p.size();
    while (!p.empty()) {
      std::string_view slice = p.substr(0, std::numeric_limits<uInt>::max());
      crc =
          crc32(crc, reinterpret_cast<const Bytef*>(slice.data()), static_cast<uInt>(slice.size()));
      p.remove_prefix(slice.size());
    }
  }
  if (usize > kMax32) return Status::InvalidArgument("ZIP objects are limited to 4 GiB");
  ASSIGN_OR_RETURN(std::string data, Deflate(pieces, -15));
  if (data.size() > kMax32) return Status::InvalidArgument("ZIP objects are limited to 4 GiB");

  const uint32_t crc32v = static_cast<uint32_t>(crc);
  const uint32_t csize = static_cast<uint32_t>(data.size());
  std::string out;
  out.reserve(data.size() + 2 * entry_name.size() + 128);
  Put32(out, 0x04034b50);  // local file header
  PutCommonFields(out, crc32v, csize, static_cast<uint32_t>(usize), entry_name.size());
  out.append(entry_name);
  out.append(data);
  const uint64_t central_offset = out.size();
  if (central_offset > kMax32) return Status::InvalidArgument("ZIP objects are limited to 4 GiB");
  Put32(out, 0x02014b50);  // central directory file header
  Put16(out, kZipVersionMadeBy);
  PutCommonFields(out, crc32v, csize, static_cast<uint32_t>(usize), entry_name.size());
  Put16(out, 0);  // comment length
  Put16(out, 0);  // disk number start
  Put16(out, 0);  // internal attributes
  Put32(out, kZipExternalAttrs);
  Put32(out, 0);  // offset of the local header
  out.append(entry_name);
  const uint64_t central_size = out.size() - central_offset;
  Put32(out, 0x06054b50);  // end of central directory
  Put16(out, 0);           // this disk
  Put16(out, 0);           // disk with the central directory
  Put16(out, 1);           // entries on this disk
  Put16(out, 1);           // entries in total
  Put32(out, static_cast<uint32_t>(central_size));
  Put32(out, static_cast<uint32_t>(central_offset));
  Put16(out, 0);  // comment length
  return out;
}

}  // namespace sluice::delivery
