#include "http/server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

#include <openssl/ssl.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include "internal/server_core.h"
#include "base/thread_name.h"

namespace sluice::http {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

// RFC 9113 §3.4: what a client with prior knowledge sends first.
constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
// Out of descriptors, the acceptor waits this long between attempts instead of
// retrying at once (which spins a core while the pending clients hang).
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
// What a client accepted on the reserve descriptor gets before it is closed.
constexpr std::string_view kNoDescriptorsAnswer =
    "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

int OpenReserve() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

// Reads just enough of a clear-text connection to tell the HTTP/2 preface from an
// HTTP/1.1 request line, then hands the bytes read so far to the chosen session.
class Sniffer final : public Connection, public std::enable_shared_from_this<Sniffer> {
 public:
  Sniffer(std::shared_ptr<ServerCore> core, PlainStream stream)
      : core_(std::move(core)), stream_(std::move(stream)) {}
  ~Sniffer() override { core_->Unregister(id_); }

  void Run() {
    id_ = core_->Register(weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadMore(); });
  }
  // Nothing is in flight before the first request: draining closes at once.
  void Drain() override { Cut(); }
  void Cut() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->done_ = true;
      self->stream_.close();
    });
  }

 private:
  void ReadMore() {
    if (done_) return;
    stream_.expires_after(core_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec || self->done_) return;
                              self->buffer_.commit(n);
                              self->Decide();
                            });
  }

  void Decide() {
    const std::string_view got(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    const size_t k = std::min(got.size(), kH2Preface.size());
    if (got.substr(0, k) != kH2Preface.substr(0, k)) {
      done_ = true;
      return StartHttp1(core_, std::move(stream_), std::move(buffer_));
    }
    if (k == kH2Preface.size()) {
      done_ = true;
      return StartHttp2(core_, std::move(stream_), std::move(buffer_));
    }
    ReadMore();  // a prefix of the preface so far
  }

  std::shared_ptr<ServerCore> core_;
  PlainStream stream_;
  beast::flat_buffer buffer_;
  uint64_t id_ = 0;
  bool done_ = false;
};

// Runs the TLS handshake, then starts the session ALPN chose.
class TlsHandshake final : public Connection, public std::enable_shared_from_this<TlsHandshake> {
 public:
  TlsHandshake(std::shared_ptr<ServerCore> core, TlsStream stream)
      : core_(std::move(core)), stream_(std::move(stream)) {}
  ~TlsHandshake() override { core_->Unregister(id_); }

  void Run() {
    id_ = core_->Register(weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->stream_).expires_after(self->core_->options.header_timeout);
      self->stream_.async_handshake(ssl::stream_base::server,
                                    [self](beast::error_code ec) { self->OnHandshake(ec); });
    });
  }
  void Drain() override { Cut(); }
  void Cut() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->done_ = true;
      beast::get_lowest_layer(self->stream_).close();
    });
  }

 private:
  void OnHandshake(beast::error_code ec) {
    if (ec || done_) return;
    done_ = true;
    const unsigned char* proto = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(stream_.native_handle(), &proto, &len);
    const std::string_view alpn(reinterpret_cast<const char*>(proto), len);
    if (alpn == "h2") return StartHttp2(core_, std::move(stream_), beast::flat_buffer{});
    StartHttp1(core_, std::move(stream_), beast::flat_buffer{});
  }

  std::shared_ptr<ServerCore> core_;
  TlsStream stream_;
  uint64_t id_ = 0;
  bool done_ = false;
};

int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
  // Wire format, in our order of preference.
  static const unsigned char kProtos[] = "\x02h2\x08http/1.1";
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kProtos, sizeof(kProtos) - 1, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;  // no overlap: fall back to HTTP/1.1 without ALPN
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

class Server::Impl {
 public:
  Impl(const ServerOptions& options, Handler& handler)
      : strand_(net::make_strand(ioc_)),
        core_(std::make_shared<ServerCore>(options, handler)),
        work_(net::make_work_guard(ioc_)),
        acceptor_(strand_),
        grace_timer_(strand_),
        backoff_timer_(strand_),
        reserve_fd_(OpenReserve()) {}
  ~Impl() {
    if (reserve_fd_ >= 0) ::close(reserve_fd_);
  }

  Status Init() {
    const ServerOptions& o = core_->options;
    if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
      return Status::InvalidArgument("--tls-cert and --tls-key must be given together");
    }
    if (!o.tls_cert_file.empty()) RETURN_IF_ERROR(InitTls(o));

    beast::error_code ec;
    const auto addr = net::ip::make_address(o.bind, ec);
    if (ec) return Status::InvalidArgument("--bind " + o.bind + ": not an IP address");
    const tcp::endpoint ep(addr, o.port);
    const std::string where = "listen " + o.bind + ":" + std::to_string(o.port);
    if (acceptor_.open(ep.protocol(), ec); ec) return Status::IOError(where + ": " + ec.message());
    if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec); ec) {
      return Status::IOError(where + ": " + ec.message());
    }
    if (acceptor_.bind(ep, ec); ec) return Status::IOError(where + ": " + ec.message());
    if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) {
      return Status::IOError(where + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    const int n = std::max(1, o.threads);
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Run(); });
    return Status::OK();
  }

  Status InitTls(const ServerOptions& o) {
    ssl_.emplace(ssl::context::tls_server);
    ssl_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    if (ssl_->use_certificate_chain_file(o.tls_cert_file, ec); ec) {
      return Status::InvalidArgument("--tls-cert " + o.tls_cert_file + ": " + ec.message());
    }
    if (ssl_->use_private_key_file(o.tls_key_file, ssl::context::pem, ec); ec) {
      return Status::InvalidArgument("--tls-key " + o.tls_key_file + ": " + ec.message());
    }
    SSL_CTX_set_alpn_select_cb(ssl_->native_handle(), &SelectAlpn, nullptr);
    return Status::OK();
  }

  // An I/O thread. An exception that escapes a completion handler (every call into
  // the handler is caught by the sessions; this is the last resort) is logged; the
  // connection whose handler threw is destroyed with it, and the thread serves on.
  void Run() {
    NameThisThread("http-io");
    for (;;) {
      const bool finished = CallSafely("io thread", "-", [this] { ioc_.run(); });
      if (finished) return;
    }
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
          ec.value() == ENFILE || ec == net::error::no_memory) {
        return OutOfDescriptors(ec);
      }
      if (!ec && refused_ > 0) {
        spdlog::info("msg=\"accepting again\" refused_attempts={}", refused_);
        refused_ = 0;
      }
      if (!ec) {
        s.set_option(tcp::no_delay(true), ec);
        PlainStream stream(std::move(s));
        if (ssl_) {
          std::make_shared<TlsHandshake>(core_, TlsStream(std::move(stream), *ssl_))->Run();
        } else {
          std::make_shared<Sniffer>(core_, std::move(stream))->Run();
        }
      }
      // Transient accept errors (ECONNABORTED) must not stop the server.
      Accept();
    });
  }

  // At the descriptor limit: log once per episode, answer and close one waiting client
  // on the reserve descriptor (so it is not left hanging), then retry after a pause.
  void OutOfDescriptors(beast::error_code ec) {
    if (refused_++ == 0) {
      spdlog::warn("msg=\"accept failed, backing off\" error=\"{}\" backoff_ms={}", ec.message(),
                   kAcceptBackoff.count());
    }
    ++refused_total_;
    if (reserve_fd_ >= 0) {
      ::close(reserve_fd_);
      reserve_fd_ = -1;
      const int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        // Best effort: a full socket buffer only loses the answer, the close still goes.
        [[maybe_unused]] const ssize_t n =
            ::send(fd, kNoDescriptorsAnswer.data(), kNoDescriptorsAnswer.size(), MSG_NOSIGNAL);
        ::close(fd);
      }
      reserve_fd_ = OpenReserve();
    }
    backoff_timer_.expires_after(kAcceptBackoff);
    backoff_timer_.async_wait([this](beast::error_code tec) {
      if (tec || stopping_ || !acceptor_.is_open()) return;
      Accept();
    });
  }

  // The acceptor, the grace timer and `stopping_` belong to strand_: the accept loop's
  // completions and Stop's close never run at once on two I/O threads.
  void Stop() {
    net::post(strand_, [this] {
      if (stopping_) return;
      stopping_ = true;
      beast::error_code ec;
      acceptor_.close(ec);
      backoff_timer_.cancel();
      grace_timer_.expires_after(core_->options.shutdown_grace);
      grace_timer_.async_wait([this](beast::error_code ec) {
        if (ec) return;  // cancelled: everything closed in time
        core_->CutAll();
        work_.reset();
      });
      core_->DrainAll([this] {
        net::post(strand_, [this] {
          grace_timer_.cancel();
          work_.reset();
        });
      });
    });
  }

  void Wait() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  uint16_t port() const { return port_; }
  bool tls() const { return ssl_.has_value(); }
  uint64_t refused_accepts() const { return refused_total_.load(); }

 private:
  net::io_context ioc_;
  net::strand<net::io_context::executor_type> strand_;
  std::shared_ptr<ServerCore> core_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  net::steady_timer grace_timer_;
  net::steady_timer backoff_timer_;  // between accepts while out of descriptors
  int reserve_fd_;                   // released to answer a client at the descriptor limit
  uint64_t refused_ = 0;             // failed accepts in the current episode
  std::atomic<uint64_t> refused_total_{0};
  std::optional<ssl::context> ssl_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  bool stopping_ = false;
};

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler& handler) {
  auto impl = std::make_unique<Impl>(options, handler);
  RETURN_IF_ERROR(impl->Init());
  return std::make_unique<Server>(PassKey{}, std::move(impl));
}

Server::Server(PassKey, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  Stop();
  Wait();
}

uint16_t Server::port() const { return impl_->port(); }
bool Server::tls() const { return impl_->tls(); }
uint64_t Server::refused_accepts() const { return impl_->refused_accepts(); }
void Server::Stop() { impl_->Stop(); }
void Server::Wait() { impl_->Wait(); }

}  // namespace sluice::http
