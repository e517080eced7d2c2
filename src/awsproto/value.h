// A decoded AWS JSON 1.1 or CBOR request body: one small tree type for both encodings,
// so every Kinesis action is written once. Strings and byte strings are views into
// buffers owned by the ParsedBody that produced them (no copies of record data).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::awsproto {

struct Value {
  // The destructor is defined in body_value.cc, where Value is complete: members holds
  // pairs of the still-incomplete Value, and an inline implicit destructor makes
  // clang 16 instantiate ~vector<pair<string_view, Value>> while Value is incomplete.
  // Declaring it suppresses the implicit moves, so they are defaulted here.
  Value() = default;
  Value(const Value&) = default;
  Value(Value&&) noexcept = default;
  Value& operator=(const Value&) = default;
  Value& operator=(Value&&) noexcept = default;
  ~Value();

  enum class Kind { kNull, kBool, kInt, kDouble, kString, kBytes, kTimestampMs, kArray, kMap };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;      // kInt; kTimestampMs (CBOR tag 1, milliseconds)
  double d = 0;       // kDouble
  std::string_view s; // kString (UTF-8 text), kBytes
  std::vector<Value> items;                              // kArray
  std::vector<std::pair<std::string_view, Value>> members;  // kMap, in wire order

  bool is_null() const { return kind == Kind::kNull; }
  bool is_number() const { return kind == Kind::kInt || kind == Kind::kDouble; }
  // The member's value, or nullptr when absent. Null members count as absent, as in AWS.
  const Value* Get(std::string_view key) const;
};

enum class BodyEncoding { kJson, kCbor };

// Owns the bytes and parser state the Value views point into.
class ParsedBody {
 public:
  virtual ~ParsedBody() = default;
  const Value& root() const { return root_; }

 protected:
  Value root_;
};

}  // namespace sluice::awsproto
