#include "delivery/timestamp_format.h"

#include <array>
#include <cstdio>

namespace sluice::delivery {
namespace {

// Every letter Java's DateTimeFormatter.ofPattern reserves (JDK 17).
constexpr std::string_view kJavaPatternLetters = "GuyDMLdQqYwWEecFahKkHmsSAnNVvzOXxZpBg";
constexpr std::string_view kSupported = "yuMdHmsS";
constexpr std::array<std::string_view, 12> kMonths = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

void AppendPadded(std::string& out, int64_t value, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(value));
  out += buf;
}

Status Unsupported(char letter, size_t count, std::string_view why) {
  return Status::InvalidArgument("unsupported timestamp pattern '" + std::string(count, letter) +
                                 "': " + std::string(why) +
                                 " (sluice supports y u M d H m s S and quoted text)");
}

Status AppendField(std::string& out, char letter, size_t count, const UtcTime& t) {
  switch (letter) {
    case 'y':
    case 'u':
      if (count == 2) {
        AppendPadded(out, ((t.year % 100) + 100) % 100, 2);
      } else if (count <= 19) {
        AppendPadded(out, t.year, static_cast<int>(count));
      } else {
        return Unsupported(letter, count, "too many pattern letters");
      }
      return Status::OK();
    case 'M':
      if (count <= 2) {
        AppendPadded(out, t.month, static_cast<int>(count));
      } else if (count == 3) {
        out += kMonths[t.month - 1].substr(0, 3);
      } else if (count == 4) {
        out += kMonths[t.month - 1];
      } else if (count == 5) {
        out += kMonths[t.month - 1].substr(0, 1);
      } else {
        return Unsupported(letter, count, "too many pattern letters");
      }
      return Status::OK();
    case 'd':
    case 'H':
    case 'm':
    case 's': {
      if (count > 2) return Unsupported(letter, count, "too many pattern letters");
      int v = letter == 'd' ? t.day : letter == 'H' ? t.hour : letter == 'm' ? t.minute : t.second;
      AppendPadded(out, v, static_cast<int>(count));
      return Status::OK();
    }
    case 'S': {
      if (count > 9) return Unsupported(letter, count, "too many pattern letters");
      std::string fraction;
      AppendPadded(fraction, t.millis, 3);
      fraction.resize(9, '0');  // sub-millisecond digits are zero
      out += fraction.substr(0, count);
      return Status::OK();
    }
    default:
      return Unsupported(letter, count, "not implemented");
  }
}

}  // namespace

Result<std::string> FormatTimestamp(std::string_view pattern, const UtcTime& t,
                                    std::string_view field) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    if (c == '\'') {
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '\'') {  // '' = one quote
        out += '\'';
        i = j + 1;
        continue;
      }
      std::string text;
      bool closed = false;
      while (j < pattern.size()) {
        if (pattern[j] == '\'') {
          if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
            text += '\'';
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        text += pattern[j++];
      }
      if (!closed) {
        return Status::InvalidArgument("unclosed quote in timestamp pattern '" +
                                       std::string(pattern) + "'");
      }
      out += text;
      i = j + 1;
      continue;
    }
    if (IsAsciiLetter(c)) {
      size_t count = 1;
      while (i + count < pattern.size() && pattern[i + count] == c) ++count;
      if (kJavaPatternLetters.find(c) == std::string_view::npos) {
        return Status::InvalidArgument(
            "Invalid conversion character used in the value of the expression in " +
            std::string(field));
      }
      if (kSupported.find(c) == std::string_view::npos) {
        return Unsupported(c, count, "not implemented");
      }
      RETURN_IF_ERROR(AppendField(out, c, count, t));
      i += count;
      continue;
    }
    if (c == '[' || c == ']' || c == '#' || c == '{' || c == '}') {
      return Status::InvalidArgument(std::string("unsupported timestamp pattern character '") + c +
                                     "' (optional sections and reserved characters)");
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace sluice::delivery
