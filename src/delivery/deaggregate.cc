#include "delivery/deaggregate.h"

#include <string>

namespace sluice::delivery {
namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

Status NotObjects(size_t offset, std::string_view what) {
  return Status::InvalidArgument("record is not a sequence of JSON objects: " + std::string(what) +
                                 " at offset " + std::to_string(offset));
}

// The end (one past the closing brace) of the object starting at data[start] == '{'.
Result<size_t> ScanObject(std::string_view data, size_t start) {
  std::string open;  // the expected closers, innermost last
  size_t i = start;
  while (i < data.size()) {
    char c = data[i];
    if (c == '"') {
      ++i;
      while (i < data.size() && data[i] != '"') i += data[i] == '\\' ? 2 : 1;
      if (i >= data.size()) return NotObjects(start, "unterminated string in the object");
      ++i;
      continue;
    }
    if (c == '{' || c == '[') {
      open.push_back(c == '{' ? '}' : ']');
    } else if (c == '}' || c == ']') {
      if (open.empty() || open.back() != c) return NotObjects(i, "mismatched bracket");
      open.pop_back();
      if (open.empty()) return i + 1;
    }
    ++i;
  }
  return NotObjects(start, "unterminated object");
}

}  // namespace

Result<std::vector<std::string_view>> SplitJsonObjects(std::string_view data) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    while (i < data.size() && IsJsonSpace(data[i])) ++i;
    if (i == data.size()) break;
    if (data[i] != '{') return NotObjects(i, "not an object");
    ASSIGN_OR_RETURN(size_t end, ScanObject(data, i));
    out.push_back(data.substr(i, end - i));
    i = end;
  }
  return out;
}

Result<std::vector<std::string_view>> SplitDelimited(std::string_view data,
                                                     std::string_view delimiter) {
  if (delimiter.empty()) return Status::InvalidArgument("the delimiter must not be empty");
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < data.size()) {
    size_t at = data.find(delimiter, start);
    if (at == std::string_view::npos) {
      out.push_back(data.substr(start));
      break;
    }
    out.push_back(data.substr(start, at - start));
    start = at + delimiter.size();
  }
  return out;
}

}  // namespace sluice::delivery
