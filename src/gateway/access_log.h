// AccessLog: an http::Handler that wraps the one the server gets (the Gateway) and
// writes one logfmt line per answered request (`serve --access-log FILE|-`):
//   time=2026-05-01T12:00:00.123Z remote=127.0.0.1:53122 method=POST target=/
//   status=200 bytes_in=312 bytes_out=89 duration_ms=2 request_id=... service=kinesis
// (one line). `time` is when the answer was given; `duration_ms` runs from when the
// request reached the handler (its head for streamed bodies, its whole body otherwise)
// to the answer; `bytes_in` is the body received, `bytes_out` the body answered;
// `request_id` is the x-amzn-RequestId or x-amz-request-id the answer carries ("-"
// when none); `service` is what `service_of` names for the head. Values are quoted and
// escaped as logfmt requires (base/logfmt.h), so request input cannot forge fields.
// Requests the transport answers itself (413 before the body, 503 when the memory
// budget is full, malformed HTTP) and bodies aborted by the client write no line.
//
// Threading: as http::Handler, called from every I/O thread; lines are written whole,
// one at a time, by the AccessLogSink. Lifetime: the wrapped handler, the sink and the
// clock outlive this object, which outlives every request it was given (the server is
// stopped and the gateway quiesced before it is destroyed).
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/status.h"
#include "http/types.h"

namespace sluice::gateway {

// Where access-log lines go. Thread-safe.
class AccessLogSink {
 public:
  virtual ~AccessLogSink() = default;
  // Writes one line (without its newline), whole.
  virtual void Write(std::string_view line) = 0;
};

// A file opened for appending, or standard output for "-". Each line is flushed as it
// is written (a write(2), no fsync), so `tail -f` shows requests as they are answered.
class AccessLogFile final : public AccessLogSink {
 public:
  static Result<std::unique_ptr<AccessLogFile>> Open(const std::string& path);
  // Writes to `file`, closing it at the end when `owned`.
  AccessLogFile(std::FILE* file, bool owned) : file_(file), owned_(owned) {}
  ~AccessLogFile() override;
  void Write(std::string_view line) override;

 private:
  Mutex mu_;
  std::FILE* const file_ PT_GUARDED_BY(mu_);
  const bool owned_;
};

class AccessLog final : public http::Handler {
 public:
  using ServiceOf = std::function<std::string(const http::RequestHead&)>;
  AccessLog(http::Handler& inner, AccessLogSink& sink, ServiceOf service_of, const Clock& clock = Clock::Real());

  uint64_t BodyLimit(const http::RequestHead& head) const override;
  void Handle(http::Request request, http::Responder done) override;
  std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead& head) override;
  http::Response BodyTooLarge(const http::RequestHead& head, uint64_t limit) const override;
  http::Response Overloaded(const http::RequestHead& head) const override;

  // What is known of a request before its answer.
  struct Entry {
    std::string remote, method, target, service;
    int64_t started_ms = 0;
  };

 private:
  class CountingSink;
  Entry Start(const http::RequestHead& head) const;
  // Wraps `done` so the answer is logged before it is passed on.
  http::Responder Logged(Entry entry, uint64_t bytes_in, http::Responder done);
  void Log(const Entry& entry, uint64_t bytes_in, const http::Response& response);

  http::Handler& inner_;
  AccessLogSink& sink_;
  const ServiceOf service_of_;
  const Clock& clock_;
};

// The logfmt line for one request answered at `now_ms`; exposed for tests.
std::string AccessLogLine(const AccessLog::Entry& entry, uint64_t bytes_in, const http::Response& response,
                          int64_t now_ms);

}  // namespace sluice::gateway
