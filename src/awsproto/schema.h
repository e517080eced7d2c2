// Request shape checking for AWS JSON 1.1 / CBOR services, with AWS's own wording:
// first a type check (SerializationException, first failure only), then constraint
// validation (ValidationException: "N validation errors detected: Value '…' at
// 'field' failed to satisfy constraint: …", at most 10). Fields are checked in the
// order their specs are listed, which is the order the messages list them in.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "awsproto/codec.h"
#include "awsproto/value.h"

namespace sluice::awsproto {

// kInteger is AWS's 32-bit Integer (larger values saturate); kLong its 64-bit Long
// (CloudWatch Logs' epoch-millisecond times).
enum class FieldType { kString, kInteger, kLong, kBoolean, kBlob, kTimestamp, kList, kMap, kStructure };

// A constraint on a string's shape, supplied by the service that owns the field: the
// regular expression AWS prints in its message, and a matcher for it that runs in
// linear time (a backtracking regex engine recurses per character on request input).
struct Pattern {
  std::string_view text;
  bool (*matches)(std::string_view s);
};

// Building blocks for services' matchers.
// [a-zA-Z0-9_.-]+
bool MatchesNameChars(std::string_view s);
// 0|([1-9]\d{0,max_digits-1})
bool MatchesDecimal(std::string_view s, size_t max_digits);

struct FieldSpec {
  std::string_view name;  // as on the wire: "StreamName"
  FieldType type = FieldType::kString;
  bool not_null = false;
  const Pattern* pattern = nullptr;  // null: any string
  std::optional<int64_t> min_len, max_len;  // characters, bytes (blob) or items
  std::optional<int64_t> min_value, max_value;
  std::span<const std::string_view> enum_values;  // in AWS's printed order
  // kList of structures / kStructure: the member specs. kList of strings: child_*_len.
  std::span<const FieldSpec> members;
  // The Java class AWS prints for list items in a validation message, e.g.
  // "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry".
  std::string_view member_type_name;
  std::optional<int64_t> child_min_len, child_max_len;  // list items, map keys
  std::optional<int64_t> value_min_len, value_max_len;  // map values
};

struct SchemaError {
  bool serialization = false;  // true: SerializationException (uses "Message")
  std::string message;
};

// Decoded blobs (base64 Data in JSON) of one request, in one buffer allocated once at
// 3/4 of the body's size on the first decode, the most any body's base64 text can
// decode to: views into it stay valid and never add up to more than that.
class BlobArena {
 public:
  explicit BlobArena(size_t body_bytes) : body_bytes_(body_bytes) {}
  // Decodes `base64` (strict, as Base64DecodeAppend) and returns a view of the bytes,
  // or nullopt when it is invalid.
  std::optional<std::string_view> Decode(std::string_view base64);
  size_t accounted_bytes() const { return bytes_.capacity(); }

 private:
  size_t body_bytes_;
  bool reserved_ = false;
  std::string bytes_;
};

// The parse limits for a request of this shape: twice the nodes of the largest valid
// request (every list and map at its maximum length) plus 64 for members AWS ignores,
// so a list a little over its limit still gets AWS's ValidationException naming it, and
// the shape's depth plus 2. A body beyond them cannot be a valid request. The nodes are
// capped at `most_nodes`: kMaxParseNodes unless the action's AWS limits need more (up to
// kMaxShapeParseNodes; codec.h).
ParseLimits LimitsFor(std::span<const FieldSpec> fields, uint32_t most_nodes = kMaxParseNodes);

// Type-checks and validates `root` (a map) in place: integers are floored and clamped
// as AWS does, blobs are base64-decoded into `blobs` (Value kind becomes kBytes),
// timestamps become kTimestampMs (saturated: a far-future time stays in the future).
// A number that is NaN or infinite where an integer or a timestamp is expected is a
// SerializationException. Returns nullopt when the request is well formed.
std::optional<SchemaError> CheckRequest(Value& root, std::span<const FieldSpec> fields, BlobArena& blobs);

// Runs only the constraint validation of one value against a spec, with a caller-chosen
// limit (e.g. a stream's own maximum record size). Returns the error text or "".
std::string FormatValidationErrors(const std::vector<std::string>& errors);
// `item_type`: the Java class AWS prints for the items of a list value (FieldSpec::
// member_type_name).
std::string ValidationError(const Value& v, std::string_view path, std::string_view constraint,
                            std::string_view item_type = {});

// The number of UTF-16 code units of UTF-8 text: what AWS's length limits count.
int64_t Utf16Length(std::string_view utf8);

}  // namespace sluice::awsproto
