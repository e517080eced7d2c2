// What the log store shares with its front end: error names, retention values and
// filter patterns (stream names: builtin_log.cc, which the mapping library holds).
#include <array>

#include "functions/logs.h"

namespace sluice::functions {

std::string_view LogsErrorName(LogsError e) {
  switch (e) {
    case LogsError::kResourceNotFound: return "ResourceNotFoundException";
    case LogsError::kResourceAlreadyExists: return "ResourceAlreadyExistsException";
    case LogsError::kInvalidParameter: return "InvalidParameterException";
    case LogsError::kService: return "ServiceUnavailableException";
  }
  return "ServiceUnavailableException";
}

int LogsErrorStatus(LogsError e) { return e == LogsError::kService ? 500 : 400; }

bool IsAllowedRetentionDays(int64_t days) {
  static constexpr std::array<int64_t, 22> kAllowed = {1,   3,   5,   7,    14,   30,   60,   90,   120,  150,  180,
                                                       365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};
  for (const int64_t d : kAllowed) {
    if (d == days) return true;
  }
  return false;
}

LogsResult<FilterPattern> FilterPattern::Parse(std::string_view text) {
  FilterPattern p;
  size_t i = 0;
  auto bad = [](std::string why) { return LogsFailure{LogsError::kInvalidParameter, std::move(why)}; };
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == '\t') {
      ++i;
      continue;
    }
    if (text[i] == '{' || text[i] == '[') {
      return bad("sluice supports term and quoted-phrase filter patterns only, not JSON or "
                 "space-delimited patterns");
    }
    std::vector<std::string>* into = &p.all_;
    if (text[i] == '?') {
      into = &p.any_;
      ++i;
    } else if (text[i] == '-') {
      into = &p.none_;
      ++i;
    }
    std::string term;
    if (i < text.size() && text[i] == '"') {
      const size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) return bad("Invalid character(s) in term '" + std::string(text) + "'");
      term = std::string(text.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      const size_t end = text.find_first_of(" \t", i);
      term = std::string(text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
      i = end == std::string_view::npos ? text.size() : end;
    }
    if (!term.empty()) into->push_back(std::move(term));
  }
  return p;
}

bool FilterPattern::Matches(std::string_view message) const {
  for (const std::string& t : all_) {
    if (message.find(t) == std::string_view::npos) return false;
  }
  for (const std::string& t : none_) {
    if (message.find(t) != std::string_view::npos) return false;
  }
  if (any_.empty()) return true;
  for (const std::string& t : any_) {
    if (message.find(t) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace sluice::functions
