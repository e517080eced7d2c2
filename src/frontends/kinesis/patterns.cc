#include "internal/patterns.h"

namespace sluice::frontends::kinesis {
namespace {

bool IsLineBreak(char c) { return c == '\n' || c == '\r'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool Name(std::string_view s) { return awsproto::MatchesNameChars(s); }
bool HashKey(std::string_view s) { return awsproto::MatchesDecimal(s, 39); }
bool Sequence(std::string_view s) { return awsproto::MatchesDecimal(s, 129); }

}  // namespace

// The first ":kinesis:" is the best choice for the first `.*` (any later one leaves the
// second `.*` less room), so one scan finds it; then every place the fixed tail
// ":<12 digits>:stream/" could start is tried in constant time each, with the line
// breaks before it and the white space after it known from two precomputed positions.
bool MatchesStreamArn(std::string_view s) {
  constexpr std::string_view kPrefix = "arn:aws";
  constexpr std::string_view kService = ":kinesis:";
  constexpr std::string_view kResource = ":stream/";
  constexpr size_t kAccountDigits = 12;
  if (!s.starts_with(kPrefix)) return false;
  size_t service = std::string_view::npos;
  for (size_t i = kPrefix.size(); i + kService.size() <= s.size(); ++i) {
    if (IsLineBreak(s[i])) return false;
    if (s.compare(i, kService.size(), kService) == 0) {
      service = i;
      break;
    }
  }
  if (service == std::string_view::npos) return false;
  const size_t region = service + kService.size();
  size_t first_break = s.size();
  for (size_t i = region; i < s.size(); ++i) {
    if (IsLineBreak(s[i])) {
      first_break = i;
      break;
    }
  }
  size_t last_space_end = 0;  // one past the last white space character
  for (size_t i = s.size(); i > 0; --i) {
    if (IsSpace(s[i - 1])) {
      last_space_end = i;
      break;
    }
  }
  const size_t tail = 1 + kAccountDigits + kResource.size();
  for (size_t p = region; p + tail < s.size() && p <= first_break; ++p) {
    if (s[p] != ':') continue;
    bool digits = true;
    for (size_t d = 1; d <= kAccountDigits && digits; ++d) digits = IsDigit(s[p + d]);
    if (!digits) continue;
    if (s.compare(p + 1 + kAccountDigits, kResource.size(), kResource) != 0) continue;
    if (p + tail >= last_space_end) return true;
  }
  return false;
}

const awsproto::Pattern kNamePattern{"[a-zA-Z0-9_.-]+", &Name};
const awsproto::Pattern kHashKeyPattern{"0|([1-9]\\d{0,38})", &HashKey};
const awsproto::Pattern kSequencePattern{"0|([1-9]\\d{0,128})", &Sequence};
const awsproto::Pattern kStreamArnPattern{"arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", &MatchesStreamArn};

}  // namespace sluice::frontends::kinesis
