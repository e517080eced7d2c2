// RecordDeAggregation: splitting one delivered record into the records it aggregates,
// before MetadataExtraction and delivery. Pure functions, thread-safe; the returned
// views point into the input, which must outlive them.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::delivery {

// SubRecordType JSON: the record is a sequence of JSON objects, concatenated and/or
// separated by whitespace (e.g. JSON lines, or `{"a":1}{"a":2}`). Returns each object's
// exact bytes (no surrounding whitespace). kInvalidArgument when the data holds anything
// but whole JSON objects (a bare value, an unterminated object or string, stray bytes).
// The scan checks structure (braces, brackets, strings, escapes), not full JSON syntax:
// each returned object is validated later by whoever parses it.
Result<std::vector<std::string_view>> SplitJsonObjects(std::string_view data);

// SubRecordType DELIMITED: the record split on `delimiter` (the decoded bytes of the
// API's base64 Delimiter; must not be empty). Empty pieces between two delimiters are
// kept; a trailing delimiter does not produce an empty last piece.
Result<std::vector<std::string_view>> SplitDelimited(std::string_view data,
                                                     std::string_view delimiter);

}  // namespace sluice::delivery
