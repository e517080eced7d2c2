#include "awsproto/schema.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "base/base64.h"

namespace sluice::awsproto {
namespace {

constexpr size_t kMaxValidationErrors = 10;
constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Rounded toward zero and saturated at the int64 range (NaN: the maximum): converting a
// double outside that range is undefined behaviour (found by fuzz/cbor_codec: -7e30).
int64_t SaturatingInt64(double v) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (!(v < kTwoTo63)) return std::numeric_limits<int64_t>::max();
  if (v < -kTwoTo63) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

std::string LowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

std::string_view TypeName(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kBool: return "class java.lang.Boolean";
    case Value::Kind::kInt:
    case Value::Kind::kDouble:
    case Value::Kind::kTimestampMs: return "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
    case Value::Kind::kString: return "class java.lang.String";
    default: return "";
  }
}

constexpr std::string_view kListMsg = "Start of list found where not expected";
constexpr std::string_view kStructMsg = "Start of structure or map found where not expected.";

class Checker {
 public:
  explicit Checker(BlobArena& blobs) : blobs_(blobs) {}

  std::optional<SchemaError> Run(Value& root, std::span<const FieldSpec> fields) {
    if (root.kind != Value::Kind::kMap) return SchemaError{true, std::string(kStructMsg)};
    if (auto e = TypeCheckMembers(root, fields)) return e;
    ValidateMembers(root, fields, "");
    if (errors_.empty()) return std::nullopt;
    return SchemaError{false, FormatValidationErrors(errors_)};
  }

 private:
  // ------------------------------------------------------------------ type check
  std::optional<SchemaError> TypeCheckMembers(Value& map, std::span<const FieldSpec> fields) {
    for (const FieldSpec& f : fields) {
      for (auto [key, v] : map.members()) {
        if (key != f.name || v.is_null()) continue;
        if (auto e = TypeCheck(v, f)) return e;
      }
    }
    return std::nullopt;
  }

  static SchemaError Ser(std::string m) { return SchemaError{true, std::move(m)}; }

  // NaN or an infinity (CBOR floats; JSON overflow such as 1e999) where an integer or a
  // timestamp is expected: AWS's deserializer cannot make a number of it, a
  // SerializationException. The value is printed as Java prints a double; the wording
  // follows AWS's other conversion failures ("'X' can not be converted to ...").
  static SchemaError NotFinite(const Value& v, std::string_view target) {
    const char* text = std::isnan(v.d) ? "NaN" : v.d > 0 ? "Infinity" : "-Infinity";
    return Ser(fmt::format("'{}' can not be converted to {}", text, target));
  }

  std::optional<SchemaError> TypeCheck(Value& v, const FieldSpec& f) {
    const bool list = v.kind == Value::Kind::kArray;
    const bool map = v.kind == Value::Kind::kMap;
    switch (f.type) {
      case FieldType::kString:
        if (list) return Ser(std::string(kListMsg));
        if (map) return Ser(std::string(kStructMsg));
        if (v.kind == Value::Kind::kBytes) v.kind = Value::Kind::kString;  // lenient CBOR
        if (v.kind != Value::Kind::kString) {
          return Ser(fmt::format("{} can not be converted to an String", TypeName(v)));
        }
        return std::nullopt;
      case FieldType::kInteger:
      case FieldType::kLong:
        if (list) return Ser(std::string(kListMsg));
        if (map) return Ser(std::string(kStructMsg));
        if (v.kind == Value::Kind::kDouble) {
          if (!std::isfinite(v.d)) return NotFinite(v, "an Integer");
          v.SetInt(Value::Kind::kInt, SaturatingInt64(std::floor(v.d)));
        } else if (v.kind == Value::Kind::kTimestampMs) {
          v.kind = Value::Kind::kInt;
        }
        if (v.kind != Value::Kind::kInt) {
          return Ser(fmt::format("{} can not be converted to an Integer", TypeName(v)));
        }
        if (f.type == FieldType::kInteger) v.i = std::min(v.i, kIntMax);
        return std::nullopt;
      case FieldType::kBoolean:
        if (list) return Ser(std::string(kListMsg));
        if (map) return Ser(std::string(kStructMsg));
        if (v.kind == Value::Kind::kBool) return std::nullopt;
        if (v.kind == Value::Kind::kString) {
          std::string up(v.s());
          for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          return Ser(fmt::format("'{}' can not be converted to an Boolean", up));
        }
        return Ser(fmt::format("{} can not be converted to an Boolean", TypeName(v)));
      case FieldType::kBlob:
        if (list) return Ser(std::string(kListMsg));
        if (map) return Ser(std::string(kStructMsg));
        if (v.kind == Value::Kind::kBytes) return std::nullopt;
        if (v.kind != Value::Kind::kString) {
          return Ser(fmt::format("{} can not be converted to a Blob", TypeName(v)));
        }
        return DecodeBlob(v);
      case FieldType::kTimestamp:
        if (list) return Ser(std::string(kListMsg));
        if (map) return Ser(std::string(kStructMsg));
        if (v.kind == Value::Kind::kTimestampMs) return std::nullopt;
        // Saturated, not wrapped: 1e300 or int64-max seconds stay in the far future,
        // where the action rejects them as AWS does (InvalidArgumentException: later
        // than now), instead of overflowing into the past.
        if (v.kind == Value::Kind::kInt) {  // JSON and untagged CBOR: epoch seconds
          v.SetInt(Value::Kind::kTimestampMs, SaturatingMillis(v.i));
          return std::nullopt;
        }
        if (v.kind == Value::Kind::kDouble) {
          if (!std::isfinite(v.d)) return NotFinite(v, "milliseconds since epoch");
          v.SetInt(Value::Kind::kTimestampMs, SaturatingInt64(std::floor(v.d * 1000.0)));
          return std::nullopt;
        }
        return Ser(fmt::format("{} can not be converted to milliseconds since epoch", TypeName(v)));
      case FieldType::kList:
        if (map) return Ser(std::string(kStructMsg));
        if (!list) return Ser("Expected list or null");
        for (Value& item : v.items()) {
          if (item.is_null()) continue;
          if (!f.members.empty()) {
            if (item.kind == Value::Kind::kArray) return Ser(std::string(kListMsg));
            if (item.kind != Value::Kind::kMap) return Ser("Expected null");
            if (auto e = TypeCheckMembers(item, f.members)) return e;
          } else if (auto e = TypeCheck(item, FieldSpec{.type = FieldType::kString})) {
            return e;
          }
        }
        return std::nullopt;
      case FieldType::kMap:
        if (list) return Ser(std::string(kListMsg));
        if (!map) return Ser("Expected map or null");
        for (auto [k, item] : v.members()) {
          if (item.is_null()) continue;
          if (auto e = TypeCheck(item, FieldSpec{.type = FieldType::kString})) return e;
        }
        return std::nullopt;
      case FieldType::kStructure:
        if (list) return Ser(std::string(kListMsg));
        if (!map) return Ser("Expected null");
        return TypeCheckMembers(v, f.members);
    }
    return std::nullopt;
  }

  std::optional<SchemaError> DecodeBlob(Value& v) {
    const std::string_view s = v.s();
    if (s.size() % 4 != 0) {
      return Ser(fmt::format("'{}' can not be converted to a Blob: Base64 encoded length is "
                             "expected a multiple of 4 bytes but found: {}",
                             s, s.size()));
    }
    // The decoder validates as it goes; the slow scan below only names the culprit.
    if (const auto bytes = blobs_.Decode(s)) {
      v.SetString(Value::Kind::kBytes, *bytes);
      return std::nullopt;
    }
    for (size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
      const bool bad_pad = c == '=' && i + 1 < s.size() && s[i + 1] != '=';
      if (!ok || bad_pad) {
        return Ser(fmt::format("'{}' can not be converted to a Blob: Invalid Base64 character: '{}'", s, c));
      }
    }
    return Ser(fmt::format("'{}' can not be converted to a Blob: Invalid last non-pad Base64 "
                           "character dectected",
                           s));
  }

  // ------------------------------------------------------------------ validation
  void Add(const Value& v, std::string_view path, std::string_view constraint) {
    if (errors_.size() < kMaxValidationErrors) {
      errors_.push_back(ValidationError(v, path, constraint, item_type_));
    }
  }

  void ValidateMembers(const Value& map, std::span<const FieldSpec> fields, std::string_view prefix) {
    static const Value kNull{};
    for (const FieldSpec& f : fields) {
      const Value* v = map.Get(f.name);
      Validate(v ? *v : kNull, f, fmt::format("{}{}", prefix, LowerFirst(f.name)));
    }
  }

  void Validate(const Value& v, const FieldSpec& f, const std::string& path) {
    item_type_ = f.member_type_name;
    if (v.is_null()) {
      if (f.not_null) Add(v, path, "Member must not be null");
      return;
    }
    if (f.pattern != nullptr && v.kind == Value::Kind::kString && !f.pattern->matches(v.s())) {
      Add(v, path, fmt::format("Member must satisfy regular expression pattern: {}", f.pattern->text));
    }
    const int64_t len = Length(v);
    if (f.min_len && len < *f.min_len) {
      Add(v, path, fmt::format("Member must have length greater than or equal to {}", *f.min_len));
    }
    if (f.max_len && len > *f.max_len) {
      Add(v, path, fmt::format("Member must have length less than or equal to {}", *f.max_len));
    }
    if (v.kind == Value::Kind::kInt) {
      if (f.min_value && v.i < *f.min_value) {
        Add(v, path, fmt::format("Member must have value greater than or equal to {}", *f.min_value));
      }
      if (f.max_value && v.i > *f.max_value) {
        Add(v, path, fmt::format("Member must have value less than or equal to {}", *f.max_value));
      }
    }
    if (!f.enum_values.empty() && v.kind == Value::Kind::kString) {
      bool found = false;
      for (const auto e : f.enum_values) found = found || e == v.s();
      if (!found) {
        std::string set;
        for (const auto e : f.enum_values) set += (set.empty() ? "" : ", ") + std::string(e);
        Add(v, path, fmt::format("Member must satisfy enum value set: [{}]", set));
      }
    }
    if (f.type == FieldType::kList && f.members.empty() && (f.child_min_len || f.child_max_len)) {
      for (const Value& item : v.items()) {
        const int64_t n = Length(item);
        if ((f.child_max_len && n > *f.child_max_len) || (f.child_min_len && n < *f.child_min_len)) {
          Add(v, path, fmt::format("Member must satisfy constraint: [Member must have length less "
                                   "than or equal to {}, Member must have length greater than or "
                                   "equal to {}]",
                                   f.child_max_len.value_or(0), f.child_min_len.value_or(0)));
          break;
        }
      }
    }
    if (f.type == FieldType::kList && !f.members.empty()) {
      size_t i = 0;
      for (const Value& item : v.items()) ValidateMembers(item, f.members, fmt::format("{}.{}.member.", path, ++i));
    }
    if (f.type == FieldType::kMap) {
      for (const auto [k, item] : v.members()) {
        const int64_t kn = Utf16Length(k);
        if ((f.child_max_len && kn > *f.child_max_len) || (f.child_min_len && kn < *f.child_min_len)) {
          Add(v, path, fmt::format("Map keys must satisfy constraint: [Member must have length less "
                                   "than or equal to {}, Member must have length greater than or "
                                   "equal to {}]",
                                   f.child_max_len.value_or(0), f.child_min_len.value_or(0)));
          break;
        }
      }
      for (const auto [k, item] : v.members()) {
        const int64_t vn = Length(item);
        if ((f.value_max_len && vn > *f.value_max_len) || (f.value_min_len && vn < *f.value_min_len)) {
          Add(v, path, fmt::format("Map value must satisfy constraint: [Member must have length "
                                   "less than or equal to {}, Member must have length greater "
                                   "than or equal to {}]",
                                   f.value_max_len.value_or(0), f.value_min_len.value_or(0)));
          break;
        }
      }
    }
    if (f.type == FieldType::kStructure) ValidateMembers(v, f.members, path + ".");
  }

  static int64_t Length(const Value& v) {
    switch (v.kind) {
      case Value::Kind::kString: return Utf16Length(v.s());
      case Value::Kind::kBytes:
      case Value::Kind::kArray:
      case Value::Kind::kMap: return static_cast<int64_t>(v.size());
      default: return 0;
    }
  }

  BlobArena& blobs_;
  std::vector<std::string> errors_;
  std::string_view item_type_;  // the list being checked's member_type_name
};

std::string Render(const Value& v, std::string_view item_type) {
  switch (v.kind) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kString: return fmt::format("'{}'", v.s());
    case Value::Kind::kBytes:
      return fmt::format("'java.nio.HeapByteBuffer[pos=0 lim={0} cap={0}]'", v.size());
    case Value::Kind::kInt:
    case Value::Kind::kTimestampMs: return fmt::format("'{}'", v.i);
    case Value::Kind::kDouble: return fmt::format("'{}'", v.d);
    case Value::Kind::kBool: return v.b ? "'true'" : "'false'";
    case Value::Kind::kArray: {
      std::string s = "'[";
      size_t i = 0;
      for (const Value& item : v.items()) {
        if (i++) s += ", ";
        if (item.kind == Value::Kind::kMap) {
          // AWS prints the Java object (the list's item class); the hash differs per object.
          s += fmt::format("{}@{:08x}", item_type.empty() ? std::string_view("java.lang.Object") : item_type,
                           static_cast<uint32_t>(0x9e3779b9u * i));
        } else {
          s += item.kind == Value::Kind::kString ? std::string(item.s()) : Render(item, item_type);
        }
      }
      return s + "]'";
    }
    case Value::Kind::kMap: {
      std::string s = "'{";
      bool first = true;
      for (const auto [key, item] : v.members()) {
        if (!first) s += ", ";
        first = false;
        s += fmt::format("{}={}", key, item.kind == Value::Kind::kString ? std::string(item.s()) : Render(item, {}));
      }
      return s + "}'";
    }
  }
  return "null";
}

}  // namespace

bool MatchesDecimal(std::string_view s, size_t max_digits) {
  if (s == "0") return true;
  if (s.empty() || s.size() > max_digits || s[0] == '0') return false;
  for (const char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool MatchesNameChars(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

int64_t Utf16Length(std::string_view s) {
  int64_t n = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) n += 1;  // a lead byte starts a code point
    if (c >= 0xF0) n += 1;           // 4-byte sequences are surrogate pairs in UTF-16
  }
  return n;
}

std::string ValidationError(const Value& v, std::string_view path, std::string_view constraint,
                            std::string_view item_type) {
  // Numbers print unquoted only when null; AWS quotes every present value.
  std::string rendered = Render(v, item_type);
  return fmt::format("Value {} at '{}' failed to satisfy constraint: {}", rendered, path, constraint);
}

std::string FormatValidationErrors(const std::vector<std::string>& errors) {
  std::string joined;
  for (const auto& e : errors) joined += (joined.empty() ? "" : "; ") + e;
  return fmt::format("{} validation error{} detected: {}", errors.size(),
                     errors.size() == 1 ? "" : "s", joined);
}

std::optional<std::string_view> BlobArena::Decode(std::string_view base64) {
  if (!reserved_) {
    bytes_.reserve(body_bytes_ / 4 * 3 + 3);
    reserved_ = true;
  }
  const size_t at = bytes_.size();
  // Never reallocates (views into it stay valid): the text lies within the body, so all
  // blobs of one request fit in the capacity reserved above.
  if (Base64DecodedSize(base64) > bytes_.capacity() - at) return std::nullopt;
  if (!Base64DecodeAppend(base64, bytes_)) {
    bytes_.resize(at);
    return std::nullopt;
  }
  return std::string_view(bytes_).substr(at);
}

namespace {

constexpr int64_t kUnboundedItems = 1000;  // a list or map without a length limit

uint64_t ShapeNodes(const FieldSpec& f);

// A structure: its node, and a key and a value per member.
uint64_t StructNodes(std::span<const FieldSpec> fields) {
  uint64_t n = 1;
  for (const FieldSpec& f : fields) n += 1 + ShapeNodes(f);
  return n;
}

uint64_t ShapeNodes(const FieldSpec& f) {
  const auto items = static_cast<uint64_t>(f.max_len.value_or(kUnboundedItems));
  switch (f.type) {
    case FieldType::kList: return 1 + items * (f.members.empty() ? 1 : StructNodes(f.members));
    case FieldType::kMap: return 1 + 2 * items;
    case FieldType::kStructure: return StructNodes(f.members);
    default: return 1;
  }
}

int ShapeDepth(const FieldSpec& f);

int StructDepth(std::span<const FieldSpec> fields) {
  int deepest = 0;
  for (const FieldSpec& f : fields) deepest = std::max(deepest, ShapeDepth(f));
  return 1 + deepest;
}

int ShapeDepth(const FieldSpec& f) {
  switch (f.type) {
    case FieldType::kList: return 1 + (f.members.empty() ? 1 : StructDepth(f.members));
    case FieldType::kMap: return 2;
    case FieldType::kStructure: return StructDepth(f.members);
    default: return 1;
  }
}

}  // namespace

ParseLimits LimitsFor(std::span<const FieldSpec> fields, uint32_t most_nodes) {
  ParseLimits limits;
  limits.max_depth = StructDepth(fields) + 2;
  limits.max_nodes = static_cast<uint32_t>(
      std::min<uint64_t>({most_nodes, kMaxShapeParseNodes, 2 * StructNodes(fields) + 64}));
  return limits;
}

std::optional<SchemaError> CheckRequest(Value& root, std::span<const FieldSpec> fields, BlobArena& blobs) {
  return Checker(blobs).Run(root, fields);
}

}  // namespace sluice::awsproto
