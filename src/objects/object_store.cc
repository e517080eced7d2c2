#include "objects/object_store.h"

#include "aws/crypto.h"

namespace sluice::objects {

std::string MultipartEtag(const std::vector<std::string>& part_md5_hex) {
  std::string binary;
  binary.reserve(part_md5_hex.size() * 16);
  for (std::string_view hex : part_md5_hex) {
    if (hex.size() == 34 && hex.front() == '"' && hex.back() == '"') hex = hex.substr(1, 32);
    if (hex.size() != 32) return {};
    for (size_t i = 0; i < 32; i += 2) {
      auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
      if (hi < 0 || lo < 0) return {};
      binary.push_back(static_cast<char>(hi * 16 + lo));
    }
  }
  return aws::HexEncode(aws::Md5(binary)) + "-" + std::to_string(part_md5_hex.size());
}

std::optional<std::pair<uint64_t, uint64_t>> ResolveRange(const RangeSpec& range, uint64_t size) {
  if (!range.first) {
    // Suffix: the last N bytes; N larger than the object means all of it.
    if (!range.last || *range.last == 0 || size == 0) return std::nullopt;
    const uint64_t n = std::min(*range.last, size);
    return std::make_pair(size - n, size - 1);
  }
  if (*range.first >= size) return std::nullopt;
  uint64_t last = range.last ? std::min(*range.last, size - 1) : size - 1;
  if (last < *range.first) return std::nullopt;
  return std::make_pair(*range.first, last);
}

}  // namespace sluice::objects
