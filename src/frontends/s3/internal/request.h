// The parts of an S3 REST request the front end dispatches on: which bucket and key
// (path-style "/bucket/key" or virtual-host "bucket.localhost"), the query
// parameters, and the header grammars S3 uses (Range, HTTP dates, metadata headers).
// Pure functions over strings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "http/types.h"
#include "objects/object_store.h"

namespace sluice::frontends::s3 {

// The transport's types, used throughout the S3 front end.
using http::BodySink;
using http::Headers;
using http::Request;
using http::RequestHead;
using http::Responder;
using http::Response;

// S3's number grammars, one place for all: `max_digits` decimal digits and nothing
// else (no sign, no space) as a uint64; and a query parameter that must be an integer
// "within integer range" (0 to 2^31-1), as max-keys, max-uploads and partNumber are.
std::optional<uint64_t> ParseDecimal(std::string_view s, size_t max_digits);
std::optional<int> ParseS3Integer(std::string_view s);

struct S3Address {
  std::string bucket;  // empty: the service (ListBuckets)
  std::string key;     // empty: the bucket itself
  bool virtual_host = false;
};

// Virtual-host style when Host is "<bucket>.localhost[:port]" (or
// "<bucket>.s3.localhost"); otherwise the first path segment is the bucket. Path
// segments are percent-decoded; the key keeps every '/', including "//" and a
// trailing one.
S3Address ParseS3Address(const RequestHead& head);

// Query parameters, percent-decoded ('+' is a space). A name without '=' maps to "".
std::map<std::string, std::string> ParseQuery(std::string_view query);

// "bytes=first-last" | "bytes=first-" | "bytes=-suffix". nullopt when the header is
// not one range of that grammar: S3 then ignores it and serves the whole object.
std::optional<objects::RangeSpec> ParseRange(std::string_view header);

// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), seconds.
std::string HttpDate(int64_t unix_ms);
std::optional<int64_t> ParseHttpDate(std::string_view text);  // unix seconds

// Content-Type, Content-Encoding, Content-Disposition, Cache-Control and x-amz-meta-*
// from a request.
objects::ObjectMeta MetaFromHeaders(const RequestHead& head);
// The headers a GET/HEAD answers with for that metadata.
void MetaToHeaders(const objects::ObjectMeta& meta, Headers& out);

// S3's evaluation of If-Match / If-Unmodified-Since (412) and If-None-Match /
// If-Modified-Since (304) against an object; 0 when the request may proceed.
int EvaluateConditions(const RequestHead& head, const objects::ObjectInfo& info);

}  // namespace sluice::frontends::s3
