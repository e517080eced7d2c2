// Internal to the transport: the HTTP/1.1 framing rules the session checks beyond
// Beast's parser (issue #11): bounds on a chunked body's framing and trailers, and the
// transfer codings that are implemented.
#pragma once

#include <cstddef>
#include <string_view>

#include "http/types.h"

namespace sluice::http {

// A chunked body's framing is bounded while it is read: a chunk-size line (with its
// extensions) or the final chunk's trailer section longer than this is refused (400
// or 431), and so is a trailer section of more fields than kMaxTrailerFields. S3 refuses
// a header section over 8 KiB; this allows twice that, and always stays far below the
// 64 KiB that one field may hold in Beast.
constexpr size_t kMaxChunkFramingBytes = 16 << 10;
constexpr size_t kMaxTrailerFields = 64;

// True when `framing` (what was buffered when the framing limit was hit) is the last
// chunk's line: optional CRLF, then zeros, then the end of the size.
bool IsLastChunk(std::string_view framing);

// False when the request names a transfer coding other than one plain `chunked`
// (gzip, deflate, compress, identity, chunked twice): RFC 9112 §6.1 answers those 501.
bool OnlyChunked(const Headers& headers);

}  // namespace sluice::http
