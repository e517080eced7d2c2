// Request shape checking for AWS JSON 1.1 / CBOR services, with AWS's own wording:
// first a type check (SerializationException, first failure only), then constraint
// validation (ValidationException: "N validation errors detected: Value '…' at
// 'field' failed to satisfy constraint: …", at most 10). Fields are checked in the
// order their specs are listed, which is the order the messages list them in.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "awsproto/value.h"

namespace sluice::awsproto {

enum class FieldType { kString, kInteger, kBoolean, kBlob, kTimestamp, kList, kMap, kStructure };

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
  std::string_view member_type_name;  // Java class AWS prints for list items
  std::optional<int64_t> child_min_len, child_max_len;  // list items, map keys
  std::optional<int64_t> value_min_len, value_max_len;  // map values
};

struct SchemaError {
  bool serialization = false;  // true: SerializationException (uses "Message")
  std::string message;
};

// Type-checks and validates `root` (a map) in place: integers are floored and clamped
// as AWS does, blobs are base64-decoded into `arena` (Value kind becomes kBytes),
// timestamps become kTimestampMs. Returns nullopt when the request is well formed.
std::optional<SchemaError> CheckRequest(Value& root, std::span<const FieldSpec> fields,
                                        std::deque<std::string>& arena);

// Runs only the constraint validation of one value against a spec, with a caller-chosen
// limit (e.g. a stream's own maximum record size). Returns the error text or "".
std::string FormatValidationErrors(const std::vector<std::string>& errors);
std::string ValidationError(const Value& v, std::string_view path, std::string_view constraint);

// The number of UTF-16 code units of UTF-8 text: what AWS's length limits count.
int64_t Utf16Length(std::string_view utf8);

}  // namespace sluice::awsproto
