// ParseCborBody: RFC 8949 CBOR into the flat tree, by recursive descent bounded by
// ParseLimits::max_depth. Indefinite-length strings are joined in place (each chunk
// header the join drops is at least one byte), so every string views the body.
#include <cmath>
#include <cstring>
#include <limits>

#include "awsproto/codec.h"
#include "base/utf8.h"
#include "internal/tree_builder.h"

namespace sluice::awsproto {
namespace {

using internal::TreeBuilder;

constexpr uint8_t kIndefinite = 31;

Status Bad(const char* why) { return Status::InvalidArgument(std::string("malformed CBOR: ") + why); }

class CborReader {
 public:
  CborReader(std::string& body, TreeBuilder& tree) : body_(body.data()), size_(body.size()), tree_(tree) {}

  Status Document() {
    RETURN_IF_ERROR(Item(1));
    if (pos_ != size_) return Bad("trailing bytes");
    return Status::OK();
  }

 private:
  // Reads an initial byte and its argument. Additional information 31 (indefinite
  // length, or break) is returned as such with `arg` 0; the caller decides whether its
  // major type allows it.
  Status Head(uint8_t& major, uint8_t& info, uint64_t& arg) {
    if (pos_ >= size_) return Bad("truncated");
    const auto b = static_cast<uint8_t>(body_[pos_++]);
    major = b >> 5;
    info = b & 0x1F;
    arg = 0;
    if (info < 24) {
      arg = info;
      return Status::OK();
    }
    if (info == kIndefinite) return Status::OK();
    if (info > 27) return Bad("reserved additional information");
    const size_t n = size_t{1} << (info - 24);
    if (size_ - pos_ < n) return Bad("truncated");
    for (size_t k = 0; k < n; ++k) arg = (arg << 8) | static_cast<uint8_t>(body_[pos_ + k]);
    pos_ += n;
    return Status::OK();
  }

  bool AtBreak() const { return pos_ < size_ && static_cast<uint8_t>(body_[pos_]) == 0xFF; }

  // A byte string (major 2) holds anything; a text string (major 3) must be UTF-8.
  static Status SetString(uint8_t major, std::string_view data, Value& out) {
    if (major == 2) {
      out.SetString(Value::Kind::kBytes, data);
    } else {
      if (!IsValidUtf8(data)) return Bad("text string is not UTF-8");
      out.SetString(Value::Kind::kString, data);
    }
    return Status::OK();
  }

  Status String(uint8_t major, uint8_t info, uint64_t len, Value& out) {
    if (info != kIndefinite) {
      if (size_ - pos_ < len) return Bad("truncated string");
      RETURN_IF_ERROR(SetString(major, std::string_view(body_ + pos_, len), out));
      pos_ += len;
      return Status::OK();
    }
    // Chunks of the same major type, each definite, until a break.
    char* const start = body_ + pos_;
    char* w = start;
    while (!AtBreak()) {
      uint8_t m = 0, i = 0;
      uint64_t l = 0;
      RETURN_IF_ERROR(Head(m, i, l));
      if (m != major || i == kIndefinite) return Bad("bad string chunk");
      if (size_ - pos_ < l) return Bad("truncated string");
      std::memmove(w, body_ + pos_, l);
      w += l;
      pos_ += l;
    }
    if (pos_ >= size_) return Bad("truncated string");
    ++pos_;  // break
    return SetString(major, std::string_view(start, static_cast<size_t>(w - start)), out);
  }

  // One data item, which adds one node (and its subtree). `depth`: the depth a
  // container starting here would have.
  Status Item(int depth) {
    const size_t index = tree_.size();
    Value* out = tree_.Add();
    if (out == nullptr) return TreeBuilder::Full();
    return Content(index, depth);
  }

  // Decodes the item at pos_ into the node at `index` (already added).
  Status Content(size_t index, int depth) {
    Value& out = tree_.at(index);
    uint8_t major = 0, info = 0;
    uint64_t arg = 0;
    RETURN_IF_ERROR(Head(major, info, arg));
    if (info == kIndefinite && (major == 0 || major == 1 || major == 6)) {
      return Bad("indefinite length on an integer or tag");
    }
    constexpr auto kInt64Max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    switch (major) {
      case 0:
        if (arg > kInt64Max) {
          out.kind = Value::Kind::kDouble;
          out.d = static_cast<double>(arg);
        } else {
          out.SetInt(Value::Kind::kInt, static_cast<int64_t>(arg));
        }
        return Status::OK();
      case 1:
        if (arg > kInt64Max) {
          out.kind = Value::Kind::kDouble;
          out.d = -1.0 - static_cast<double>(arg);
        } else {
          out.SetInt(Value::Kind::kInt, -1 - static_cast<int64_t>(arg));
        }
        return Status::OK();
      case 2:
      case 3:
        return String(major, info, arg, out);
      case 4:
        return Array(index, info, arg, depth);
      case 5:
        return Map(index, info, arg, depth);
      case 6:
        return Tag(index, arg, depth);
      default:
        return Simple(info, arg, out);
    }
  }

  Status Array(size_t index, uint8_t info, uint64_t count, int depth) {
    if (tree_.TooDeep(depth)) return TreeBuilder::Deep();
    tree_.at(index).kind = Value::Kind::kArray;
    uint32_t items = 0;
    if (info == kIndefinite) {
      while (!AtBreak()) {
        RETURN_IF_ERROR(Item(depth + 1));
        ++items;
      }
      if (pos_ >= size_) return Bad("truncated array");
      ++pos_;
    } else {
      if (count > size_ - pos_) return Bad("array longer than the body");
      for (uint64_t k = 0; k < count; ++k) RETURN_IF_ERROR(Item(depth + 1));
      items = static_cast<uint32_t>(count);
    }
    tree_.Close(index, items);
    return Status::OK();
  }

  Status Map(size_t index, uint8_t info, uint64_t count, int depth) {
    if (tree_.TooDeep(depth)) return TreeBuilder::Deep();
    tree_.at(index).kind = Value::Kind::kMap;
    uint32_t members = 0;
    auto member = [&]() -> Status {
      const size_t key = tree_.size();
      RETURN_IF_ERROR(Item(depth + 1));
      if (tree_.at(key).kind != Value::Kind::kString) return Bad("map key is not text");
      ++members;
      return Item(depth + 1);
    };
    if (info == kIndefinite) {
      while (!AtBreak()) RETURN_IF_ERROR(member());
      if (pos_ >= size_) return Bad("truncated map");
      ++pos_;
    } else {
      if (count > size_ - pos_) return Bad("map longer than the body");
      for (uint64_t k = 0; k < count; ++k) RETURN_IF_ERROR(member());
    }
    tree_.Close(index, members);
    return Status::OK();
  }

  // A tag describes the item that follows, which takes the tag's node.
  Status Tag(size_t index, uint64_t tag, int depth) {
    if (tree_.TooDeep(depth)) return TreeBuilder::Deep();
    RETURN_IF_ERROR(Content(index, depth + 1));
    Value& out = tree_.at(index);
    if (tag != 1) return Status::OK();
    // Epoch time. The AWS SDKs send integer milliseconds (not RFC 8949's seconds); a
    // float is taken as RFC seconds. A non-finite float stays a double, which no field
    // accepts as a timestamp (schema.h).
    if (out.kind == Value::Kind::kInt) {
      out.kind = Value::Kind::kTimestampMs;
    } else if (out.kind == Value::Kind::kDouble && std::isfinite(out.d)) {
      out.SetInt(Value::Kind::kTimestampMs, SaturatingInt64(std::round(out.d * 1000.0)));
    }
    return Status::OK();
  }

  static Status Simple(uint8_t info, uint64_t arg, Value& out) {
    switch (info) {
      case 20: out.kind = Value::Kind::kBool; out.b = false; return Status::OK();
      case 21: out.kind = Value::Kind::kBool; out.b = true; return Status::OK();
      case 22:
      case 23: out.kind = Value::Kind::kNull; return Status::OK();
      case 25: {  // half precision
        const auto h = static_cast<uint16_t>(arg);
        const int exp = (h >> 10) & 0x1F;
        const int mant = h & 0x3FF;
        const double v = exp == 0 ? std::ldexp(mant, -24)
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

  char* const body_;
  const size_t size_;
  size_t pos_ = 0;
  TreeBuilder& tree_;
};

}  // namespace

Result<std::unique_ptr<ParsedBody>> ParseCborBody(std::string body, const ParseLimits& limits, size_t* accounted) {
  if (body.size() > std::numeric_limits<uint32_t>::max()) return Bad("body too large");
  PinBodyBuffer(body);
  // Every data item takes at least one byte.
  TreeBuilder tree(limits, body.size() + 1);
  if (accounted != nullptr) *accounted = body.capacity() + tree.accounted_bytes();
  RETURN_IF_ERROR(CborReader(body, tree).Document());
  return tree.Finish(std::move(body));
}

}  // namespace sluice::awsproto
