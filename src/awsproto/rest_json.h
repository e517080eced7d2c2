// The REST-JSON protocol family (Lambda, and later others): the operation is chosen by
// method and path (with {Label} segments), parameters come from path labels, the query
// string and headers, the body is one JSON document. This file holds what every such
// service shares: a route table matcher, query parsing, and responses and errors as AWS
// sends them (`x-amzn-ErrorType` header, a JSON body with `Type` and `message`, which
// botocore's rest-json parser reads). A service supplies its route table.
// Thread-safe: a RestRouter is immutable after construction.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/types.h"

namespace sluice::awsproto {

// One operation: "GET", "/2015-03-31/functions/{FunctionName}/configuration". A label
// matches one non-empty path segment; a trailing "/" in the pattern is optional in the
// request.
struct RestRoute {
  std::string_view method;
  std::string_view pattern;
  int operation;  // the service's own operation number
};

struct RestMatch {
  int operation = 0;
  std::vector<std::pair<std::string_view, std::string>> labels;  // percent-decoded

  // The label's value, or empty.
  std::string_view Label(std::string_view name) const;
};

class RestRouter {
 public:
  explicit RestRouter(std::span<const RestRoute> routes) : routes_(routes) {}
  // The route for the request, or nullopt.
  std::optional<RestMatch> Match(std::string_view method, std::string_view path) const;
  // Whether some route of any method has this path (to tell 405-like from unknown paths).
  bool KnowsPath(std::string_view path) const;
  // Whether the path starts with one of the routes' first segments ("/2015-03-31/").
  bool ClaimsPrefix(std::string_view path) const;

 private:
  std::span<const RestRoute> routes_;
};

// The query string's parameters, percent-decoded, in order (repeated keys kept).
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);
// The first value of `key` in a parsed query, or nullopt.
std::optional<std::string> QueryValue(const std::vector<std::pair<std::string, std::string>>& query,
                                      std::string_view key);

// A REST-JSON answer: `body` (JSON or empty) with a request id.
http::Response RestJsonResponse(int status, std::string body);
// A REST-JSON error as AWS sends it: x-amzn-ErrorType: <type>, body
// {"Type":"User"|"Service","message":...} (Service for 5xx).
http::Response RestJsonError(int status, std::string_view type, std::string_view message);

}  // namespace sluice::awsproto
