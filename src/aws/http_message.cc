#include "aws/http_message.h"

#include <algorithm>

namespace sluice::aws {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

const std::string* Find(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const HttpHeader& h : headers) {
    if (HeaderNameEquals(h.name, name)) return &h.value;
  }
  return nullptr;
}

}  // namespace

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

const std::string* HttpRequest::FindHeader(std::string_view name) const { return Find(headers, name); }
const std::string* HttpResponse::FindHeader(std::string_view name) const { return Find(headers, name); }

void HttpRequest::SetHeader(std::string_view name, std::string value) {
  std::erase_if(headers, [&](const HttpHeader& h) { return HeaderNameEquals(h.name, name); });
  headers.push_back({std::string(name), std::move(value)});
}

}  // namespace sluice::aws
