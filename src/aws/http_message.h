// Plain HTTP request and response values shared by the signer and the client.
// They own their bytes and have no behaviour beyond header lookup.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::aws {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";
  // scheme://host[:port] with no path, e.g. "https://kinesis.eu-west-1.amazonaws.com".
  std::string endpoint;
  // The path as sent on the wire, already percent-encoded, starting with '/'.
  std::string path = "/";
  // The query string as sent on the wire, without '?'; may be empty.
  std::string query;
  std::vector<HttpHeader> headers;
  std::string body;

  // Case-insensitive; the first match, or nullptr.
  const std::string* FindHeader(std::string_view name) const;
  // Replaces every header named `name` (case-insensitive) with one of `value`.
  void SetHeader(std::string_view name, std::string value);
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;  // names as received
  std::string body;

  const std::string* FindHeader(std::string_view name) const;
};

// ASCII case-insensitive equality, as HTTP header names compare.
bool HeaderNameEquals(std::string_view a, std::string_view b);

}  // namespace sluice::aws
