// TopLevelObjectKeys: the keys of a JQ object constructor, read from the query text.
#include <cctype>

#include "delivery/jq_extract.h"

namespace sluice::delivery {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Splits the body of the constructor at top-level commas. False when the text has a
// comment, an interpolated string, an unbalanced bracket or an unterminated string.
bool SplitEntries(std::string_view body, std::vector<std::string_view>& entries) {
  std::string open;
  size_t start = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '"') {
      for (++i; i < body.size() && body[i] != '"'; ++i) {
        if (body[i] == '\\') {
          if (i + 1 < body.size() && body[i + 1] == '(') return false;  // interpolation
          ++i;
        }
      }
      if (i >= body.size()) return false;
    } else if (c == '#') {
      return false;
    } else if (c == '(' || c == '[' || c == '{') {
      open.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (open.empty() || open.back() != c) return false;
      open.pop_back();
    } else if (c == ',' && open.empty()) {
      entries.push_back(body.substr(start, i - start));
      start = i + 1;
    }
  }
  if (!open.empty()) return false;
  entries.push_back(body.substr(start));
  return true;
}

// The key of one entry ("key: value", "key", "$var", "\"key\"") or nullopt.
std::optional<std::string> EntryKey(std::string_view entry) {
  entry = Trim(entry);
  if (entry.empty()) return std::nullopt;
  size_t i = 0;
  std::string key;
  if (entry[0] == '"') {
    for (i = 1; i < entry.size() && entry[i] != '"'; ++i) {
      if (entry[i] == '\\') return std::nullopt;  // escapes: leave to jq
      key += entry[i];
    }
    if (i >= entry.size()) return std::nullopt;
    ++i;
  } else {
    if (entry[0] == '$') i = 1;
    if (i >= entry.size() || !IsIdentStart(entry[i])) return std::nullopt;
    size_t begin = i;
    while (i < entry.size() && IsIdent(entry[i])) ++i;
    key = std::string(entry.substr(begin, i - begin));
  }
  std::string_view rest = Trim(entry.substr(i));
  if (!rest.empty() && rest[0] != ':') return std::nullopt;
  if (!rest.empty() && entry[0] == '$') return std::nullopt;  // "$x: v" is not jq
  return key;
}

}  // namespace

std::optional<std::vector<std::string>> TopLevelObjectKeys(std::string_view query) {
  query = Trim(query);
  if (query.size() < 2 || query.front() != '{' || query.back() != '}') return std::nullopt;
  std::vector<std::string_view> entries;
  if (!SplitEntries(query.substr(1, query.size() - 2), entries)) return std::nullopt;
  // The first '{' must close at the end: "{a:1} | {b:2}" is not one constructor.
  std::vector<std::string> keys;
  if (entries.size() == 1 && Trim(entries[0]).empty()) return keys;  // {}
  for (std::string_view e : entries) {
    auto key = EntryKey(e);
    if (!key) return std::nullopt;
    keys.push_back(std::move(*key));
  }
  return keys;
}

}  // namespace sluice::delivery
