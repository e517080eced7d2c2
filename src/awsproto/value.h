// A decoded AWS JSON 1.1 or CBOR request body: one small tree type for both encodings,
// so every Kinesis action is written once.
//
// Representation: a tree is one flat array of 16-byte nodes in document order, owned by
// the ParsedBody that produced it. A container's children follow it directly; a map's
// members are a key node (kString) followed by the value's subtree. Strings and byte
// strings are views into the request body itself (JSON escapes are resolved in place,
// which only ever shortens a string), so parsing copies no record data and allocates
// exactly one node array. A Value is only meaningful inside its array: it is neither
// copyable nor movable, and is reached through ParsedBody::root().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::awsproto {

struct Value {
  Value() = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;

  enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kString, kBytes, kTimestampMs, kArray, kMap };
  Kind kind = Kind::kNull;
  bool b = false;   // kBool
  uint32_t n = 0;   // kString, kBytes: length in bytes; kArray: items; kMap: members
  union {
    int64_t i = 0;    // kInt; kTimestampMs (milliseconds since the epoch)
    double d;         // kDouble
    const char* p;    // kString (UTF-8 text), kBytes: the first byte
    uint64_t span;    // kArray, kMap: how many nodes follow this one in its subtree
  };

  bool is_null() const { return kind == Kind::kNull; }
  bool is_number() const { return kind == Kind::kInt || kind == Kind::kDouble; }
  bool is_container() const { return kind == Kind::kArray || kind == Kind::kMap; }
  // kString, kBytes: the bytes; empty for every other kind.
  std::string_view s() const {
    return kind == Kind::kString || kind == Kind::kBytes ? std::string_view(p, n) : std::string_view();
  }
  void SetString(Kind k, std::string_view v) {
    kind = k;
    p = v.data();
    n = static_cast<uint32_t>(v.size());
  }
  void SetInt(Kind k, int64_t v) {
    kind = k;
    i = v;
  }
  // This node and its subtree: where its next sibling starts.
  uint64_t nodes() const { return 1 + (is_container() ? span : 0); }

  // The member's value, or nullptr when absent. Null members count as absent, as in AWS.
  const Value* Get(std::string_view key) const;

  // Children, in wire order. Items of an array; members (key, value) of a map.
  template <class V>
  class ItemRange {
   public:
    class iterator {
     public:
      explicit iterator(V* at) : at_(at) {}
      V& operator*() const { return *at_; }
      iterator& operator++() {
        at_ += at_->nodes();
        return *this;
      }
      bool operator!=(const iterator& o) const { return at_ != o.at_; }

     private:
      V* at_;
    };
    ItemRange(V* first, V* end) : first_(first), end_(end) {}
    iterator begin() const { return iterator(first_); }
    iterator end() const { return iterator(end_); }

   private:
    V* first_;
    V* end_;
  };
  template <class V>
  struct MemberRef {
    std::string_view key;
    V& value;
  };
  template <class V>
  class MemberRange {
   public:
    class iterator {
     public:
      explicit iterator(V* at) : at_(at) {}
      MemberRef<V> operator*() const { return {at_->s(), at_[1]}; }
      iterator& operator++() {
        at_ += 1 + at_[1].nodes();
        return *this;
      }
      bool operator!=(const iterator& o) const { return at_ != o.at_; }

     private:
      V* at_;
    };
    MemberRange(V* first, V* end) : first_(first), end_(end) {}
    iterator begin() const { return iterator(first_); }
    iterator end() const { return iterator(end_); }

   private:
    V* first_;
    V* end_;
  };

  // Empty ranges for anything that is not an array (items) or a map (members).
  ItemRange<const Value> items() const { return {Children(Kind::kArray), this + nodes()}; }
  ItemRange<Value> items() { return {const_cast<Value*>(Children(Kind::kArray)), this + nodes()}; }
  MemberRange<const Value> members() const { return {Children(Kind::kMap), this + nodes()}; }
  MemberRange<Value> members() { return {const_cast<Value*>(Children(Kind::kMap)), this + nodes()}; }
  // Items of an array, members of a map, the length of a string; 0 otherwise.
  size_t size() const { return kind == Kind::kArray || kind == Kind::kMap || kind == Kind::kString || kind == Kind::kBytes ? n : 0; }

 private:
  const Value* Children(Kind k) const { return kind == k ? this + 1 : this + nodes(); }
};
static_assert(sizeof(Value) == 16, "a node is 16 bytes: the parse memory bound depends on it");

// `v` rounded toward zero into int64, saturated at the int64 range (NaN: the maximum;
// callers reject non-finite numbers first). For times: a far-future timestamp stays in
// the far future instead of wrapping into the past.
int64_t SaturatingInt64(double v);
// `seconds` * 1000, saturated likewise.
int64_t SaturatingMillis(int64_t seconds);

enum class BodyEncoding { kJson, kCbor };

// Owns the request body and the node array whose views point into it.
// The parsers' strings are views into the body, which then moves into its ParsedBody.
// Moving a std::string keeps its buffer only when the buffer is on the heap; a short
// string lives inside the object (the small-string optimisation) and its bytes are
// copied, leaving every view dangling. So the body gets a heap buffer before parsing.
inline void PinBodyBuffer(std::string& body) {
  if (body.capacity() < sizeof(std::string)) body.reserve(sizeof(std::string));
}

class ParsedBody {
 public:
  // `nodes` holds `capacity` nodes, the root first.
  ParsedBody(std::string body, std::unique_ptr<Value[]> nodes, size_t capacity)
      : body_(std::move(body)), nodes_(std::move(nodes)), capacity_(capacity) {}
  ParsedBody(const ParsedBody&) = delete;
  ParsedBody& operator=(const ParsedBody&) = delete;

  const Value& root() const { return nodes_[0]; }
  // The body the tree's strings point into.
  std::string_view body() const { return body_; }
  // The schema check normalizes values in place (blob decoding, timestamps).
  Value& mutable_root() { return nodes_[0]; }
  // Bytes this parse holds: the body and the node array.
  size_t accounted_bytes() const { return body_.capacity() + capacity_ * sizeof(Value); }

 private:
  std::string body_;
  std::unique_ptr<Value[]> nodes_;
  size_t capacity_;
};

}  // namespace sluice::awsproto
