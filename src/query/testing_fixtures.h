// Test helpers for the query module: compressed fixtures written by the test itself.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <snappy.h>
#include <zlib.h>

#include <string>
#include <string_view>

#include "base/crc32c.h"

namespace sluice::query::testing {

inline std::string Gzip(std::string_view in) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline std::string Zip(std::string_view name, std::string_view in) {
  std::string out(in.size() + 4096, '\0');
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open_memory(a, out.data(), out.size(), &used);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, std::string(name).c_str());
  archive_entry_set_size(e, static_cast<la_int64_t>(in.size()));
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_write_header(a, e);
  archive_write_data(a, in.data(), in.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  out.resize(used);
  return out;
}

inline void Le(std::string& out, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// The Snappy framing format: stream identifier, then one compressed chunk.
inline std::string SnappyFramed(std::string_view in) {
  std::string out("\xff\x06\x00\x00sNaPpY", 10);
  std::string block;
  snappy::Compress(in.data(), in.size(), &block);
  const uint32_t crc = crc32c::Value(in);
  const uint32_t masked = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
  out += '\x00';
  Le(out, static_cast<uint32_t>(block.size() + 4), 3);
  Le(out, masked, 4);
  return out + block;
}

}  // namespace sluice::query::testing
