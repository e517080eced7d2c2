// The AWS Query protocol (CloudFormation; also CloudWatch's older SDKs): a POST of
// `application/x-www-form-urlencoded` parameters `Action=...&Version=...&...`, lists
// flattened as `Name.member.N` (N from 1), structures as `Name.Field`, answered with
// XML: `<ActionResponse xmlns=...><ActionResult>...</ActionResult><ResponseMetadata>
// <RequestId>...</RequestId></ResponseMetadata></ActionResponse>`, errors as
// `<ErrorResponse><Error><Type>Sender</Type><Code>...</Code><Message>...</Message>
// </Error><RequestId>...</RequestId></ErrorResponse>`.
//
// Thread-safe: everything here is a value or a pure function.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "http/types.h"

namespace sluice::awsproto {

// The most parameters one request may carry by default; a larger form is refused before
// decoding more (a stack has at most 200 parameters and 50 tags, a few fields each).
inline constexpr size_t kMaxQueryParams = 4096;

// Heap bytes a std::string of `size` bytes holds beyond its own object, at most: none
// within libstdc++'s 15-byte small buffer, else the text, its NUL and malloc's chunk
// header and rounding.
constexpr uint64_t HeapStringBytes(size_t size) { return size > 15 ? size + 24 : 0; }

// What one QueryParams::Parse may hold. `max_bytes` bounds the parameters' heap by
// QueryParamBytes (an upper bound of what each one takes); a form past either limit is
// refused as soon as it is, before decoding more.
// What a parse past its memory bound answers (InvalidArgument), here and in the services
// that build more from the parameters within the same bound.
Status QueryMemoryExceeded(uint64_t max_bytes);

struct QueryLimits {
  size_t max_params = kMaxQueryParams;
  uint64_t max_bytes = UINT64_MAX;
};

// The heap one parameter takes in QueryParams at most: its map node (two strings and the
// tree's links, malloc-rounded) and the decoded key and value texts.
constexpr uint64_t QueryParamBytes(size_t key_size, size_t value_size) {
  return 112 + HeapStringBytes(key_size) + HeapStringBytes(value_size);
}

class QueryParams {
 public:
  // Decodes a form body (`+` is a space, %XX escapes). A malformed escape, or a form past
  // `limits`, is InvalidArgument. Repeated keys: the first value counts.
  static Result<QueryParams> Parse(std::string_view form, const QueryLimits& limits = {});

  std::optional<std::string> Get(std::string_view key) const;
  bool Has(std::string_view key) const { return params_.count(std::string(key)) != 0; }
  std::string_view action() const { return action_; }
  std::string_view version() const { return version_; }

  // `Name.member.1`, `Name.member.2`, ... while present.
  std::vector<std::string> List(std::string_view name) const;
  // `Name.member.N.Field` for each N while any field of N is present: one map per
  // member from field name to value.
  std::vector<std::map<std::string, std::string>> StructList(std::string_view name) const;

  const std::map<std::string, std::string>& all() const { return params_; }
  // The heap the parameters hold, by QueryParamBytes.
  uint64_t held_bytes() const { return held_bytes_; }

 private:
  std::map<std::string, std::string> params_;
  uint64_t held_bytes_ = 0;
  std::string action_;
  std::string version_;
};

// Builds an XML answer element by element, escaping text.
class XmlBuilder {
 public:
  XmlBuilder& Open(std::string_view name);
  XmlBuilder& Close(std::string_view name);
  // <name>text</name>
  XmlBuilder& Leaf(std::string_view name, std::string_view text);
  // <name>text</name> only when `text` has a value.
  XmlBuilder& OptionalLeaf(std::string_view name, const std::optional<std::string>& text);
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

struct QueryProtocol {
  std::string_view xmlns;    // "http://cloudformation.amazonaws.com/doc/2010-05-15/"
  std::string_view version;  // "2010-05-15"
};

// The success answer for `action`: `result_xml` becomes the body of <ActionResult>
// (omitted entirely when `with_result` is false, as for DeleteStack).
http::Response QueryResponse(const QueryProtocol& p, std::string_view action, std::string_view result_xml,
                             std::string_view request_id, bool with_result = true);

// An error answer. `sender`: the client's fault (Type Sender) or the server's (Receiver).
http::Response QueryError(const QueryProtocol& p, int status, std::string_view code, std::string_view message,
                          std::string_view request_id, bool sender = true);

// True for a POST of a form body to "/" (how Query requests are recognised by shape).
bool IsQueryShaped(const http::RequestHead& head);

}  // namespace sluice::awsproto
