#include "testing/h2_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace sluice::http::testing {

H2Client::H2Client(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return;
  }
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_header_callback(cbs, &OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &OnData);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &OnClose);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &OnFrame);
  nghttp2_session_client_new(&ng_, cbs, this);
  nghttp2_session_callbacks_del(cbs);
  nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, nullptr, 0);
}

H2Client::~H2Client() {
  if (ng_ != nullptr) nghttp2_session_del(ng_);
  if (fd_ >= 0) ::close(fd_);
}

int32_t H2Client::Submit(const std::string& method, const std::string& path,
                         const std::vector<std::pair<std::string, std::string>>& headers, Body* body) {
  std::vector<std::pair<std::string, std::string>> all = {
      {":method", method}, {":path", path}, {":scheme", "http"}, {":authority", "localhost"}};
  all.insert(all.end(), headers.begin(), headers.end());
  std::vector<nghttp2_nv> nva;
  for (auto& [n, v] : all) {
    nva.push_back({reinterpret_cast<uint8_t*>(n.data()), reinterpret_cast<uint8_t*>(v.data()), n.size(),
                   v.size(), NGHTTP2_NV_FLAG_NONE});
  }
  nghttp2_data_provider provider{};
  provider.source.ptr = body;
  provider.read_callback = &ReadBody;
  return nghttp2_submit_request(ng_, nullptr, nva.data(), nva.size(), body ? &provider : nullptr, this);
}

ssize_t H2Client::ReadBody(nghttp2_session* ng, int32_t id, uint8_t* buf, size_t length, uint32_t* flags,
                           nghttp2_data_source* source, void*) {
  auto* body = static_cast<Body*>(source->ptr);
  const size_t n = std::min(length, body->data.size() - body->sent);
  std::memcpy(buf, body->data.data() + body->sent, n);
  body->sent += n;
  if (body->sent == body->data.size()) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (!body->trailers.empty()) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      std::vector<nghttp2_nv> nva;
      for (auto& [k, v] : body->trailers) {
        nva.push_back({reinterpret_cast<uint8_t*>(k.data()), reinterpret_cast<uint8_t*>(v.data()), k.size(),
                       v.size(), NGHTTP2_NV_FLAG_NONE});
      }
      nghttp2_submit_trailer(ng, id, nva.data(), nva.size());
    }
  }
  return static_cast<ssize_t>(n);
}

int H2Client::OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                       const uint8_t* value, size_t valuelen, uint8_t, void* user) {
  auto* self = static_cast<H2Client*>(user);
  const std::string_view n(reinterpret_cast<const char*>(name), namelen);
  if (n == ":status") {
    self->replies_[frame->hd.stream_id].status =
        std::stoi(std::string(reinterpret_cast<const char*>(value), valuelen));
  }
  return 0;
}

int H2Client::OnData(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* user) {
  static_cast<H2Client*>(user)->replies_[id].body.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

int H2Client::OnClose(nghttp2_session*, int32_t id, uint32_t, void* user) {
  static_cast<H2Client*>(user)->replies_[id].closed = true;
  return 0;
}

int H2Client::OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) != 0) {
    ++static_cast<H2Client*>(user)->ping_acks_;
  }
  return 0;
}

bool H2Client::SendAll() {
  for (;;) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(ng_, &data);
    if (n < 0) return false;
    if (n == 0) return true;
    size_t off = 0;
    while (off < static_cast<size_t>(n)) {
      const ssize_t w = ::send(fd_, data + off, static_cast<size_t>(n) - off, MSG_NOSIGNAL);
      if (w <= 0) return false;
      off += static_cast<size_t>(w);
    }
  }
}

bool H2Client::RunUntil(const std::function<bool()>& done, int timeout_ms) {
  if (!connected() || failed_) return false;
  auto fail = [this] {
    failed_ = true;
    return false;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  uint8_t buf[64 * 1024];
  for (;;) {
    if (!SendAll()) return fail();
    if (done()) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
    if (r < 0) return fail();
    if (r == 0) continue;
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return fail() || done();
    if (nghttp2_session_mem_recv(ng_, buf, static_cast<size_t>(n)) < 0) return fail();
  }
}

bool H2Client::RoundTrip() {
  const uint64_t want = ping_acks_ + 1;
  nghttp2_submit_ping(ng_, NGHTTP2_FLAG_NONE, nullptr);
  return RunUntil([&] { return ping_acks_ >= want; });
}

int32_t H2Client::StreamSendWindow(int32_t id) const {
  return nghttp2_session_get_stream_remote_window_size(ng_, id);
}

}  // namespace sluice::http::testing
