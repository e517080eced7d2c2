// JSON Schema's `format` keyword (draft 7, section 7.3) for the built-ins' record schemas:
// hand-written validators, linear in the value, no pattern engine.
//
// Checked: date-time, date, time (RFC 3339, leap second 60 allowed, days per month and
// leap years), email (RFC 5321's dot-atom local part @ a hostname or an [IPv4] literal),
// hostname (RFC 1123: labels of 1-63 letters, digits and inner hyphens, 253 characters
// at most), ipv4 (dotted quad, no leading zeros), ipv6 (RFC 4291 text, `::` and an
// embedded IPv4 tail), uuid (RFC 4122 text, 8-4-4-4-12 hex digits), regex (an ECMA-262
// pattern this project's matcher compiles) and json-pointer (RFC 6901).
// Refused when a schema is compiled: the other formats draft 7 defines (uri,
// uri-reference, iri, iri-reference, uri-template, idn-email, idn-hostname,
// relative-json-pointer) and duration: a schema relying on them would pass records it
// means to refuse. Any other name is an annotation, as the specification says: it
// checks nothing.
#pragma once

#include <string_view>

namespace sluice::functions::internal {

enum class FormatKind { kChecked, kRefused, kAnnotation };

FormatKind KindOfFormat(std::string_view format);

// The formats sluice checks, for messages: "date-time, date, time, ...".
std::string_view CheckedFormats();

// True when `value` is a valid `format` (a checked one; anything else is true).
bool FormatValid(std::string_view format, std::string_view value);

}  // namespace sluice::functions::internal
