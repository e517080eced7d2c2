// ASCII case folding for protocol tokens (header names, algorithm names). Bytes
// outside A-Z pass through unchanged, so UTF-8 stays intact.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace sluice
