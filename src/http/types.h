// The transport-neutral request/response types shared by the HTTP/1.1 and HTTP/2
// front ends and every service handler. No Beast or nghttp2 types leak past here, so
// services compile without the heavy networking headers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/file_slice.h"

namespace sluice::http {

enum class Protocol { kHttp1, kHttp2 };

// Header names are stored lower-case (HTTP/2 requires it; HTTP/1.1 names are
// case-insensitive), so lookups compare exactly.
using Headers = std::vector<std::pair<std::string, std::string>>;

// What is known before the body is read: enough to route and to choose a body limit.
struct RequestHead {
  std::string method;   // "GET", "POST", ...
  std::string target;   // path and query, as sent: "/bucket/key?list-type=2"
  std::string host;     // Host header or :authority
  Headers headers;
  Protocol protocol = Protocol::kHttp1;
  std::string remote;   // "127.0.0.1:53122"

  // First header value with this lower-case name, or empty.
  std::string_view Header(std::string_view lower_name) const;
  std::string_view Path() const;   // target without the query
  std::string_view Query() const;  // after '?', or empty
};

struct Request {
  RequestHead head;
  std::string body;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // When set, the body is this file range instead of `body` (which stays empty): the
  // transport sends it in chunks, so a large object never sits in memory whole. The
  // content length is the slice's length.
  std::shared_ptr<const FileSlice> file;

  uint64_t BodySize() const { return file ? file->length() : body.size(); }

  static Response Text(int status, std::string body);
  static Response Json(int status, std::string body);
};

// Completes a request. Call exactly once, from any thread; the connection takes the
// response back to its own executor. Safe to call after the client went away.
using Responder = std::function<void(Response)>;

// Takes a request body piece by piece as the transport reads it, so a large upload is
// hashed and written while it arrives instead of being buffered whole first. The
// transport calls Write for each piece in order, never two calls at once, then exactly
// one of Finish (the body is complete) or Abort (it never will be).
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Optional, before any Write: judges the request from its head alone and calls
  // `ready` once (on any thread) with nullopt to take the body, or with the answer
  // that refuses it. The transport uses it for `Expect: 100-continue`, so a refused
  // client never sends its body. After a refusal the transport calls Abort.
  // Default: takes every body.
  virtual void Begin(std::function<void(std::optional<Response>)> ready) { ready(std::nullopt); }
  // Takes the next piece. True: the transport may send the next one at once. False:
  // the sink is full; the transport reads no further until `resume` runs (once, on any
  // thread). Finish and Abort need no resume first.
  virtual bool Write(std::string piece, std::function<void()> resume) = 0;
  // The body is complete: answer through `done`, exactly once.
  virtual void Finish(Responder done) = 0;
  // The client went away, or the body was malformed or too large: discard it. No answer.
  virtual void Abort() = 0;
};

// Implemented by the gateway. Called concurrently from the server's I/O threads.
class Handler {
 public:
  virtual ~Handler() = default;
  // The largest body accepted for this request, decided from its head before any of
  // the body is buffered; larger requests are answered 413 without reading the body.
  virtual uint64_t BodyLimit(const RequestHead& head) const = 0;
  // Handles a complete request. Must not block for long: slow work (disk syncs)
  // completes asynchronously through `done`.
  virtual void Handle(Request request, Responder done) = 0;
  // A sink that takes this request's body as it arrives, or null to have the
  // transport buffer the body and call Handle. Asked once the head is known and its
  // declared length is within BodyLimit, which still bounds the bytes streamed
  // (--max-body-bytes, a bound on buffering, does not).
  virtual std::shared_ptr<BodySink> StreamBody(const RequestHead& head);
  // The answer to a request whose declared or received body exceeds its limit; the
  // connection (HTTP/1.1) or stream (HTTP/2) is closed after it. Default: plain 413.
  virtual Response BodyTooLarge(const RequestHead& head, uint64_t limit) const;
  // The answer to a request refused because the server's request-memory budget is
  // full (ServerOptions::memory_budget): a retryable 503. Default: plain 503.
  virtual Response Overloaded(const RequestHead& head) const;
};

// The plain 413 that Handler::BodyTooLarge answers by default.
Response PlainBodyTooLarge(uint64_t limit);
// The plain 503 that Handler::Overloaded answers by default.
Response PlainOverloaded();

}  // namespace sluice::http
