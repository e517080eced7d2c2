#include "awsproto/codec.h"

#include <cmath>
#include <cstring>
#include <deque>
#include <limits>

#include <simdjson.h>

#include "base/base64.h"

namespace sluice::awsproto {
namespace {

constexpr int kMaxDepth = 64;  // deeper bodies are malformed for every AWS action

// ---------------------------------------------------------------- JSON (simdjson DOM)

class JsonBody final : public ParsedBody {
 public:
  Status Parse(std::string body) {
    body_ = std::move(body);
    body_.reserve(body_.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element root;
    if (parser_.parse(body_.data(), body_.size(), false).get(root) != simdjson::SUCCESS) {
      return Status::InvalidArgument("malformed JSON");
    }
    return Convert(root, root_, 0);
  }

 private:
  Status Convert(simdjson::dom::element e, Value& out, int depth) {
    if (depth > kMaxDepth) return Status::InvalidArgument("JSON nested too deeply");
    using T = simdjson::dom::element_type;
    switch (e.type()) {
      case T::NULL_VALUE: out.kind = Value::Kind::kNull; break;
      case T::BOOL: out.kind = Value::Kind::kBool; out.b = bool(e); break;
      case T::INT64: out.kind = Value::Kind::kInt; out.i = int64_t(e); break;
      case T::UINT64:
        out.kind = Value::Kind::kDouble;
        out.d = static_cast<double>(uint64_t(e));
        break;
      case T::DOUBLE: out.kind = Value::Kind::kDouble; out.d = double(e); break;
      case T::STRING: out.kind = Value::Kind::kString; out.s = std::string_view(e); break;
      case T::ARRAY:
        out.kind = Value::Kind::kArray;
        for (simdjson::dom::element item : simdjson::dom::array(e)) {
          out.items.emplace_back();
          RETURN_IF_ERROR(Convert(item, out.items.back(), depth + 1));
        }
        break;
      case T::OBJECT:
        out.kind = Value::Kind::kMap;
        for (auto field : simdjson::dom::object(e)) {
          out.members.emplace_back(field.key, Value{});
          RETURN_IF_ERROR(Convert(field.value, out.members.back().second, depth + 1));
        }
        break;
    }
    return Status::OK();
  }

  std::string body_;
  simdjson::dom::parser parser_;
};

// ---------------------------------------------------------------- CBOR (RFC 8949)

class CborBody final : public ParsedBody {
 public:
  Status Parse(std::string body) {
    body_ = std::move(body);
    size_t pos = 0;
    RETURN_IF_ERROR(Item(pos, root_, 0));
    if (pos != body_.size()) return Bad("trailing bytes");
    return Status::OK();
  }

 private:
  static Status Bad(const char* why) { return Status::InvalidArgument(std::string("malformed CBOR: ") + why); }

  Status Head(size_t& pos, uint8_t& major, uint8_t& info, uint64_t& arg) {
    if (pos >= body_.size()) return Bad("truncated");
    const auto b = static_cast<uint8_t>(body_[pos++]);
    major = b >> 5;
    info = b & 0x1F;
    if (info < 24) {
      arg = info;
      return Status::OK();
    }
    if (info == 31) {
      arg = 0;  // indefinite length or break
      return Status::OK();
    }
    if (info > 27) return Bad("reserved additional information");
    const size_t n = size_t{1} << (info - 24);
    if (body_.size() - pos < n) return Bad("truncated");
    arg = 0;
    for (size_t k = 0; k < n; ++k) arg = (arg << 8) | static_cast<uint8_t>(body_[pos + k]);
    pos += n;
    return Status::OK();
  }

  bool AtBreak(size_t pos) const {
    return pos < body_.size() && static_cast<uint8_t>(body_[pos]) == 0xFF;
  }

  Status String(size_t& pos, uint8_t major, uint8_t info, uint64_t len, Value& out) {
    out.kind = major == 2 ? Value::Kind::kBytes : Value::Kind::kString;
    if (info != 31) {
      if (body_.size() - pos < len) return Bad("truncated string");
      out.s = std::string_view(body_).substr(pos, len);
      pos += len;
      return Status::OK();
    }
    std::string& joined = arena_.emplace_back();  // indefinite: chunks of the same type
    while (!AtBreak(pos)) {
      uint8_t m = 0, i = 0;
      uint64_t l = 0;
      RETURN_IF_ERROR(Head(pos, m, i, l));
      if (m != major || i == 31) return Bad("bad string chunk");
      if (body_.size() - pos < l) return Bad("truncated string");
      joined.append(body_, pos, l);
      pos += l;
    }
    ++pos;  // break
    out.s = joined;
    return Status::OK();
  }

  Status Item(size_t& pos, Value& out, int depth) {
    if (depth > kMaxDepth) return Bad("nested too deeply");
    uint8_t major = 0, info = 0;
    uint64_t arg = 0;
    RETURN_IF_ERROR(Head(pos, major, info, arg));
    switch (major) {
      case 0:
        if (arg > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          out.kind = Value::Kind::kDouble;
          out.d = static_cast<double>(arg);
        } else {
          out.kind = Value::Kind::kInt;
          out.i = static_cast<int64_t>(arg);
        }
        return Status::OK();
      case 1:
        if (arg > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          out.kind = Value::Kind::kDouble;
          out.d = -1.0 - static_cast<double>(arg);
        } else {
          out.kind = Value::Kind::kInt;
          out.i = -1 - static_cast<int64_t>(arg);
        }
        return Status::OK();
      case 2:
      case 3:
        return String(pos, major, info, arg, out);
      case 4:
        out.kind = Value::Kind::kArray;
        if (info == 31) {
          while (!AtBreak(pos)) {
            out.items.emplace_back();
            RETURN_IF_ERROR(Item(pos, out.items.back(), depth + 1));
          }
          ++pos;
        } else {
          if (arg > body_.size() - pos) return Bad("array longer than the body");
          for (uint64_t k = 0; k < arg; ++k) {
            out.items.emplace_back();
            RETURN_IF_ERROR(Item(pos, out.items.back(), depth + 1));
          }
        }
        return Status::OK();
      case 5: {
        out.kind = Value::Kind::kMap;
        auto member = [&]() -> Status {
          Value key;
          RETURN_IF_ERROR(Item(pos, key, depth + 1));
          if (key.kind != Value::Kind::kString) return Bad("map key is not text");
          out.members.emplace_back(key.s, Value{});
          return Item(pos, out.members.back().second, depth + 1);
        };
        if (info == 31) {
          while (!AtBreak(pos)) RETURN_IF_ERROR(member());
          ++pos;
        } else {
          if (arg > body_.size() - pos) return Bad("map longer than the body");
          for (uint64_t k = 0; k < arg; ++k) RETURN_IF_ERROR(member());
        }
        return Status::OK();
      }
      case 6: {
        RETURN_IF_ERROR(Item(pos, out, depth + 1));
        if (arg == 1) {
          // Epoch time. The AWS SDKs send integer milliseconds (not RFC 8949's seconds);
          // a float is taken as RFC seconds.
          if (out.kind == Value::Kind::kInt) {
            out.kind = Value::Kind::kTimestampMs;
          } else if (out.kind == Value::Kind::kDouble) {
            out.kind = Value::Kind::kTimestampMs;
            out.i = static_cast<int64_t>(std::llround(out.d * 1000.0));
          }
        }
        return Status::OK();
      }
      default:  // 7: simple values and floats
        switch (info) {
          case 20: out.kind = Value::Kind::kBool; out.b = false; return Status::OK();
          case 21: out.kind = Value::Kind::kBool; out.b = true; return Status::OK();
          case 22:
          case 23: out.kind = Value::Kind::kNull; return Status::OK();
          case 25: {  // half precision
            const auto h = static_cast<uint16_t>(arg);
            const int exp = (h >> 10) & 0x1F;
            const int mant = h & 0x3FF;
            double v = exp == 0 ? std::ldexp(mant, -24)
                       : exp != 31 ? std::ldexp(mant + 1024, exp - 25)
                                   : (mant == 0 ? INFINITY : NAN);
            out.kind = Value::Kind::kDouble;
            out.d = (h & 0x8000) ? -v : v;
            return Status::OK();
          }
          case 26: {
            const auto bits = static_cast<uint32_t>(arg);
            float f;
            std::memcpy(&f, &bits, 4);
            out.kind = Value::Kind::kDouble;
            out.d = f;
            return Status::OK();
          }
          case 27: {
            double f;
            std::memcpy(&f, &arg, 8);
            out.kind = Value::Kind::kDouble;
            out.d = f;
            return Status::OK();
          }
          default:
            return Bad("unsupported simple value");
        }
    }
  }

  std::string body_;
  std::deque<std::string> arena_;  // joined indefinite-length strings
};

}  // namespace

Result<std::unique_ptr<ParsedBody>> ParseJsonBody(std::string body) {
  auto p = std::make_unique<JsonBody>();
  RETURN_IF_ERROR(p->Parse(std::move(body)));
  return std::unique_ptr<ParsedBody>(std::move(p));
}

Result<std::unique_ptr<ParsedBody>> ParseCborBody(std::string body) {
  auto p = std::make_unique<CborBody>();
  RETURN_IF_ERROR(p->Parse(std::move(body)));
  return std::unique_ptr<ParsedBody>(std::move(p));
}

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

}  // namespace sluice::awsproto
