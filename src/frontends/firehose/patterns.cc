#include "internal/patterns.h"

#include <cstring>

namespace sluice::frontends::firehose {
namespace {

bool IsLineBreak(char c) { return c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// "arn:" then `.*` (no line break) over s[4, end).
bool ArnHead(std::string_view s, size_t end) {
  if (!s.starts_with("arn:") || end < 4) return false;
  for (size_t i = 4; i < end; ++i) {
    if (IsLineBreak(s[i])) return false;
  }
  return true;
}

template <typename Pred>
bool AllOf(std::string_view s, Pred pred) {
  for (const char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool AllDigits(std::string_view s) { return AllOf(s, IsDigit); }

// Each ARN below ends in a resource whose characters exclude ':', so the last ':' is
// the one fixed by the pattern and every other part is found from it in one pass.
// One of `set` (never NUL: strchr finds the terminator).
bool OneOf(char c, const char* set) { return c != 0 && std::strchr(set, c) != nullptr; }
bool RoleTail(char c) { return IsAlnum(c) || OneOf(c, "_+=,.@-/"); }
bool BucketTail(char c) { return IsAlnum(c) || c == '_' || c == '.' || c == '-'; }
bool NameChar(char c) { return IsAlnum(c) || c == '_' || c == '.' || c == '-'; }

bool Name(std::string_view s) { return awsproto::MatchesNameChars(s); }
bool Any(std::string_view s) { return AllOf(s, [](char c) { return !IsLineBreak(c); }); }
bool NonBlank(std::string_view s) { return !s.empty() && !AllOf(s, IsSpace); }
bool VersionId(std::string_view s) { return !s.empty() && AllDigits(s); }
bool DestinationId(std::string_view s) { return !s.empty() && AllOf(s, [](char c) { return IsAlnum(c) || c == '-'; }); }
// Letters, separators and digits of any script (non-ASCII bytes are taken as such).
bool TagChar(char c) {
  return static_cast<unsigned char>(c) >= 0x80 || IsAlnum(c) || c == ' ' || OneOf(c, "_.:/=+-@%");
}
bool TagValue(std::string_view s) { return AllOf(s, TagChar); }
bool TagKey(std::string_view s) { return !s.starts_with("aws:") && TagValue(s); }
bool LogGroupName(std::string_view s) {
  return AllOf(s, [](char c) { return IsAlnum(c) || OneOf(c, "._-/#"); });
}
bool LogStreamName(std::string_view s) { return AllOf(s, [](char c) { return c != ':' && c != '*'; }); }

}  // namespace

bool MatchesRoleArn(std::string_view s) {
  const size_t colon = s.rfind(':');
  constexpr std::string_view kRole = ":role/";
  constexpr std::string_view kIam = ":iam::";
  if (colon == std::string_view::npos || s.compare(colon, kRole.size(), kRole) != 0) return false;
  const std::string_view tail = s.substr(colon + kRole.size());
  if (tail.empty() || !AllOf(tail, RoleTail)) return false;
  if (colon < 12 + kIam.size()) return false;
  if (!AllDigits(s.substr(colon - 12, 12))) return false;
  const size_t iam = colon - 12 - kIam.size();
  return s.compare(iam, kIam.size(), kIam) == 0 && ArnHead(s, iam);
}

bool MatchesBucketArn(std::string_view s) {
  constexpr std::string_view kS3 = ":s3:::";
  const size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon + 1 < kS3.size()) return false;
  const std::string_view tail = s.substr(colon + 1);
  if (tail.empty() || tail.size() > 255 || !AllOf(tail, BucketTail)) return false;
  const size_t s3 = colon + 1 - kS3.size();
  return s.compare(s3, kS3.size(), kS3) == 0 && ArnHead(s, s3);
}

bool MatchesStreamArn(std::string_view s) {
  constexpr std::string_view kStream = ":stream/";
  constexpr std::string_view kKinesis = ":kinesis:";
  const size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || s.compare(colon, kStream.size(), kStream) != 0) return false;
  const std::string_view tail = s.substr(colon + kStream.size());
  if (tail.empty() || !AllOf(tail, NameChar)) return false;
  if (colon < 13 || s[colon - 13] != ':' || !AllDigits(s.substr(colon - 12, 12))) return false;
  const size_t region_end = colon - 13;
  const size_t region_colon = s.rfind(':', region_end == 0 ? 0 : region_end - 1);
  if (region_colon == std::string_view::npos || region_colon + 1 >= region_end + 1) return false;
  const std::string_view region = s.substr(region_colon + 1, region_end - region_colon - 1);
  if (region.empty() || !AllOf(region, [](char c) { return IsAlnum(c) || c == '-'; })) return false;
  if (region_colon + 1 < kKinesis.size()) return false;
  const size_t service = region_colon + 1 - kKinesis.size();
  return s.compare(service, kKinesis.size(), kKinesis) == 0 && ArnHead(s, service);
}

const awsproto::Pattern kNamePattern{"[a-zA-Z0-9_.-]+", &Name};
const awsproto::Pattern kRoleArnPattern{"arn:.*:iam::\\d{12}:role/[a-zA-Z_0-9+=,.@\\-_/]+", &MatchesRoleArn};
const awsproto::Pattern kBucketArnPattern{"arn:.*:s3:::[\\w\\.\\-]{1,255}", &MatchesBucketArn};
const awsproto::Pattern kStreamArnPattern{"arn:.*:kinesis:[a-zA-Z0-9\\-]+:\\d{12}:stream/[a-zA-Z0-9_.-]+",
                                          &MatchesStreamArn};
const awsproto::Pattern kPrefixPattern{".*", &Any};
const awsproto::Pattern kNonBlankPattern{"^(?!\\s*$).+", &NonBlank};
const awsproto::Pattern kVersionIdPattern{"[0-9]+", &VersionId};
const awsproto::Pattern kDestinationIdPattern{"[a-zA-Z0-9-]+", &DestinationId};
const awsproto::Pattern kTagKeyPattern{"^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$", &TagKey};
const awsproto::Pattern kTagValuePattern{"^[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$", &TagValue};
const awsproto::Pattern kLogGroupNamePattern{"[\\.\\-_/#A-Za-z0-9]*", &LogGroupName};
const awsproto::Pattern kLogStreamNamePattern{"[^:*]*", &LogStreamName};

}  // namespace sluice::frontends::firehose
