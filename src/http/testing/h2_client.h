// Test-only: a small blocking HTTP/2 client (prior knowledge, clear text) on nghttp2,
// for tests that need frame-level control the Python test clients lack: trailers,
// flow-control windows, PING round trips.
#pragma once

#include <poll.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nghttp2/nghttp2.h>

namespace sluice::http::testing {

class H2Client {
 public:
  struct Reply {
    int status = 0;
    std::string body;
    bool closed = false;
  };
  struct Body {
    std::string data;
    size_t sent = 0;
    std::vector<std::pair<std::string, std::string>> trailers;  // sent after the data
  };

  explicit H2Client(uint16_t port);
  ~H2Client();
  H2Client(const H2Client&) = delete;
  H2Client& operator=(const H2Client&) = delete;

  bool connected() const { return fd_ >= 0 && ng_ != nullptr; }
  // Starts a request; `body` (if any) is sent as the window allows. Returns the stream id.
  int32_t Submit(const std::string& method, const std::string& path,
                 const std::vector<std::pair<std::string, std::string>>& headers, Body* body);
  // Sends what is queued and reads what arrives until `done` holds; false if the
  // connection ended or `timeout_ms` passed without it holding (a bound, not a clock
  // the test depends on).
  bool RunUntil(const std::function<bool()>& done, int timeout_ms = 10'000);
  // Sends a PING and waits for its ACK: every frame the server sent before answering
  // it has been processed.
  bool RoundTrip();

  const Reply& reply(int32_t id) { return replies_[id]; }
  // What the client may still send on stream `id` before the server returns window.
  int32_t StreamSendWindow(int32_t id) const;

 private:
  bool SendAll();
  static ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t*, size_t, uint32_t*, nghttp2_data_source*, void*);
  static int OnHeader(nghttp2_session*, const nghttp2_frame*, const uint8_t*, size_t, const uint8_t*, size_t,
                      uint8_t, void*);
  static int OnData(nghttp2_session*, uint8_t, int32_t, const uint8_t*, size_t, void*);
  static int OnClose(nghttp2_session*, int32_t, uint32_t, void*);
  static int OnFrame(nghttp2_session*, const nghttp2_frame*, void*);

  int fd_ = -1;
  nghttp2_session* ng_ = nullptr;
  std::map<int32_t, Reply> replies_;
  uint64_t ping_acks_ = 0;
  bool failed_ = false;
};

}  // namespace sluice::http::testing
