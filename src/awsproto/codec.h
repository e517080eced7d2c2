// Decoding request bodies (JSON and CBOR, both by hand, into the flat tree of value.h)
// and encoding responses straight into a string, without building a tree (BodyWriter).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awsproto/value.h"
#include "base/status.h"

namespace sluice::awsproto {

// The cap on nodes in one parsed body unless the request's shape needs more: 8192 nodes
// of 16 bytes, 128 KiB. Every Kinesis request shape fits (PutRecords, the largest, needs
// about 3,500 at 500 records); ParseLimits{} and LimitsFor() never ask for more.
inline constexpr uint32_t kMaxParseNodes = 8192;

// The hard cap on nodes, whatever the caller asks: 524,288 nodes, 8 MiB. Only an action
// whose AWS limits need more than kMaxParseNodes asks past kMaxParseNodes, and only for
// itself (LimitsFor's `most_nodes`): CloudWatch PutMetricData, 1,000 datums of 30
// dimensions and 150 values and counts each, needs about 477,000.
inline constexpr uint32_t kMaxShapeParseNodes = 1u << 19;

// The hard cap on nesting, whatever the caller asks: the readers recurse once per
// level, so this bounds their stack use.
inline constexpr int kMaxParseDepth = 128;

// What one parse may build. A body beyond either limit is malformed for its caller
// (AWS JSON answers SerializationException), and the parse stops there: memory never
// grows past the node array, allocated once at min(max_nodes, what the body's size can
// hold) before the parse starts.
struct ParseLimits {
  int max_depth = 64;                    // nesting, the root container is depth 1; capped at kMaxParseDepth
  uint32_t max_nodes = kMaxParseNodes;   // values, map keys included; capped at kMaxShapeParseNodes
};

// Memory bound of one parse (ParseJsonBody/ParseCborBody) with ParseLimits::max_nodes =
// `max_nodes`, beyond the body itself: the node array, at most min(max_nodes,
// kMaxShapeParseNodes, body bytes + 1) nodes, plus decoded blobs (BlobArena), at most 3/4
// of the body. With the default kMaxParseNodes the overhead is at most 3x the body for
// bodies of 64 KiB and more, and at most 3x the body + 128 KiB for any body. The gateway
// reserves this much from the request-memory budget before a buffered request runs.
uint64_t ParseMemoryBound(uint64_t body_bytes, uint32_t max_nodes = kMaxParseNodes);

// Takes the body: the tree's strings are views into it (escapes resolved in place).
// Malformed input (text that is not UTF-8 included, in either encoding), or input beyond
// `limits`, is InvalidArgument. When `accounted` is
// given, it receives the bytes the parse held at its peak (body and node array), also
// when it fails.
Result<std::unique_ptr<ParsedBody>> ParseJsonBody(std::string body, const ParseLimits& limits = {},
                                                  size_t* accounted = nullptr);
Result<std::unique_ptr<ParsedBody>> ParseCborBody(std::string body, const ParseLimits& limits = {},
                                                  size_t* accounted = nullptr);

// Streams one JSON or CBOR document. Maps and arrays are written with an explicit
// End(); in CBOR they are indefinite-length, as AWS sends them.
class BodyWriter {
 public:
  explicit BodyWriter(BodyEncoding enc) : enc_(enc) {}

  BodyWriter& BeginMap();
  BodyWriter& BeginArray();
  BodyWriter& End();
  BodyWriter& Key(std::string_view k);
  BodyWriter& String(std::string_view s);
  // A string known to need no JSON escaping (digits, ids, base64): copied as is.
  BodyWriter& PlainString(std::string_view s);
  // Blob: base64 text in JSON, a byte string in CBOR.
  BodyWriter& Bytes(std::string_view b);
  BodyWriter& Int(int64_t v);
  BodyWriter& Bool(bool v);
  // Timestamp: epoch seconds with a millisecond fraction in JSON; CBOR tag 1 with
  // integer milliseconds in CBOR (what the AWS Java SDK v2 reads).
  BodyWriter& TimestampMs(int64_t ms);

  BodyEncoding encoding() const { return enc_; }
  std::string Take() { return std::move(out_); }
  void Reserve(size_t n) { out_.reserve(n); }

 private:
  void Separate();
  void CborHead(uint8_t major, uint64_t v);

  BodyEncoding enc_;
  std::string out_;
  // JSON only, one entry per open container: whether its next element needs a comma,
  // and the bracket that closes it.
  std::string need_comma_;  // '0' / '1'
  std::string close_;       // '}' / ']'
  bool after_key_ = false;
};

// The body of a ListTagsFor* answer (Kinesis, Firehose): `{"Tags": [{"Key", "Value"}...],
// "HasMoreTags": ...}` with at most `limit` tags whose keys sort after `after` (all when
// empty). `tags` must be sorted by key.
std::string TagPage(BodyEncoding enc, const std::vector<std::pair<std::string, std::string>>& tags,
                    std::string_view after, int64_t limit);

}  // namespace sluice::awsproto
