#include "objects/key_path.h"

#include <cstdint>

#include "base/hash.h"
#include "base/hex.h"
#include "base/utf8.h"

namespace sluice::objects {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

// Only upper-case digits are ever written, so a lower-case one is not ours.
int HexValue(char c) { return (c >= 'a' && c <= 'f') ? -1 : HexDigitValue(c); }

bool NeedsEscape(unsigned char c, bool first) {
  return c == '%' || c < 0x20 || c == 0x7F || (first && c == '.');
}

}  // namespace

ObjStatus ValidateBucketName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return Err(S3Error::kInvalidBucketName,
               "The specified bucket is not valid: " + std::string(why));
  };
  if (name.size() < 3 || name.size() > 63) return bad("length must be 3 to 63 characters");
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return bad("only lowercase letters, digits, '.' and '-' are allowed");
    }
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return bad("must start and end with a letter or digit");
  if (name.find("..") != std::string_view::npos) return bad("must not contain \"..\"");
  int dots = 0;
  bool digits_and_dots = true;
  for (const char c : name) {
    if (c == '.') ++dots;
    else if (!(c >= '0' && c <= '9')) digits_and_dots = false;
  }
  if (digits_and_dots && dots == 3) return bad("must not be formatted as an IP address");
  return Done{};
}

ObjStatus ValidateKey(std::string_view key) {
  if (key.empty()) return Err(S3Error::kInvalidArgument, "The object key must not be empty");
  if (key.size() > kMaxKeyBytes) {
    return Err(S3Error::kKeyTooLongError, "Your key is too long");
  }
  if (!IsValidUtf8(key)) return Err(S3Error::kInvalidArgument, "The object key is not valid UTF-8");
  return Done{};
}

std::string EncodeSegment(std::string_view segment) {
  if (segment.empty()) return "%";
  std::string out;
  out.reserve(segment.size());
  for (size_t i = 0; i < segment.size(); ++i) {
    const auto c = static_cast<unsigned char>(segment[i]);
    if (NeedsEscape(c, i == 0)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool DecodeSegment(std::string_view name, std::string* segment) {
  segment->clear();
  if (name == "%") return true;
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '/') return false;
    if (c != '%') {
      // A byte EncodeSegment would have escaped (a control character, a leading '.')
      // is not one of its names: decoding it would list a key whose path is another.
      if (NeedsEscape(static_cast<unsigned char>(c), i == 0)) return false;
      segment->push_back(c);
      continue;
    }
    if (i + 2 >= name.size()) return false;
    const int hi = HexValue(name[i + 1]), lo = HexValue(name[i + 2]);
    if (hi < 0 || lo < 0) return false;
    const auto b = static_cast<unsigned char>(hi * 16 + lo);
    if (!NeedsEscape(b, i == 0)) return false;  // not canonical: EncodeSegment never writes it
    segment->push_back(static_cast<char>(b));
    i += 2;
  }
  return true;
}

bool NeedsLongName(std::string_view segment) {
  // Escapes only grow a segment, so one of at most a third of the limit never needs it.
  if (segment.size() * 3 <= kMaxSegmentBytes) return false;
  return EncodeSegment(segment).size() > kMaxSegmentBytes;
}

std::string SegmentFileName(std::string_view segment) {
  std::string encoded = EncodeSegment(segment);
  if (encoded.size() <= kMaxSegmentBytes) return encoded;
  // A readable start for people browsing the lake; the hash alone identifies it. Cut
  // neither inside an escape nor inside a UTF-8 sequence.
  size_t cut = kLongNamePrefixBytes;
  while (cut > 0 && (encoded[cut - 1] == '%' || (cut >= 2 && encoded[cut - 2] == '%') ||
                     (static_cast<unsigned char>(encoded[cut]) & 0xC0) == 0x80)) {
    --cut;
  }
  encoded.resize(cut);
  return encoded + std::string(kLongNameMark) + Sha256Hex(segment);
}

std::optional<std::string_view> LongNameHash(std::string_view name) {
  constexpr size_t kHex = 64;
  if (name.size() < kLongNameMark.size() + kHex) return std::nullopt;
  const std::string_view hash = name.substr(name.size() - kHex);
  if (name.substr(name.size() - kHex - kLongNameMark.size(), kLongNameMark.size()) != kLongNameMark) {
    return std::nullopt;
  }
  for (const char c : hash) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return hash;
}

std::vector<std::string> KeyToSegments(std::string_view key) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(SegmentFileName(key.substr(start)));
      return out;
    }
    out.push_back(SegmentFileName(key.substr(start, slash - start)));
    start = slash + 1;
  }
}

std::string KeyToRelativePath(std::string_view key) {
  std::string out;
  for (const std::string& seg : KeyToSegments(key)) {
    if (!out.empty()) out += '/';
    out += seg;
  }
  return out;
}

}  // namespace sluice::objects
