#include "api/aws_chunked.h"

#include <algorithm>

namespace sluice::api {

bool IsAwsChunked(std::string_view content_sha256, std::string_view content_encoding) {
  return content_sha256.starts_with("STREAMING-") ||
         content_encoding.find("aws-chunked") != std::string_view::npos;
}

Result<DecodedChunks> DecodeAwsChunked(std::string_view body) {
  DecodedChunks out;
  size_t i = 0;
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("malformed aws-chunked body at byte " + std::to_string(i) + ": " +
                                   std::string(why));
  };
  while (true) {
    const size_t eol = body.find("\r\n", i);
    if (eol == std::string_view::npos) return bad("chunk header without CRLF");
    std::string_view header = body.substr(i, eol - i);
    if (const size_t semi = header.find(';'); semi != std::string_view::npos) header = header.substr(0, semi);
    if (header.empty() || header.size() > 16) return bad("chunk size is not hex");
    uint64_t size = 0;
    for (const char c : header) {
      int v;
      if (c >= '0' && c <= '9') v = c - '0';
      else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
      else return bad("chunk size is not hex");
      size = size * 16 + static_cast<uint64_t>(v);
    }
    i = eol + 2;
    if (size == 0) break;
    if (body.size() - i < size + 2) return bad("chunk shorter than its size");
    out.data.append(body.substr(i, size));
    i += size;
    if (body.substr(i, 2) != "\r\n") return bad("chunk data not followed by CRLF");
    i += 2;
  }
  // Trailers, then an empty line; a body that simply ends after the last chunk is
  // accepted too (some clients omit the final CRLF when there are no trailers).
  while (i < body.size()) {
    const size_t eol = body.find("\r\n", i);
    const std::string_view line = body.substr(i, eol == std::string_view::npos ? std::string_view::npos : eol - i);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad("trailer without ':'");
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out.trailers.emplace_back(std::move(name), std::string(value));
    if (eol == std::string_view::npos) break;
    i = eol + 2;
  }
  return out;
}

}  // namespace sluice::api
