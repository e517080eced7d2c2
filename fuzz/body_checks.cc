#include "body_checks.h"

#include <array>
#include <cmath>
#include <deque>
#include <string>
#include <string_view>
#include <type_traits>

#include "awsproto/codec.h"
#include "awsproto/schema.h"
#include "check.h"
#include "internal/actions.h"
#include "base/utf8.h"

namespace sluice::fuzz {
namespace {

using awsproto::BodyEncoding;
using awsproto::BodyWriter;
using awsproto::FieldSpec;
using awsproto::FieldType;
using awsproto::Value;
using Kind = Value::Kind;

// ------------------------------------------------------------ tree access
// The value tree is being reshaped (#11: a flat node array instead of nested vectors);
// these helpers read it through either shape, so the checks below need no change.
template <class V>
std::string_view Text(const V& v) {
  if constexpr (requires { v.s(); }) {
    return v.s();
  } else {
    return v.s;
  }
}
template <class V, class F>
void ForEachItem(const V& v, F&& f) {
  if constexpr (requires { v.items(); }) {
    for (const auto& item : v.items()) f(item);
  } else {
    for (const auto& item : v.items) f(item);
  }
}
template <class V, class F>
void ForEachMember(const V& v, F&& f) {
  if constexpr (requires { v.members(); }) {
    for (const auto m : v.members()) f(m.key, m.value);
  } else {
    for (const auto& [k, item] : v.members) f(std::string_view(k), item);
  }
}
template <class V>
size_t ItemCount(const V& v) {
  size_t n = 0;
  ForEachItem(v, [&](const Value&) { ++n; });
  return n;
}
template <class V>
size_t MemberCount(const V& v) {
  size_t n = 0;
  ForEachMember(v, [&](std::string_view, const Value&) { ++n; });
  return n;
}
// The tree CheckRequest may rewrite in place.
template <class P>
Value& MutableRoot(P& parsed) {
  if constexpr (requires { parsed.mutable_root(); }) {
    return parsed.mutable_root();
  } else {
    return const_cast<Value&>(parsed.root());  // a body parsed for this check alone
  }
}
// CheckRequest's third parameter: where decoded blobs live.
template <class R, class V, class S, class A>
A ArenaOf(R (*)(V&, S, A&));
using SchemaArena = decltype(ArenaOf(&awsproto::CheckRequest));
template <class A = SchemaArena>
A MakeArena(size_t body_bytes) {
  if constexpr (std::is_default_constructible_v<A>) {
    return A{};
  } else {
    return A(body_bytes);
  }
}

// BodyWriter has no null or floating-point writer (AWS answers carry neither), so those
// are written as marker strings; re-encoding is then still a fixed point.
void Emit(const Value& v, BodyWriter& w) {
  switch (v.kind) {
    case Kind::kNull: w.String("(null)"); break;
    case Kind::kDouble: w.String("(double)"); break;
    case Kind::kBool: w.Bool(v.b); break;
    case Kind::kInt: w.Int(v.i); break;
    case Kind::kString: w.String(Text(v)); break;
    case Kind::kBytes: w.Bytes(Text(v)); break;
    case Kind::kTimestampMs:
      // JSON writes seconds with a fraction, which reads back as a double: checked
      // separately (CheckTimestampText).
      if (w.encoding() == BodyEncoding::kCbor) {
        w.TimestampMs(v.i);
      } else {
        w.Int(v.i);
      }
      break;
    case Kind::kArray:
      w.BeginArray();
      ForEachItem(v, [&](const Value& item) { Emit(item, w); });
      w.End();
      break;
    case Kind::kMap:
      w.BeginMap();
      ForEachMember(v, [&](std::string_view k, const Value& item) {
        w.Key(k);
        Emit(item, w);
      });
      w.End();
      break;
  }
}

std::string Encode(const Value& v, BodyEncoding enc) {
  BodyWriter w(enc);
  Emit(v, w);
  return w.Take();
}

Result<std::unique_ptr<awsproto::ParsedBody>> Decode(std::string body, BodyEncoding enc) {
  return enc == BodyEncoding::kJson ? awsproto::ParseJsonBody(std::move(body))
                                    : awsproto::ParseCborBody(std::move(body));
}

bool AllTextIsUtf8(const Value& v) {
  bool ok = v.kind != Kind::kString || IsValidUtf8(Text(v));
  ForEachItem(v, [&](const Value& item) { ok = ok && AllTextIsUtf8(item); });
  ForEachMember(v, [&](std::string_view k, const Value& item) {
    ok = ok && IsValidUtf8(k) && AllTextIsUtf8(item);
  });
  return ok;
}

// Encoding is a fixed point: encode(decode(encode(v))) == encode(v).
std::string CheckFixedPoint(const Value& v, BodyEncoding enc) {
  const std::string once = Encode(v, enc);
  auto back = Decode(once, enc);
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(Encode((*back)->root(), enc) == once);
  return once;
}

// The JSON text of a timestamp reads back as the same number of milliseconds.
void CheckTimestampText(int64_t ms) {
  BodyWriter w(BodyEncoding::kJson);
  w.BeginArray().TimestampMs(ms).End();
  auto back = awsproto::ParseJsonBody(w.Take());
  FUZZ_CHECK(back.ok());
  const Value* first = nullptr;
  ForEachItem((*back)->root(), [&](const Value& item) { first = first ? first : &item; });
  FUZZ_CHECK(first != nullptr);
  const Value& n = *first;
  if (n.kind == Kind::kInt) {
    FUZZ_CHECK(n.i * 1000 == ms);
  } else {
    FUZZ_CHECK(n.kind == Kind::kDouble);
    FUZZ_CHECK(std::fabs(n.d * 1000.0 - static_cast<double>(ms)) <= std::fabs(static_cast<double>(ms)) * 1e-12 + 0.5);
  }
}

void CheckTimestamps(const Value& v) {
  if (v.kind == Kind::kTimestampMs) CheckTimestampText(v.i);
  ForEachItem(v, [](const Value& item) { CheckTimestamps(item); });
  ForEachMember(v, [](std::string_view, const Value& item) { CheckTimestamps(item); });
}

// ------------------------------------------------------------ the tree after CheckRequest

int64_t Length(const Value& v) {
  switch (v.kind) {
    case Kind::kString: return awsproto::Utf16Length(Text(v));
    case Kind::kBytes: return static_cast<int64_t>(Text(v).size());
    case Kind::kArray: return static_cast<int64_t>(ItemCount(v));
    case Kind::kMap: return static_cast<int64_t>(MemberCount(v));
    default: return 0;
  }
}

bool InRange(int64_t n, const std::optional<int64_t>& lo, const std::optional<int64_t>& hi) {
  return (!lo || n >= *lo) && (!hi || n <= *hi);
}

void CheckMembers(const Value& map, std::span<const FieldSpec> fields);

// A value CheckRequest accepted for spec `f` has the kind the action reads and meets
// every constraint of the spec.
void CheckField(const Value& v, const FieldSpec& f) {
  switch (f.type) {
    case FieldType::kString: FUZZ_CHECK(v.kind == Kind::kString); break;
    case FieldType::kInteger:
    case FieldType::kLong:
      FUZZ_CHECK(v.kind == Kind::kInt);
      FUZZ_CHECK(InRange(v.i, f.min_value, f.max_value));
      break;
    case FieldType::kBoolean: FUZZ_CHECK(v.kind == Kind::kBool); break;
    case FieldType::kBlob: FUZZ_CHECK(v.kind == Kind::kBytes); break;
    case FieldType::kTimestamp: FUZZ_CHECK(v.kind == Kind::kTimestampMs); break;
    case FieldType::kList:
      FUZZ_CHECK(v.kind == Kind::kArray);
      ForEachItem(v, [&](const Value& item) {
        if (!f.members.empty()) {
          FUZZ_CHECK(item.kind == Kind::kMap);
          CheckMembers(item, f.members);
        } else if (item.is_null()) {
          FUZZ_CHECK(!f.child_min_len || *f.child_min_len <= 0);
        } else {
          FUZZ_CHECK(item.kind == Kind::kString);
          FUZZ_CHECK(InRange(Length(item), f.child_min_len, f.child_max_len));
        }
      });
      break;
    case FieldType::kMap:
      FUZZ_CHECK(v.kind == Kind::kMap);
      ForEachMember(v, [&](std::string_view k, const Value& item) {
        FUZZ_CHECK(InRange(awsproto::Utf16Length(k), f.child_min_len, f.child_max_len));
        FUZZ_CHECK(item.is_null() || item.kind == Kind::kString);
        FUZZ_CHECK(InRange(Length(item), f.value_min_len, f.value_max_len));
      });
      break;
    case FieldType::kStructure:
      FUZZ_CHECK(v.kind == Kind::kMap);
      CheckMembers(v, f.members);
      break;
  }
  FUZZ_CHECK(InRange(Length(v), f.min_len, f.max_len));
  if (f.pattern != nullptr) FUZZ_CHECK(f.pattern->matches(Text(v)));
  if (!f.enum_values.empty()) {
    bool found = false;
    for (const std::string_view e : f.enum_values) found = found || e == Text(v);
    FUZZ_CHECK(found);
  }
}

void CheckMembers(const Value& map, std::span<const FieldSpec> fields) {
  for (const FieldSpec& f : fields) {
    const Value* v = map.Get(f.name);
    if (v == nullptr) {
      FUZZ_CHECK(!f.not_null);
      continue;
    }
    CheckField(*v, f);
  }
}

constexpr std::array<std::string_view, 10> kActionNames = {
    "PutRecords", "GetShardIterator", "PutRecord",       "CreateStream",   "ListShards",
    "AddTagsToStream", "RemoveTagsFromStream", "GetRecords", "UpdateShardCount", "DescribeStream"};

// `body` decoded afresh, since CheckRequest rewrites values in place.
void CheckSchema(const std::string& body, BodyEncoding enc, uint8_t selector) {
  const auto* action = frontends::kinesis::Actions::Find(kActionNames[selector % kActionNames.size()]);
  FUZZ_CHECK(action != nullptr);
  auto parsed = Decode(body, enc);
  FUZZ_CHECK(parsed.ok());
  Value& req = MutableRoot(**parsed);
  SchemaArena arena = MakeArena(body.size());
  const auto error = awsproto::CheckRequest(req, action->fields, arena);
  if (!error) {
    CheckMembers(req, action->fields);
    return;
  }
  FUZZ_CHECK(!error->message.empty());
  if (!error->serialization) {
    // "<N> validation error(s) detected: ..." with 1 <= N <= 10.
    const std::string& m = error->message;
    size_t digits = 0;
    while (digits < m.size() && m[digits] >= '0' && m[digits] <= '9') ++digits;
    FUZZ_CHECK(digits >= 1 && digits <= 2);
    const int n = std::stoi(m.substr(0, digits));
    FUZZ_CHECK(n >= 1 && n <= 10);
    FUZZ_CHECK(m.compare(digits, 17, " validation error") == 0);
  }
}

void CheckDecodedBody(const Value& root, const std::string& body, BodyEncoding from, uint8_t selector) {
  CheckFixedPoint(root, BodyEncoding::kCbor);
  // Both decoders accept UTF-8 text only, so every accepted body can be written as JSON.
  FUZZ_CHECK(AllTextIsUtf8(root));
  // Written as JSON (what a JSON client reading a CBOR client's data gets), the tree is
  // JSON that decodes to the same tree.
  const std::string json = CheckFixedPoint(root, BodyEncoding::kJson);
  if (from == BodyEncoding::kJson) {
    // A JSON body re-encoded as CBOR decodes to the same tree.
    auto cbor = Decode(Encode(root, BodyEncoding::kCbor), BodyEncoding::kCbor);
    FUZZ_CHECK(cbor.ok());
    FUZZ_CHECK(Encode((*cbor)->root(), BodyEncoding::kJson) == json);
  }
  CheckTimestamps(root);
  CheckSchema(body, from, selector);
}

}  // namespace

void FuzzBody(const uint8_t* data, size_t size, BodyEncoding enc) {
  if (size == 0) return;
  const uint8_t selector = data[size - 1];
  const std::string text(reinterpret_cast<const char*>(data), size - 1);
  auto body = Decode(text, enc);
  if (!body.ok()) return;
  CheckDecodedBody((*body)->root(), text, enc, selector);
}

}  // namespace sluice::fuzz
