#include "internal/types.h"

#include <cstdio>
#include <ctime>

#include "base/ascii.h"

namespace sluice::query {

ColumnType ParseColumnType(std::string_view hive) {
  const std::string_view base = hive.substr(0, hive.find_first_of("<("));
  if (base == "string" || base == "varchar" || base == "char" || base == "binary") {
    return {ValueKind::kString, base == "string" ? "varchar" : std::string(base)};
  }
  if (base == "int") return {ValueKind::kInteger, "integer"};
  if (base == "bigint" || base == "smallint" || base == "tinyint") return {ValueKind::kInteger, std::string(base)};
  if (base == "double" || base == "float") return {ValueKind::kDouble, std::string(base)};
  if (base == "decimal") {
    // Hive's decimal without arguments is decimal(10,0).
    ColumnType t{ValueKind::kDecimal, "decimal", 10, 0};
    if (const size_t open = hive.find('('); open != std::string_view::npos) {
      int p = 0, sc = 0;
      if (std::sscanf(std::string(hive.substr(open)).c_str(), "(%d,%d)", &p, &sc) == 2 && p >= 1 && p <= 38 &&
          sc >= 0 && sc <= p) {
        t.precision = p;
        t.scale = sc;
      } else if (std::sscanf(std::string(hive.substr(open)).c_str(), "(%d)", &p) == 1 && p >= 1 && p <= 38) {
        t.precision = p;
      }
    }
    return t;
  }
  if (base == "boolean") return {ValueKind::kBoolean, "boolean"};
  if (base == "date") return {ValueKind::kDate, "date"};
  if (base == "timestamp") return {ValueKind::kTimestamp, "timestamp"};
  if (base == "struct") return {ValueKind::kNested, "row"};
  return {ValueKind::kNested, std::string(base)};  // array, map
}

std::string DeclaredType(const ColumnType& type) {
  std::string out = AsciiLower(type.athena);
  if (type.kind == ValueKind::kDecimal) {
    out += "(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
  }
  return out;
}

int DecimalScaleFromDecl(std::string_view decl) {
  const std::string lower = AsciiLower(decl);
  int p = 0, sc = 0;
  if (!lower.starts_with("decimal(") || std::sscanf(lower.c_str(), "decimal(%d,%d)", &p, &sc) != 2) return -1;
  return sc;
}

bool NormalizeDecimal(std::string_view text, int precision, int scale, std::string& out) {
  std::string_view s = TrimBlanks(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string digits;  // the value is digits * 10^exponent
  int64_t exponent = 0;
  size_t i = 0;
  bool any = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, any = true) digits += s[i];
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, any = true) {
      digits += s[i];
      --exponent;
    }
  }
  if (!any) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg_exp = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg_exp = s[i++] == '-';
    int64_t e = 0;
    bool exp_digits = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, exp_digits = true) {
      e = e * 10 + (s[i] - '0');
      if (e > 1000) return false;
    }
    if (!exp_digits) return false;
    exponent += neg_exp ? -e : e;
  }
  if (i != s.size()) return false;
  // Shift to `scale` fractional digits, rounding half up on the first dropped digit.
  const int64_t shift = exponent + scale;
  if (shift >= 0) {
    if (shift > 80) return false;
    digits.append(static_cast<size_t>(shift), '0');
  } else {
    const size_t drop = static_cast<size_t>(-shift);
    const bool up = drop <= digits.size() && digits[digits.size() - drop] >= '5';
    digits.resize(drop >= digits.size() ? 0 : digits.size() - drop);
    if (up) {
      size_t k = digits.size();
      while (k > 0 && digits[k - 1] == '9') digits[--k] = '0';
      if (k == 0) digits.insert(digits.begin(), '1');
      else ++digits[k - 1];
    }
  }
  const size_t first = digits.find_first_not_of('0');
  digits = first == std::string::npos ? "" : digits.substr(first);
  if (digits.size() < static_cast<size_t>(scale) + 1) digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
  if (digits.size() - static_cast<size_t>(scale) > static_cast<size_t>(precision - scale) &&
      !(digits.size() - static_cast<size_t>(scale) == 1 && digits[0] == '0')) {
    return false;
  }
  const bool zero = digits.find_first_not_of('0') == std::string::npos;
  out = negative && !zero ? "-" : "";
  out += digits.substr(0, digits.size() - static_cast<size_t>(scale));
  if (scale > 0) out += "." + digits.substr(digits.size() - static_cast<size_t>(scale));
  return true;
}

std::string AthenaTypeFromDecl(std::string_view decl) {
  if (DecimalScaleFromDecl(decl) >= 0) return "decimal";
  static constexpr std::string_view kKnown[] = {"varchar", "char", "binary", "integer", "bigint",
                                                "smallint", "tinyint", "double", "float", "decimal",
                                                "boolean", "date", "timestamp", "row", "array", "map"};
  const std::string lower = AsciiLower(decl);
  for (std::string_view k : kKnown) {
    if (lower == k) return lower;
  }
  return "";
}

std::tm UtcTime(int64_t ms, int& millis) {
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  millis = static_cast<int>(frac);
  const time_t t = static_cast<time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::string QuoteName(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string FormatTimestampMs(int64_t ms) {
  int frac = 0;
  const std::tm tm = UtcTime(ms, frac);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::string FormatDate(int64_t days) { return FormatTimestampMs(days * 86'400'000).substr(0, 10); }

namespace {
bool Digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
// Days from 1970-01-01 to y-m-d (proleptic Gregorian), Howard Hinnant's algorithm.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
}  // namespace

bool ParseTimestampMs(std::string_view s, int64_t& ms) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, frac = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return false;
  }
  size_t at = 10;
  if (at < s.size()) {
    if ((s[at] != ' ' && s[at] != 'T') || !Digits(s, at + 1, 2, h) || at + 3 >= s.size() ||
        s[at + 3] != ':' || !Digits(s, at + 4, 2, mi)) {
      return false;
    }
    at += 6;
    if (at < s.size() && s[at] == ':') {
      if (!Digits(s, at + 1, 2, sec)) return false;
      at += 3;
    }
    if (at < s.size() && s[at] == '.') {
      int scale = 100;
      for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at) {
        frac += (s[at] - '0') * scale;
        scale /= 10;
      }
    }
    if (at < s.size() && s[at] == 'Z') ++at;
    if (at != s.size()) return false;
  }
  ms = ((DaysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60'000 + int64_t{sec} * 1000 + frac;
  return true;
}

}  // namespace sluice::query
