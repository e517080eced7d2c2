// The string patterns of the Kinesis API, as its reference prints them, each with a
// matcher that runs in linear time over the request's bytes.
#pragma once

#include <string_view>

#include "awsproto/schema.h"

namespace sluice::frontends::kinesis {

extern const awsproto::Pattern kNamePattern;      // [a-zA-Z0-9_.-]+
extern const awsproto::Pattern kHashKeyPattern;   // 0|([1-9]\d{0,38})
extern const awsproto::Pattern kSequencePattern;  // 0|([1-9]\d{0,128})
extern const awsproto::Pattern kStreamArnPattern; // arn:aws.*:kinesis:.*:\d{12}:stream/\S+

// arn:aws.*:kinesis:.*:\d{12}:stream/\S+ with the regular expression's meaning ('.'
// matches anything but a line break, \S anything but white space), in O(n).
bool MatchesStreamArn(std::string_view s);

}  // namespace sluice::frontends::kinesis
