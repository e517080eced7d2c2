// ParseJsonBody: RFC 8259 JSON into the flat tree, by recursive descent bounded by
// ParseLimits::max_depth (so nesting can never exhaust the stack). Strings are UTF-8
// checked and unescaped in place: an escape is never shorter than what it stands for.
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "awsproto/codec.h"
#include "base/utf8.h"
#include "internal/tree_builder.h"

namespace sluice::awsproto {
namespace {

using internal::TreeBuilder;

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

constexpr bool HasZeroByte(uint64_t x) { return ((x - kOnes) & ~x & kHighs) != 0; }

// Whether any of 8 bytes ends a plain run in a string: '"', '\\', a control character
// or a non-ASCII byte.
constexpr bool HasSpecial(uint64_t x) {
  const bool high = (x & kHighs) != 0;
  const bool control = ((x - kOnes * 0x20) & ~x & kHighs) != 0;
  return high || control || HasZeroByte(x ^ (kOnes * '"')) || HasZeroByte(x ^ (kOnes * '\\'));
}

bool IsPlain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Bad(const char* why) { return Status::InvalidArgument(std::string("malformed JSON: ") + why); }

class JsonReader {
 public:
  JsonReader(std::string& body, TreeBuilder& tree)
      : at_(body.data()), end_(body.data() + body.size()), tree_(tree) {}

  Status Document() {
    SkipSpace();
    RETURN_IF_ERROR(ParseValue(1));
    SkipSpace();
    if (at_ != end_) return Bad("trailing characters");
    return Status::OK();
  }

 private:
  void SkipSpace() {
    while (at_ < end_ && (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')) ++at_;
  }

  // `depth`: the depth a container starting here would have.
  Status ParseValue(int depth) {
    if (at_ == end_) return Bad("unexpected end");
    const size_t index = tree_.size();
    Value* v = tree_.Add();
    if (v == nullptr) return TreeBuilder::Full();
    switch (*at_) {
      case '{':
        return Object(index, depth);
      case '[':
        return Array(index, depth);
      case '"': {
        std::string_view s;
        RETURN_IF_ERROR(String(s));
        v->SetString(Value::Kind::kString, s);
        return Status::OK();
      }
      case 't':
        v->kind = Value::Kind::kBool;
        v->b = true;
        return Literal("true");
      case 'f':
        v->kind = Value::Kind::kBool;
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Number(*v);
    }
  }

  Status Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - at_) < word.size() || std::memcmp(at_, word.data(), word.size()) != 0) {
      return Bad("unexpected character");
    }
    at_ += word.size();
    return Status::OK();
  }

  Status Object(size_t index, int depth) {
    if (tree_.TooDeep(depth)) return TreeBuilder::Deep();
    tree_.at(index).kind = Value::Kind::kMap;
    ++at_;
    uint32_t count = 0;
    SkipSpace();
    if (at_ < end_ && *at_ == '}') {
      ++at_;
    } else {
      for (;;) {
        SkipSpace();
        if (at_ == end_ || *at_ != '"') return Bad("expected a member name");
        Value* key = tree_.Add();
        if (key == nullptr) return TreeBuilder::Full();
        std::string_view name;
        RETURN_IF_ERROR(String(name));
        key->SetString(Value::Kind::kString, name);
        SkipSpace();
        if (at_ == end_ || *at_ != ':') return Bad("expected ':'");
        ++at_;
        SkipSpace();
        RETURN_IF_ERROR(ParseValue(depth + 1));
        ++count;
        SkipSpace();
        if (at_ == end_) return Bad("unterminated object");
        if (*at_ == '}') {
          ++at_;
          break;
        }
        if (*at_ != ',') return Bad("expected ',' or '}'");
        ++at_;
      }
    }
    tree_.Close(index, count);
    return Status::OK();
  }

  Status Array(size_t index, int depth) {
    if (tree_.TooDeep(depth)) return TreeBuilder::Deep();
    tree_.at(index).kind = Value::Kind::kArray;
    ++at_;
    uint32_t count = 0;
    SkipSpace();
    if (at_ < end_ && *at_ == ']') {
      ++at_;
    } else {
      for (;;) {
        SkipSpace();
        RETURN_IF_ERROR(ParseValue(depth + 1));
        ++count;
        SkipSpace();
        if (at_ == end_) return Bad("unterminated array");
        if (*at_ == ']') {
          ++at_;
          break;
        }
        if (*at_ != ',') return Bad("expected ',' or ']'");
        ++at_;
      }
    }
    tree_.Close(index, count);
    return Status::OK();
  }

  // At the opening quote. `out` views the unescaped text, in place in the body.
  Status String(std::string_view& out) {
    char* const start = ++at_;
    char* w = nullptr;  // where unescaped text goes once an escape has been seen
    for (;;) {
      char* const run = at_;
      uint64_t word;
      while (end_ - at_ >= 8) {
        std::memcpy(&word, at_, 8);
        if (HasSpecial(word)) break;
        at_ += 8;
      }
      while (at_ < end_ && IsPlain(static_cast<unsigned char>(*at_))) ++at_;
      if (w != nullptr && at_ != run) {
        std::memmove(w, run, static_cast<size_t>(at_ - run));
        w += at_ - run;
      }
      if (at_ == end_) return Bad("unterminated string");
      const auto c = static_cast<unsigned char>(*at_);
      if (c == '"') {
        out = std::string_view(start, static_cast<size_t>((w != nullptr ? w : at_) - start));
        ++at_;
        return Status::OK();
      }
      if (c < 0x20) return Bad("control character in a string");
      if (c == '\\') {
        if (w == nullptr) w = at_;
        ++at_;
        RETURN_IF_ERROR(Escape(w));
        continue;
      }
      char* const seq = at_;
      RETURN_IF_ERROR(Utf8Sequence());
      if (w != nullptr) {
        std::memmove(w, seq, static_cast<size_t>(at_ - seq));
        w += at_ - seq;
      }
    }
  }

  // After a backslash; writes the character at `w`.
  Status Escape(char*& w) {
    if (at_ == end_) return Bad("unterminated string");
    const char e = *at_++;
    switch (e) {
      case '"': case '\\': case '/': *w++ = e; return Status::OK();
      case 'b': *w++ = '\b'; return Status::OK();
      case 'f': *w++ = '\f'; return Status::OK();
      case 'n': *w++ = '\n'; return Status::OK();
      case 'r': *w++ = '\r'; return Status::OK();
      case 't': *w++ = '\t'; return Status::OK();
      case 'u': break;
      default: return Bad("invalid escape");
    }
    uint32_t cp = 0;
    RETURN_IF_ERROR(Hex4(cp));
    if (cp >= 0xDC00 && cp <= 0xDFFF) return Bad("lone low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (end_ - at_ < 2 || at_[0] != '\\' || at_[1] != 'u') return Bad("lone high surrogate");
      at_ += 2;
      RETURN_IF_ERROR(Hex4(low));
      if (low < 0xDC00 || low > 0xDFFF) return Bad("lone high surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp < 0x80) {
      *w++ = static_cast<char>(cp);
    } else if (cp < 0x800) {
      *w++ = static_cast<char>(0xC0 | (cp >> 6));
      *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *w++ = static_cast<char>(0xE0 | (cp >> 12));
      *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *w++ = static_cast<char>(0xF0 | (cp >> 18));
      *w++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    }
    return Status::OK();
  }

  Status Hex4(uint32_t& out) {
    if (end_ - at_ < 4) return Bad("truncated \\u escape");
    for (int k = 0; k < 4; ++k) {
      const char h = *at_++;
      uint32_t d;
      if (h >= '0' && h <= '9') d = static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') d = static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') d = static_cast<uint32_t>(h - 'A' + 10);
      else return Bad("invalid \\u escape");
      out = out << 4 | d;
    }
    return Status::OK();
  }

  // One well-formed UTF-8 sequence of two to four bytes (base/utf8.h).
  Status Utf8Sequence() {
    const size_t n = Utf8MultiByteLength(std::string_view(at_, static_cast<size_t>(end_ - at_)), 0);
    if (n == 0) return Bad("invalid UTF-8");
    at_ += n;
    return Status::OK();
  }

  Status Number(Value& v) {
    const char* const start = at_;
    if (*at_ == '-') ++at_;
    if (at_ == end_) return Bad("unexpected end");
    if (*at_ == '0') {
      ++at_;
    } else if (*at_ >= '1' && *at_ <= '9') {
      while (at_ < end_ && IsDigit(*at_)) ++at_;
    } else {
      return Bad("unexpected character");
    }
    bool integral = true;
    if (at_ < end_ && *at_ == '.') {
      integral = false;
      ++at_;
      if (at_ == end_ || !IsDigit(*at_)) return Bad("digit expected");
      while (at_ < end_ && IsDigit(*at_)) ++at_;
    }
    if (at_ < end_ && (*at_ == 'e' || *at_ == 'E')) {
      integral = false;
      ++at_;
      if (at_ < end_ && (*at_ == '+' || *at_ == '-')) ++at_;
      if (at_ == end_ || !IsDigit(*at_)) return Bad("digit expected");
      while (at_ < end_ && IsDigit(*at_)) ++at_;
    }
    if (integral) {
      int64_t i = 0;
      const auto r = std::from_chars(start, at_, i);
      if (r.ec == std::errc() && r.ptr == at_) {
        v.SetInt(Value::Kind::kInt, i);
        return Status::OK();
      }
      // Beyond int64: a number all the same, as AWS reads it (TruncatingBigNumber).
    }
    double d = 0;
    const auto r = std::from_chars(start, at_, d);
    if (r.ec == std::errc::result_out_of_range) {
      // Over- or underflow: strtod saturates to +-HUGE_VAL or rounds to zero.
      d = std::strtod(std::string(start, static_cast<const char*>(at_)).c_str(), nullptr);
    } else if (r.ec != std::errc() || r.ptr != at_) {
      return Bad("invalid number");
    }
    v.kind = Value::Kind::kDouble;
    v.d = d;
    return Status::OK();
  }

  char* at_;
  char* const end_;
  TreeBuilder& tree_;
};

}  // namespace

uint64_t ParseMemoryBound(uint64_t body_bytes, uint32_t max_nodes) {
  const uint64_t nodes =
      std::min<uint64_t>({max_nodes, kMaxShapeParseNodes, body_bytes + 1}) * sizeof(Value);
  return std::max<uint64_t>(3 * body_bytes, nodes + body_bytes / 4 * 3 + 3);
}

Result<std::unique_ptr<ParsedBody>> ParseJsonBody(std::string body, const ParseLimits& limits, size_t* accounted) {
  if (body.size() > std::numeric_limits<uint32_t>::max()) return Bad("body too large");
  PinBodyBuffer(body);
  // Every value but the root takes a separator and at least one character of its own.
  TreeBuilder tree(limits, body.size() / 2 + 1);
  if (accounted != nullptr) *accounted = body.capacity() + tree.accounted_bytes();
  RETURN_IF_ERROR(JsonReader(body, tree).Document());
  return tree.Finish(std::move(body));
}

}  // namespace sluice::awsproto
