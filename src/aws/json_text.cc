#include "aws/json_text.h"

#include <cstdint>
#include <cstring>

namespace sluice::aws {

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the pending unescaped run: copied in one append
  for (size_t i = 0; i < s.size(); ++i) {
    // Skip eight clean bytes at a time (no control byte, quote or backslash): most
    // record text has nothing to escape.
    while (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
      const uint64_t control = (w - kOnes * 0x20) & ~w & kHigh;
      const uint64_t q = w ^ (kOnes * '"'), b = w ^ (kOnes * '\\');
      const uint64_t special = control | ((q - kOnes) & ~q & kHigh) | ((b - kOnes) & ~b & kHigh);
      if (special != 0) break;
      i += 8;
    }
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

}  // namespace sluice::aws
