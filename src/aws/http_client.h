// A small blocking HTTP/1.1 client on libcurl for talking to AWS endpoints.
//
// Threading: an HttpClient is used by one thread at a time; it owns one curl easy
// handle whose connection cache keeps the TCP/TLS connection alive between calls,
// so a sender thread pays the handshake once. Make one client per thread.
// Any HTTP status is a successful exchange; only transport failures are errors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/expected.h"
#include "aws/http_message.h"
#include "base/status.h"

namespace sluice::aws {

enum class TransportErrorCode {
  kBadUrl,          // malformed URL or unsupported scheme: a caller's mistake
  kResolve,         // DNS lookup failed
  kConnect,         // TCP connection refused or unreachable
  kTimeout,         // connect or whole-request timeout
  kTls,             // handshake or certificate verification failed
  kConnectionLost,  // reset, closed early, or nothing received
  kResponseTooLarge,
  kOther,
};

std::string_view TransportErrorName(TransportErrorCode code);

struct TransportError {
  TransportErrorCode code = TransportErrorCode::kOther;
  std::string message;
  // Whether sending the same request again may succeed. Note that after a timeout or
  // a lost connection the server may already have acted on the request.
  bool retryable() const;
  std::string ToString() const;
  Status ToStatus() const;
};

struct HttpClientOptions {
  int64_t connect_timeout_ms = 5'000;   // a loopback or regional endpoint answers well within this
  int64_t request_timeout_ms = 30'000;  // covers a 5 MiB PutRecords on a slow uplink
  size_t max_response_bytes = 64 << 20; // a GetRecords answer is at most 10 MiB of data, base64
  bool verify_tls = true;
};

using HttpResult = Expected<HttpResponse, TransportError>;

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` to request.endpoint + path + '?' + query and waits for the answer.
  HttpResult Send(const HttpRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::aws
