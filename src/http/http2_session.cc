// HTTP/2 on libnghttp2, driven in memory: bytes read from the socket go to
// nghttp2_session_mem_recv, frames it wants to send come from nghttp2_session_mem_send.
// Each stream is one request; many run concurrently on one connection.
#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <unordered_map>
#include <vector>

#include <nghttp2/nghttp2.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "internal/server_core.h"

namespace sluice::http {
namespace {

namespace net = boost::asio;

constexpr uint32_t kMaxConcurrentStreams = 128;
constexpr int32_t kStreamWindow = 1 << 20;       // per-stream receive window
constexpr int32_t kConnectionWindow = 16 << 20;  // whole-connection receive window
constexpr size_t kMaxWriteChunk = 1 << 20;       // bytes gathered per socket write

std::optional<uint64_t> ParseLength(std::string_view s) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

template <class Stream>
class Http2Session final : public Connection,
                           public std::enable_shared_from_this<Http2Session<Stream>> {
 public:
  Http2Session(std::shared_ptr<ServerCore> core, Stream stream)
      : core_(std::move(core)), stream_(std::move(stream)) {
    beast::error_code ec;
    const auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  ~Http2Session() override {
    if (ng_ != nullptr) nghttp2_session_del(ng_);
    core_->Unregister(id_);
  }

  void Run(beast::flat_buffer initial) {
    id_ = core_->Register(this->weak_from_this());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this(),
                                           initial = std::move(initial)]() mutable {
      self->Begin(std::move(initial));
    });
  }

  void Drain() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->closed_ || self->ng_ == nullptr || self->draining_) return;
      self->draining_ = true;
      // GOAWAY with the last stream we saw: those finish, the client retries others.
      nghttp2_submit_goaway(self->ng_, NGHTTP2_FLAG_NONE,
                            nghttp2_session_get_last_proc_stream_id(self->ng_),
                            NGHTTP2_NO_ERROR, nullptr, 0);
      self->Flush();
    });
  }

  void Cut() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
  }

 private:
  struct StreamState {
    RequestHead head;
    std::string body;
    uint64_t limit = 0;
    size_t header_bytes = 0;
    int reject_status = 0;  // non-zero: answer this status without calling the handler
    std::string reject_message;
    bool too_large = false;  // answered by the handler's BodyTooLarge
    bool dispatched = false;
    std::string response_body;
    std::shared_ptr<const FileSlice> response_file;  // the body instead, when set
    uint64_t sent = 0;
  };

  static Http2Session* Self(void* user_data) { return static_cast<Http2Session*>(user_data); }
  auto& Lowest() { return beast::get_lowest_layer(stream_); }
  const ServerOptions& opts() const { return core_->options; }

  void Begin(beast::flat_buffer initial) {
    nghttp2_session_callbacks* cbs = nullptr;
    if (nghttp2_session_callbacks_new(&cbs) != 0) return Close();
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, &OnBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(cbs, &OnHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &OnFrameRecv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &OnDataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &OnStreamClose);
    const int rv = nghttp2_session_server_new(&ng_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0) return Close();

    const std::array<nghttp2_settings_entry, 3> settings{{
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, opts().max_header_bytes},
    }};
    nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    nghttp2_session_set_local_window_size(ng_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);

    if (!Receive(static_cast<const uint8_t*>(initial.data().data()), initial.size())) return;
    Flush();
    Read();
  }

  // Feeds bytes to nghttp2; false (and closed) on a protocol error.
  bool Receive(const uint8_t* data, size_t n) {
    if (n == 0) return true;
    const auto rv = nghttp2_session_mem_recv(ng_, data, n);
    if (rv < 0) {
      Flush();  // nghttp2 may have queued a GOAWAY explaining the error
      Close();
      return false;
    }
    return true;
  }

  void Read() {
    if (closed_) return;
    Lowest().expires_after(streams_.empty() ? opts().idle_timeout : opts().body_timeout);
    stream_.async_read_some(net::buffer(rbuf_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              if (!self->Receive(self->rbuf_.data(), n)) return;
                              self->Flush();
                              self->Read();
                            });
  }

  void Flush() {
    if (writing_ || closed_) return;
    wbuf_.clear();
    while (wbuf_.size() < kMaxWriteChunk) {
      const uint8_t* data = nullptr;
      const auto n = nghttp2_session_mem_send(ng_, &data);
      if (n < 0) return Close();
      if (n == 0) break;
      wbuf_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (wbuf_.empty()) {
      if (nghttp2_session_want_read(ng_) == 0 && nghttp2_session_want_write(ng_) == 0) Close();
      return;
    }
    writing_ = true;
    net::async_write(stream_, net::buffer(wbuf_),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->writing_ = false;
                       if (ec) return self->Close();
                       self->Flush();
                     });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    Lowest().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    Lowest().close();
  }

  StreamState* Find(int32_t id) {
    const auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
  }

  void Reject(StreamState& st, int status, std::string message) {
    if (st.reject_status != 0) return;
    st.reject_status = status;
    st.reject_message = std::move(message);
    st.body.clear();
  }

  void Dispatch(int32_t id) {
    StreamState* st = Find(id);
    if (st == nullptr || st->dispatched) return;
    st->dispatched = true;
    if (st->reject_status != 0) {
      if (st->too_large) return SubmitResponse(id, core_->handler.BodyTooLarge(st->head, st->limit));
      return SubmitResponse(id, TransportError(st->reject_status, st->reject_message));
    }
    Request req{std::move(st->head), std::move(st->body)};
    auto self = this->shared_from_this();
    Responder done = [self, id](Response r) {
      net::post(self->stream_.get_executor(), [self, id, r = std::move(r)]() mutable {
        self->SubmitResponse(id, std::move(r));
        self->Flush();
      });
    };
    // HTTP/2 bodies are buffered (flow control would have to follow the sink to stream
    // them); a streaming handler gets the whole body as one piece.
    if (auto sink = core_->handler.StreamBody(req.head)) {
      sink->Write(std::move(req.body), [] {});
      return sink->Finish(std::move(done));
    }
    core_->handler.Handle(std::move(req), std::move(done));
  }

  void SubmitResponse(int32_t id, Response r) {
    if (closed_) return;
    StreamState* st = Find(id);
    if (st == nullptr) return;  // the client reset the stream meanwhile
    const std::string status = std::to_string(r.status);
    const std::string length = std::to_string(r.BodySize());
    std::vector<nghttp2_nv> nva;
    nva.reserve(r.headers.size() + 3);
    auto add = [&nva](const std::string& name, const std::string& value) {
      nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                     reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                     value.size(), NGHTTP2_NV_FLAG_NONE});
    };
    static const std::string kStatus = ":status", kLength = "content-length",
                             kServer = "server", kSluice = "sluice";
    add(kStatus, status);
    add(kServer, kSluice);
    // A HEAD answer may carry the length of the body a GET would get.
    const bool has_length = std::any_of(r.headers.begin(), r.headers.end(),
                                        [](const auto& h) { return h.first == "content-length"; });
    if (!has_length) add(kLength, length);
    for (const auto& [name, value] : r.headers) add(name, value);
    st->response_body = std::move(r.body);
    st->response_file = std::move(r.file);
    st->sent = 0;
    const bool has_body = st->response_file ? st->response_file->length() > 0
                                            : !st->response_body.empty();
    nghttp2_data_provider provider{};
    provider.source.ptr = st;
    provider.read_callback = &ReadBody;
    // nghttp2 copies the name/value pairs; the body is pulled through ReadBody.
    nghttp2_submit_response(ng_, id, nva.data(), nva.size(),
                            has_body ? &provider : nullptr);
  }

  static ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length,
                          uint32_t* data_flags, nghttp2_data_source* source, void*) {
    auto* st = static_cast<StreamState*>(source->ptr);
    if (st->response_file) {
      // nghttp2 asks for one frame's worth at a time; pread fills it in place.
      const FileSlice& file = *st->response_file;
      const long n = file.ReadAt(st->sent, reinterpret_cast<char*>(buf), length);
      // The length is already promised: a read error or a shrunken file resets the stream.
      if (n <= 0) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
      st->sent += static_cast<uint64_t>(n);
      if (st->sent == file.length()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      return n;
    }
    const size_t n = std::min(length, st->response_body.size() - st->sent);
    std::memcpy(buf, st->response_body.data() + st->sent, n);
    st->sent += n;
    if (st->sent == st->response_body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    auto* self = Self(user_data);
    auto st = std::make_unique<StreamState>();
    st->head.protocol = Protocol::kHttp2;
    st->head.remote = self->remote_;
    self->streams_[frame->hd.stream_id] = std::move(st);
    return 0;
  }

  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                      void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    auto* self = Self(user_data);
    StreamState* st = self->Find(frame->hd.stream_id);
    if (st == nullptr) return 0;
    st->header_bytes += namelen + valuelen + 32;  // RFC 7541 entry size
    if (st->header_bytes > self->opts().max_header_bytes) {
      self->Reject(*st, 431, "request header fields too large");
      return 0;
    }
    const std::string_view n(reinterpret_cast<const char*>(name), namelen);
    std::string v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":method") {
      st->head.method = std::move(v);
    } else if (n == ":path") {
      st->head.target = std::move(v);
    } else if (n == ":authority") {
      st->head.host = std::move(v);
    } else if (!n.empty() && n[0] != ':') {
      if (n == "host" && st->head.host.empty()) st->head.host = v;
      st->head.headers.emplace_back(std::string(n), std::move(v));
    }
    return 0;
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto* self = Self(user_data);
    const int32_t id = frame->hd.stream_id;
    StreamState* st = self->Find(id);
    if (st == nullptr) return 0;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      if (st->reject_status == 0) {
        st->limit = std::min(self->core_->handler.BodyLimit(st->head), self->opts().max_body_bytes);
        const auto cl = st->head.Header("content-length");
        if (!cl.empty()) {
          const auto len = ParseLength(cl);
          if (!len) {
            self->Reject(*st, 400, "malformed content-length");
          } else if (*len > st->limit) {
            st->too_large = true;
            self->Reject(*st, 413, "request body of " + std::to_string(*len) +
                                       " bytes exceeds the limit of " +
                                       std::to_string(st->limit) + " bytes");
          }
        }
      }
      // A rejected request is answered now; its remaining DATA is discarded.
      if (st->reject_status != 0 || (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
        self->Dispatch(id);
      }
    } else if (frame->hd.type == NGHTTP2_DATA && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
      self->Dispatch(id);
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len,
                         void* user_data) {
    auto* self = Self(user_data);
    StreamState* st = self->Find(id);
    if (st == nullptr || st->reject_status != 0 || st->dispatched) return 0;
    if (st->body.size() + len > st->limit) {
      st->too_large = true;
      self->Reject(*st, 413, "request body exceeds the limit of " + std::to_string(st->limit) +
                                 " bytes");
      self->Dispatch(id);
      return 0;
    }
    st->body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int OnStreamClose(nghttp2_session*, int32_t id, uint32_t, void* user_data) {
    Self(user_data)->streams_.erase(id);
    return 0;
  }

  std::shared_ptr<ServerCore> core_;
  Stream stream_;
  std::string remote_;
  uint64_t id_ = 0;
  nghttp2_session* ng_ = nullptr;
  std::unordered_map<int32_t, std::unique_ptr<StreamState>> streams_;
  std::array<uint8_t, 64 * 1024> rbuf_{};
  std::string wbuf_;
  bool writing_ = false;
  bool closed_ = false;
  bool draining_ = false;
};

template <class Stream>
void Start(std::shared_ptr<ServerCore> core, Stream stream, beast::flat_buffer initial) {
  std::make_shared<Http2Session<Stream>>(std::move(core), std::move(stream))
      ->Run(std::move(initial));
}

}  // namespace

void StartHttp2(std::shared_ptr<ServerCore> core, PlainStream stream, beast::flat_buffer initial) {
  Start(std::move(core), std::move(stream), std::move(initial));
}

void StartHttp2(std::shared_ptr<ServerCore> core, TlsStream stream, beast::flat_buffer initial) {
  Start(std::move(core), std::move(stream), std::move(initial));
}

}  // namespace sluice::http
