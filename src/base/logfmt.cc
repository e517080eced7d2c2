#include "base/logfmt.h"

namespace sluice {
namespace {

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

}  // namespace

std::string LogfmtValue(std::string_view v) {
  if (!NeedsQuotes(v)) return std::string(v);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(v.size() + 2);
  out += '"';
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

void AppendLogfmt(std::string& line, std::string_view key, std::string_view value) {
  if (!line.empty()) line += ' ';
  line.append(key);
  line += '=';
  line += LogfmtValue(value);
}

}  // namespace sluice
