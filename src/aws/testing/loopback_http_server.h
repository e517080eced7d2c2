// A tiny HTTP/1.1 server on 127.0.0.1 for tests: one thread per connection,
// keep-alive, Content-Length bodies only. It stands in for AWS endpoints so client
// behaviour (signing, retries, partial failures) is tested without a network.
//
// The handler runs on connection threads, possibly concurrently; it must be
// thread-safe. A response with status 0 makes the server drop the connection
// without answering (a transport failure for the client).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aws/http_message.h"
#include "base/mutex.h"
#include "base/status.h"

namespace sluice::aws::testing {

class LoopbackHttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  static Result<std::unique_ptr<LoopbackHttpServer>> Start(Handler handler);
  ~LoopbackHttpServer();  // stops accepting, closes connections, joins threads

  // "http://127.0.0.1:<port>".
  std::string endpoint() const;
  int connections_accepted() const { return accepted_.load(); }

  LoopbackHttpServer(int listen_fd, int port, Handler handler);

 private:
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_;
  int port_;
  Handler handler_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  Mutex mu_;
  std::vector<int> conn_fds_ GUARDED_BY(mu_);
  std::vector<std::thread> conn_threads_ GUARDED_BY(mu_);
  std::thread accept_thread_;
};

}  // namespace sluice::aws::testing
