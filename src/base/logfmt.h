// logfmt values: one log line is `key=value key=value ...`, and a value that holds a
// space, '"', '=' or a control character would split or forge fields (a data dir named
// `a" level=error` must not become a field). LogfmtValue returns a value ready to follow
// `key=`: as it is when it is safe bare, else in double quotes with '"' and '\' escaped
// as \" and \\, newline, carriage return and tab as \n, \r, \t, and other control
// characters as \u00XX. Bytes >= 0x80 (UTF-8) pass unchanged. An empty value is "".
#pragma once

#include <string>
#include <string_view>

namespace sluice {

std::string LogfmtValue(std::string_view value);

// Appends " key=<LogfmtValue(value)>" (no leading space when `line` is empty).
void AppendLogfmt(std::string& line, std::string_view key, std::string_view value);

}  // namespace sluice
