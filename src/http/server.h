// Server: one listening port for every API, HTTP/1.1 and HTTP/2 side by side.
//
// Clear-text connections are sniffed: the HTTP/2 connection preface (prior knowledge,
// as the AWS SDKs for JavaScript v3 and Java v2 send it) selects HTTP/2, anything else
// is HTTP/1.1. With a certificate, connections are TLS and ALPN chooses "h2" or
// "http/1.1". Requests are handed to one Handler.
//
// Threading: Start() spawns `threads` I/O threads; Stop() may be called from any thread
// (typically the one that waited for SIGTERM); Wait() blocks until every connection is
// closed. Lifetime: the Handler must outlive the Server.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http/types.h"
#include "base/memory_budget.h"
#include "base/status.h"

namespace sluice::http {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 4566;  // 0 picks a free port; see Server::port()
  int threads = 2;
  // Limits that hold before a handler sees anything.
  uint32_t max_header_bytes = 64 * 1024;  // request line + headers (AWS allows ~16 KiB+)
  // Upper bound on a buffered request body; handlers may choose less. Bodies a handler
  // takes as a stream (Handler::StreamBody: S3 object uploads) are not bounded by it.
  uint64_t max_body_bytes = 1ull << 30;
  // A client must finish its request headers this long after the first byte.
  std::chrono::milliseconds header_timeout{10'000};
  // A keep-alive connection with no request in progress is closed after this.
  std::chrono::milliseconds idle_timeout{60'000};
  // Upper bound for receiving one buffered request body or sending one in-memory
  // response; a streamed body or a file-backed response is cut after this long
  // without progress.
  std::chrono::milliseconds body_timeout{300'000};
  // On Stop(), in-flight requests get this long to finish before connections are cut.
  std::chrono::milliseconds shutdown_grace{10'000};
  // Shared with the services: request bodies being buffered are reserved here; a body
  // that does not fit is refused with 503. Null: unbounded. Not owned.
  MemoryBudget* memory_budget = nullptr;
  // TLS: both set, or neither.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Server {
 public:
  // Binds and starts serving. Fails with a one-line message naming the address
  // (e.g. "listen 127.0.0.1:4566: Address already in use") or the TLS file.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler& handler);
  ~Server();  // Stops and waits.

  uint16_t port() const;
  bool tls() const;
  // Accept attempts that failed for lack of descriptors (or kernel memory) since Start:
  // each is followed by a pause, so this grows slowly while the server is at its limit.
  uint64_t refused_accepts() const;
  // Graceful: stop accepting, finish in-flight requests, close idle connections.
  void Stop();
  void Wait();

  class Impl;
  // Only Start constructs; the key keeps the constructor usable by make_unique.
  class PassKey {
    friend class Server;
    PassKey() = default;
  };
  Server(PassKey, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::http
