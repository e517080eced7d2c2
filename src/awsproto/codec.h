// Decoding request bodies (JSON via simdjson, CBOR by hand) and encoding responses
// straight into a string, without building a tree (BodyWriter).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "awsproto/value.h"
#include "base/status.h"

namespace sluice::awsproto {

// `body` must outlive the result (CBOR views point into it; JSON strings are copied into
// the parser's own buffer, which the result owns). Malformed input is InvalidArgument.
Result<std::unique_ptr<ParsedBody>> ParseJsonBody(std::string body);
Result<std::unique_ptr<ParsedBody>> ParseCborBody(std::string body);

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

}  // namespace sluice::awsproto
