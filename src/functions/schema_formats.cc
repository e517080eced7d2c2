#include "internal/schema_formats.h"

#include <array>
#include <cstdint>
#include <optional>

#include "base/linear_pattern.h"

namespace sluice::functions::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// `n` digits at s[at]: their value, or nullopt.
std::optional<int> Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return std::nullopt;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!IsDigit(s[i])) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// RFC 3339 full-date: YYYY-MM-DD with the month's days (February 29 in leap years).
bool FullDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  const auto year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  if (!year || !month || !day || *month < 1 || *month > 12 || *day < 1) return false;
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
  if (*month == 2 && !leap) return *day <= 28;
  return *day <= kDays[static_cast<size_t>(*month - 1)];
}

// RFC 3339 full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM); a leap second (60) is allowed.
bool FullTime(std::string_view s) {
  if (s.size() < 9 || s[2] != ':' || s[5] != ':') return false;
  const auto h = Digits(s, 0, 2), m = Digits(s, 3, 2), sec = Digits(s, 6, 2);
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return false;
  size_t at = 8;
  if (at < s.size() && s[at] == '.') {
    const size_t first = ++at;
    while (at < s.size() && IsDigit(s[at])) ++at;
    if (at == first) return false;
  }
  const std::string_view zone = s.substr(at);
  if (zone == "Z" || zone == "z") return true;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return false;
  const auto zh = Digits(zone, 1, 2), zm = Digits(zone, 4, 2);
  return zh && zm && *zh <= 23 && *zm <= 59;
}

bool DateTime(std::string_view s) {
  return s.size() > 11 && (s[10] == 'T' || s[10] == 't') && FullDate(s.substr(0, 10)) && FullTime(s.substr(11));
}

bool Ipv4(std::string_view s) {
  int parts = 0;
  size_t at = 0;
  while (true) {
    const size_t first = at;
    int v = 0;
    while (at < s.size() && IsDigit(s[at]) && at - first < 3) v = v * 10 + (s[at++] - '0');
    const size_t len = at - first;
    if (len == 0 || v > 255 || (len > 1 && s[first] == '0')) return false;
    if (++parts == 4) return at == s.size();
    if (at >= s.size() || s[at] != '.') return false;
    ++at;
  }
}

// Groups of 1-4 hex digits separated by ':' (the whole of `s`); an IPv4 tail counts as
// two groups when `v4_tail`. nullopt when malformed.
std::optional<int> HexGroups(std::string_view s, bool v4_tail) {
  if (s.empty()) return 0;
  int groups = 0;
  size_t at = 0;
  while (true) {
    const size_t colon = s.find(':', at);
    const std::string_view g = s.substr(at, colon == std::string_view::npos ? std::string_view::npos : colon - at);
    if (colon == std::string_view::npos && v4_tail && g.find('.') != std::string_view::npos) {
      return Ipv4(g) ? std::optional<int>(groups + 2) : std::nullopt;
    }
    if (g.empty() || g.size() > 4) return std::nullopt;
    for (const char c : g) {
      if (!IsHex(c)) return std::nullopt;
    }
    ++groups;
    if (colon == std::string_view::npos) return groups;
    at = colon + 1;
  }
}

bool Ipv6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  const size_t gap = s.find("::");
  if (gap == std::string_view::npos) return HexGroups(s, true) == 8;
  if (s.find("::", gap + 1) != std::string_view::npos) return false;
  const auto head = HexGroups(s.substr(0, gap), false);
  const auto tail = HexGroups(s.substr(gap + 2), true);
  return head && tail && *head + *tail <= 7;
}

bool Hostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t at = 0;
  while (true) {
    const size_t dot = s.find('.', at);
    const std::string_view label = s.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      if (!IsAlpha(c) && !IsDigit(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    at = dot + 1;
  }
}

bool Email(std::string_view s) {
  const size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  constexpr std::string_view kAtext = "!#$%&'*+/=?^_`{|}~-";
  if (local.front() == '.' || local.back() == '.') return false;
  for (size_t i = 0; i < local.size(); ++i) {
    const char c = local[i];
    if (c == '.') {
      if (local[i - 1] == '.') return false;
      continue;
    }
    if (!IsAlpha(c) && !IsDigit(c) && kAtext.find(c) == std::string_view::npos) return false;
  }
  if (domain.size() > 2 && domain.front() == '[' && domain.back() == ']') return Ipv4(domain.substr(1, domain.size() - 2));
  return Hostname(domain);
}

bool Uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool JsonPointer(std::string_view s) {
  if (s.empty()) return true;
  if (s.front() != '/') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '~' && (i + 1 >= s.size() || (s[i + 1] != '0' && s[i + 1] != '1'))) return false;
  }
  return true;
}

bool Regex(std::string_view s) { return LinearPattern::Compile(s, PatternSyntax::kEcma).ok(); }

struct Checker {
  std::string_view name;
  bool (*valid)(std::string_view);
};
constexpr Checker kChecked[] = {{"date-time", DateTime}, {"date", FullDate},   {"time", FullTime},
                                {"email", Email},        {"hostname", Hostname}, {"ipv4", Ipv4},
                                {"ipv6", Ipv6},          {"uuid", Uuid},       {"regex", Regex},
                                {"json-pointer", JsonPointer}};
constexpr std::string_view kRefused[] = {"uri",         "uri-reference", "iri",      "iri-reference",
                                         "uri-template", "idn-email",    "idn-hostname",
                                         "relative-json-pointer", "duration"};

}  // namespace

FormatKind KindOfFormat(std::string_view format) {
  for (const Checker& c : kChecked) {
    if (c.name == format) return FormatKind::kChecked;
  }
  for (const std::string_view r : kRefused) {
    if (r == format) return FormatKind::kRefused;
  }
  return FormatKind::kAnnotation;
}

std::string_view CheckedFormats() {
  return "date-time, date, time, email, hostname, ipv4, ipv6, uuid, regex, json-pointer";
}

bool FormatValid(std::string_view format, std::string_view value) {
  for (const Checker& c : kChecked) {
    if (c.name == format) return c.valid(value);
  }
  return true;
}

}  // namespace sluice::functions::internal
