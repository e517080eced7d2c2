// BodyWriter: responses encoded straight into a string, in JSON or CBOR.
#include "awsproto/codec.h"

#include <cstdio>
#include <cstring>

#include "base/base64.h"

namespace sluice::awsproto {

// ---------------------------------------------------------------- BodyWriter

void BodyWriter::CborHead(uint8_t major, uint64_t v) {
  const auto m = static_cast<uint8_t>(major << 5);
  if (v < 24) {
    out_.push_back(static_cast<char>(m | v));
    return;
  }
  int n;
  uint8_t info;
  if (v <= 0xFF) { n = 1; info = 24; }
  else if (v <= 0xFFFF) { n = 2; info = 25; }
  else if (v <= 0xFFFFFFFF) { n = 4; info = 26; }
  else { n = 8; info = 27; }
  out_.push_back(static_cast<char>(m | info));
  for (int k = n - 1; k >= 0; --k) out_.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
}

void BodyWriter::Separate() {
  if (enc_ != BodyEncoding::kJson) return;
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!need_comma_.empty()) {
    if (need_comma_.back() == '1') out_.push_back(',');
    need_comma_.back() = '1';
  }
}

BodyWriter& BodyWriter::BeginMap() {
  Separate();
  if (enc_ == BodyEncoding::kJson) {
    out_.push_back('{');
    need_comma_.push_back('0');
    close_.push_back('}');
  } else {
    out_.push_back(static_cast<char>(0xBF));
  }
  return *this;
}

BodyWriter& BodyWriter::BeginArray() {
  Separate();
  if (enc_ == BodyEncoding::kJson) {
    out_.push_back('[');
    need_comma_.push_back('0');
    close_.push_back(']');
  } else {
    out_.push_back(static_cast<char>(0x9F));
  }
  return *this;
}

BodyWriter& BodyWriter::End() {
  if (enc_ == BodyEncoding::kJson) {
    need_comma_.pop_back();
    out_.push_back(close_.back());
    close_.pop_back();
  } else {
    out_.push_back(static_cast<char>(0xFF));
  }
  return *this;
}

BodyWriter& BodyWriter::Key(std::string_view k) {
  // Member names are AWS's fixed ASCII names; map keys from requests (tags) may not be.
  bool plain = true;
  for (const char ch : k) plain = plain && static_cast<unsigned char>(ch) >= 0x20 && ch != '"' && ch != '\\';
  if (plain) {
    PlainString(k);
  } else {
    String(k);
  }
  if (enc_ == BodyEncoding::kJson) {
    out_.push_back(':');
    after_key_ = true;
  }
  return *this;
}

BodyWriter& BodyWriter::String(std::string_view s) {
  if (enc_ == BodyEncoding::kCbor) {
    CborHead(3, s.size());
    out_.append(s);
    return *this;
  }
  Separate();
  out_.push_back('"');
  // Copy runs that need no escaping in one go; most strings are one run.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default: {
        static const char kHex[] = "0123456789abcdef";
        out_ += "\\u00";
        out_.push_back(kHex[c >> 4]);
        out_.push_back(kHex[c & 15]);
      }
    }
  }
  out_.append(s.data() + run, s.size() - run);
  out_.push_back('"');
  return *this;
}

BodyWriter& BodyWriter::PlainString(std::string_view s) {
  if (enc_ == BodyEncoding::kCbor) return String(s);
  Separate();
  const size_t o = out_.size();
  out_.resize(o + s.size() + 2);
  char* p = out_.data() + o;
  *p++ = '"';
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '"';
  return *this;
}

BodyWriter& BodyWriter::Bytes(std::string_view b) {
  if (enc_ == BodyEncoding::kCbor) {
    CborHead(2, b.size());
    out_.append(b);
    return *this;
  }
  Separate();
  out_.push_back('"');
  Base64EncodeAppend(b, out_);
  out_.push_back('"');
  return *this;
}

BodyWriter& BodyWriter::Int(int64_t v) {
  if (enc_ == BodyEncoding::kCbor) {
    if (v >= 0) {
      CborHead(0, static_cast<uint64_t>(v));
    } else {
      CborHead(1, static_cast<uint64_t>(-(v + 1)));
    }
    return *this;
  }
  Separate();
  out_ += std::to_string(v);
  return *this;
}

BodyWriter& BodyWriter::Bool(bool v) {
  if (enc_ == BodyEncoding::kCbor) {
    out_.push_back(static_cast<char>(v ? 0xF5 : 0xF4));
    return *this;
  }
  Separate();
  out_ += v ? "true" : "false";
  return *this;
}

BodyWriter& BodyWriter::TimestampMs(int64_t ms) {
  if (enc_ == BodyEncoding::kCbor) {
    out_.push_back(static_cast<char>(0xC1));
    return Int(ms);
  }
  Separate();
  // Sign apart, so a time before 1970 reads "-0.100" and not "0.-100" (found by fuzzing).
  if (ms < 0) out_.push_back('-');
  const uint64_t abs = ms < 0 ? uint64_t{0} - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  const uint64_t secs = abs / 1000;
  const uint64_t frac = abs % 1000;
  out_ += std::to_string(secs);
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(frac));
    out_ += buf;
  }
  return *this;
}

std::string TagPage(BodyEncoding enc, const std::vector<std::pair<std::string, std::string>>& tags,
                    std::string_view after, int64_t limit) {
  BodyWriter w(enc);
  w.BeginMap().Key("Tags").BeginArray();
  int64_t written = 0;
  bool more = false;
  for (const auto& [k, v] : tags) {
    if (!after.empty() && k <= after) continue;
    if (written == limit) {
      more = true;
      break;
    }
    w.BeginMap().Key("Key").String(k).Key("Value").String(v).End();
    ++written;
  }
  w.End().Key("HasMoreTags").Bool(more).End();
  return w.Take();
}

}  // namespace sluice::awsproto
