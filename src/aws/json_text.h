// Writing JSON text by hand on hot paths (PutRecords bodies, record building), where
// building a DOM first would double the work. Output is RFC 8259 JSON; input bytes
// are assumed UTF-8 and passed through, only quote, backslash and controls escaped.
#pragma once

#include <string>
#include <string_view>

namespace sluice::aws {

// Appends `s` as a quoted JSON string.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace sluice::aws
