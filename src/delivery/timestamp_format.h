// Internal to the delivery module: the subset of Java's DateTimeFormatter patterns that
// `!{timestamp:<pattern>}` prefix expressions use, applied to a UTC instant.
//
// Supported letters: y/u (year; "yy" = two digits, otherwise zero-padded to the count),
// M (1: month, 2: two digits, 3: "Aug", 4: "August", 5: "A"), d, H, m, s (1 or 2 letters),
// S (fraction of second, 1-9 digits, from the milliseconds). Text in single quotes is
// literal, '' is one quote; any other non-letter character is literal.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "delivery/utc_time.h"

namespace sluice::delivery {

// Checks `pattern` and formats `t` with it. Errors are kInvalidArgument:
//   * a character that is not a Java pattern letter ("Invalid conversion character used in
//     the value of the expression in <field>", AWS's wording);
//   * a Java pattern letter sluice does not implement, too many letters, an unclosed
//     quote, or an optional section / reserved character (sluice's wording, naming it).
Result<std::string> FormatTimestamp(std::string_view pattern, const UtcTime& t,
                                    std::string_view field);

}  // namespace sluice::delivery
