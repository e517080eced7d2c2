// Internal to the transport: state shared by the acceptor and every connection.
// Connections hold a shared_ptr to the core, so it outlives them all.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "base/mutex.h"
#include "http/types.h"
#include "http/server.h"

namespace sluice::http {

namespace beast = boost::beast;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// A live connection, as the server sees it for shutdown.
class Connection {
 public:
  virtual ~Connection() = default;
  // Finish what is in flight, accept nothing new, then close. Thread-safe.
  virtual void Drain() = 0;
  // Close now. Thread-safe.
  virtual void Cut() = 0;
};

class ServerCore {
 public:
  ServerCore(const ServerOptions& options, Handler& handler)
      : options(options), handler(handler) {}

  const ServerOptions options;
  Handler& handler;

  // Registers a connection; returns its id. If the server is draining, the
  // connection is told to drain at once.
  uint64_t Register(std::weak_ptr<Connection> conn);
  void Unregister(uint64_t id);
  // Marks the server draining and tells every connection; `on_idle` runs (once) when
  // the last connection is gone, possibly right away.
  void DrainAll(std::function<void()> on_idle);
  void CutAll();
  bool draining() const { return draining_.load(); }

 private:
  Mutex mu_;
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> conns_ GUARDED_BY(mu_);
  std::function<void()> on_idle_ GUARDED_BY(mu_);
  std::atomic<bool> draining_{false};
};

// A status-only response for errors the transport answers by itself (413, 400, 431).
Response TransportError(int status, std::string_view message);

// The last resort against exceptions: logs one that escaped a handler, a sink or the
// session itself (`where` names the step, `remote` the client).
void LogException(std::string_view where, std::string_view remote, std::string_view what);

// Runs `fn` (a call into the handler, a sink or a session step); an exception it throws
// is logged and turns into false, so it never leaves the session or the I/O thread.
template <class Fn>
bool CallSafely(std::string_view where, std::string_view remote, Fn&& fn) noexcept {
  try {
    fn();
    return true;
  } catch (const std::exception& e) {
    LogException(where, remote, e.what());
  } catch (...) {
    LogException(where, remote, "unknown exception");
  }
  return false;
}

// Session entry points; `initial` holds bytes already read from the socket.
void StartHttp1(std::shared_ptr<ServerCore> core, PlainStream stream, beast::flat_buffer initial);
void StartHttp1(std::shared_ptr<ServerCore> core, TlsStream stream, beast::flat_buffer initial);
void StartHttp2(std::shared_ptr<ServerCore> core, PlainStream stream, beast::flat_buffer initial);
void StartHttp2(std::shared_ptr<ServerCore> core, TlsStream stream, beast::flat_buffer initial);

}  // namespace sluice::http
