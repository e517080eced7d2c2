#include "aws/testing/loopback_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::aws::testing {
namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace

Result<std::unique_ptr<LoopbackHttpServer>> LoopbackHttpServer::Start(Handler handler) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::FromErrno("socket", "loopback", errno);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::FromErrno("bind/listen", "127.0.0.1:0", err);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return std::make_unique<LoopbackHttpServer>(fd, ntohs(addr.sin_port), std::move(handler));
}

LoopbackHttpServer::LoopbackHttpServer(int listen_fd, int port, Handler handler)
    : listen_fd_(listen_fd), port_(port), handler_(std::move(handler)) {
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  stopping_.store(true);
  accept_thread_.join();
  ::close(listen_fd_);
  std::vector<std::thread> threads;
  {
    MutexLock lock(mu_);
    for (const int fd : conn_fds_) ::shutdown(fd, SHUT_RDWR);
    threads.swap(conn_threads_);
  }
  for (std::thread& t : threads) t.join();
}

std::string LoopbackHttpServer::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void LoopbackHttpServer::AcceptLoop() {
  while (!stopping_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    accepted_.fetch_add(1);
    MutexLock lock(mu_);
    conn_fds_.push_back(fd);
    conn_threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void LoopbackHttpServer::Serve(int fd) {
  std::string buf;
  char chunk[64 * 1024];
  bool open = true;
  while (open) {
    size_t header_end;
    while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        open = false;
        break;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    if (!open) break;
    HttpRequest req;
    const std::string head = buf.substr(0, header_end);
    buf.erase(0, header_end + 4);
    size_t pos = head.find("\r\n");
    const std::string request_line = head.substr(0, pos);
    const size_t sp1 = request_line.find(' ');
    const size_t sp2 = request_line.rfind(' ');
    req.method = request_line.substr(0, sp1);
    const std::string target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    const size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    size_t content_length = 0;
    bool close_after = false;
    while (pos != std::string::npos && pos < head.size()) {
      const size_t next = head.find("\r\n", pos + 2);
      const std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      pos = next;
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      HttpHeader h{line.substr(0, colon), value};
      if (HeaderNameEquals(h.name, "content-length")) content_length = std::stoul(h.value);
      if (HeaderNameEquals(h.name, "connection") && h.value == "close") close_after = true;
      req.headers.push_back(std::move(h));
    }
    while (buf.size() < content_length) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        open = false;
        break;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    if (!open) break;
    req.body = buf.substr(0, content_length);
    buf.erase(0, content_length);

    const HttpResponse resp = handler_(req);
    if (resp.status == 0) break;  // the handler asked for a dropped connection
    std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " " + std::string(ReasonPhrase(resp.status)) + "\r\n";
    for (const HttpHeader& h : resp.headers) out += h.name + ": " + h.value + "\r\n";
    out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
    if (close_after) out += "Connection: close\r\n";
    out += "\r\n";
    out += resp.body;
    if (!WriteAll(fd, out) || close_after) break;
  }
  ::shutdown(fd, SHUT_RDWR);
  // The fd is closed here and removed from the list so the destructor does not touch
  // a number the OS may have reused.
  MutexLock lock(mu_);
  std::erase(conn_fds_, fd);
  ::close(fd);
}

}  // namespace sluice::aws::testing
