// UTF-8 well-formedness as RFC 3629 defines it: no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF. Pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace sluice {

// The length (2 to 4) of the well-formed multi-byte sequence at s[i], or 0 when the
// bytes there are not one (an ASCII byte is not a multi-byte sequence either).
size_t Utf8MultiByteLength(std::string_view s, size_t i);

bool IsValidUtf8(std::string_view s);

}  // namespace sluice
