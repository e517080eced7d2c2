#include "internal/http1_framing.h"

#include <boost/beast/core/string.hpp>

namespace sluice::http {

bool IsLastChunk(std::string_view framing) {
  if (framing.starts_with("\r\n")) framing.remove_prefix(2);
  size_t zeros = 0;
  while (zeros < framing.size() && framing[zeros] == '0') ++zeros;
  if (zeros == 0 || zeros == framing.size()) return false;
  const char next = framing[zeros];
  return next == ';' || next == '\r' || next == ' ' || next == '\t';
}

bool OnlyChunked(const Headers& headers) {
  bool seen = false;
  for (const auto& [name, value] : headers) {
    if (name != "transfer-encoding") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string_view token = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
      if (token.empty()) continue;
      if (seen || !boost::beast::iequals(token, "chunked")) return false;
      seen = true;
    }
  }
  return true;
}

}  // namespace sluice::http
