// The AWS JSON protocol family (JSON 1.0/1.1, and CBOR for Kinesis): `POST /` with
// `X-Amz-Target: <prefix>.<Action>`, a body of one map, answers and errors in the
// request's encoding with `__type`. This file holds what every such service shares:
// reading the target, checking the request in AWS's order (method, content type,
// body, signature shape, field specs), request ids and error bodies. A service supplies
// its action table and runs the action.
// Thread-safe: a JsonRpc is immutable after construction.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awsproto/codec.h"
#include "awsproto/schema.h"
#include "awsproto/value.h"
#include "http/types.h"

namespace sluice::awsproto {

struct JsonProtocol {
  std::string_view target_prefix;      // "Kinesis_20131202"
  std::string_view json_content_type;  // "application/x-amz-json-1.1"
  std::string_view cbor_content_type;  // "application/x-amz-cbor-1.1", or empty: no CBOR
  // The __type of a request that fails its field specs (CloudWatch Logs answers
  // InvalidParameterException where most services answer ValidationException).
  std::string_view validation_error_type = "ValidationException";
};

// What an action produces: a success body (possibly empty) or an AWS error.
struct ActionResult {
  int status = 200;
  std::string error_type;  // empty on success
  std::string message;
  std::string body;  // success body, already encoded
  // Error bodies only: the message's key ("Message" for some services) and more
  // string members a service adds (Athena's AthenaErrorCode).
  std::string message_key = "message";
  std::vector<std::pair<std::string, std::string>> error_members;

  static ActionResult Ok(std::string body) { return {200, "", "", std::move(body), "message", {}}; }
  static ActionResult Error(std::string_view type, std::string message, int status) {
    return {status, std::string(type), std::move(message), "", "message", {}};
  }
  static ActionResult Error(std::string_view type, std::string message) {
    return Error(type, std::move(message), 400);
  }
};

using ActionDone = std::function<void(ActionResult)>;

// One parsed, type-checked, validated request.
struct ActionCall {
  std::unique_ptr<ParsedBody> body;  // owns what `req` points into
  Value* req = nullptr;
  BlobArena blobs{0};                // decoded blobs
  BodyEncoding enc = BodyEncoding::kJson;
};

class JsonRpc {
 public:
  explicit JsonRpc(JsonProtocol protocol) : protocol_(protocol) {}

  const JsonProtocol& protocol() const { return protocol_; }
  // The action named by X-Amz-Target when its prefix is this protocol's, else "".
  std::string_view Operation(const http::RequestHead& head) const;
  // A POST to "/" in one of this protocol's content types (with or without a target).
  bool IsJsonShaped(const http::RequestHead& head) const;

  using Run = std::function<void(ActionCall& call, ActionDone done)>;
  // Checks `request` as AWS does and, when it is well formed, runs it through `run` and
  // answers with its result in the request's encoding. `fields`: the action's field
  // specs, or nullopt when the target names no action of this service.
  // This is the first and only place the body is read: the caller has verified the
  // request's signature before. The body is parsed within LimitsFor(fields) (a body
  // deeper or with more values than the action's shape allows is a
  // SerializationException), so the parse holds at most ParseMemoryBound(body size).
  void Dispatch(http::Request request, http::Responder done,
                std::optional<std::span<const FieldSpec>> fields, const Run& run) const;

  // An AWS JSON error in the encoding given, with x-amzn-ErrorType and a request id.
  // `message_key` is "message", except where AWS writes "Message".
  http::Response Error(BodyEncoding enc, int status, std::string_view type, std::string_view message,
                       std::string_view message_key) const;

 private:
  JsonProtocol protocol_;
};

// An AWS JSON 1.1 error not tied to one service: for requests no service claims.
http::Response JsonError(int status, std::string_view type, std::string_view message);

}  // namespace sluice::awsproto
