// HTTP/2 on libnghttp2, driven in memory: bytes read from the socket go to
// nghttp2_session_mem_recv, frames it wants to send come from nghttp2_session_mem_send.
// Each stream is one request; many run concurrently on one connection.
//
// Request bodies are bounded: a body the handler takes as a stream goes to its
// BodySink piece by piece, and the flow-control window is returned to the client only
// as the sink takes data (no automatic WINDOW_UPDATE), so a slow sink holds back the
// client instead of filling memory. A buffered body is reserved in the request-memory
// budget and counted against the connection's buffered bytes; past either the request
// is answered Overloaded (503).
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

#include "internal/http2_stream.h"
#include "internal/server_core.h"

namespace sluice::http {
namespace {

namespace net = boost::asio;

constexpr uint32_t kMaxConcurrentStreams = 128;
// Receive windows: a streamed body holds at most this much per stream, and all streams
// of a connection together at most kConnectionWindow, while their sinks are full.
constexpr int32_t kStreamWindow = 1 << 20;
constexpr int32_t kConnectionWindow = 16 << 20;
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
    nghttp2_option* option = nullptr;
    if (nghttp2_option_new(&option) != 0) {
      nghttp2_session_callbacks_del(cbs);
      return Close();
    }
    // The window is returned as the body is taken (Consume), not as it arrives.
    nghttp2_option_set_no_auto_window_update(option, 1);
    const int rv = nghttp2_session_server_new2(&ng_, cbs, this, option);
    nghttp2_option_del(option);
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

  // Feeds bytes to nghttp2; false (and closed) on a protocol error or a callback that
  // failed.
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
    for (auto& [id, st] : streams_) AbortSink(*st);
    beast::error_code ec;
    Lowest().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    Lowest().close();
  }

  Http2Stream* Find(int32_t id) {
    const auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
  }

  // Returns `n` bytes of stream `id`'s flow-control window (and the connection's).
  void Consume(int32_t id, size_t n) {
    if (n > 0 && ng_ != nullptr) nghttp2_session_consume(ng_, id, n);
  }

  // Frees a buffered body's bytes and stops counting them against the connection
  // (the handler holds them until it answers, so that happens at the answer).
  void DropBody(Http2Stream& st) {
    buffered_ -= std::exchange(st.counted, 0);
    st.body = std::string();
  }

  void AbortSink(Http2Stream& st) {
    if (!st.sink) return;
    std::shared_ptr<BodySink> sink = std::move(st.sink);
    CallSafely("sink.Abort", remote_, [&] { sink->Abort(); });
  }

  void Reject(Http2Stream& st, int status, std::string message) {
    if (st.reject_status != 0) return;
    st.reject_status = status;
    st.reject_message = std::move(message);
    DropBody(st);
    AbortSink(st);
  }

  void RejectOverloaded(Http2Stream& st) {
    st.overloaded = true;
    Reject(st, 503, "request memory budget exhausted");
  }

  Responder Answer(int32_t id) {
    return [self = this->shared_from_this(), id](Response r) {
      net::post(self->stream_.get_executor(), [self, id, r = std::move(r)]() mutable {
        self->SubmitResponse(id, std::move(r));
        self->Flush();
      });
    };
  }

  // Answers a rejected stream, or hands a complete buffered body to the handler.
  void Dispatch(int32_t id) {
    Http2Stream* st = Find(id);
    if (st == nullptr || st->dispatched) return;
    st->dispatched = true;
    if (st->reject_status != 0) {
      Response r = TransportError(st->reject_status, st->reject_message);
      CallSafely("handler.Refuse", remote_, [&] {
        if (st->too_large) r = core_->handler.BodyTooLarge(st->head, st->limit);
        if (st->overloaded) r = core_->handler.Overloaded(st->head);
      });
      return SubmitResponse(id, std::move(r));
    }
    Request req{std::move(st->head), std::move(st->body)};
    st->body = std::string();
    if (!CallSafely("handler.Handle", remote_,
                    [&] { core_->handler.Handle(std::move(req), Answer(id)); })) {
      InternalError(id);
    }
  }

  // Gives a streamed body's pending bytes to its sink while it takes them, and
  // finishes the body once the client ended it and the sink has everything.
  void PumpSink(int32_t id) {
    Http2Stream* st = Find(id);
    if (st == nullptr || !st->sink || st->sink_full) return;
    if (!st->pending.empty()) {
      const size_t n = st->pending.size();
      std::string piece = std::move(st->pending);
      st->pending = std::string();
      bool more = false;
      auto resume = [weak = this->weak_from_this(), id] {
        auto self = weak.lock();
        if (!self) return;
        net::post(self->stream_.get_executor(), [self, id] { self->ResumeSink(id); });
      };
      if (!CallSafely("sink.Write", remote_, [&] { more = st->sink->Write(std::move(piece), resume); })) {
        return InternalError(id);
      }
      if (!more) {
        st->sink_full = true;
        st->owed = n;
        return;
      }
      Consume(id, n);
    }
    if (st->ended) {
      st->dispatched = true;
      std::shared_ptr<BodySink> sink = std::move(st->sink);
      if (!CallSafely("sink.Finish", remote_, [&] { sink->Finish(Answer(id)); })) InternalError(id);
    }
  }

  void ResumeSink(int32_t id) {
    Http2Stream* st = Find(id);
    if (closed_ || st == nullptr || !st->sink_full) return;
    st->sink_full = false;
    Consume(id, std::exchange(st->owed, 0));
    PumpSink(id);
    Flush();
  }

  // A handler or sink threw: answer 500 on that stream if nothing was answered yet,
  // and close the connection once its streams are done (GOAWAY).
  void InternalError(int32_t id) {
    if (Http2Stream* st = Find(id)) {
      st->dispatched = true;
      AbortSink(*st);
      DropBody(*st);
      if (!st->responded) SubmitResponse(id, TransportError(500, "internal error"));
    }
    if (!draining_ && ng_ != nullptr) {
      draining_ = true;
      nghttp2_submit_goaway(ng_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(ng_),
                            NGHTTP2_INTERNAL_ERROR, nullptr, 0);
    }
  }

  void SubmitResponse(int32_t id, Response r) {
    if (closed_) return;
    Http2Stream* st = Find(id);
    if (st == nullptr || st->responded) return;  // reset by the client, or already answered
    st->reservation.Release();
    DropBody(*st);
    SubmitHttp2Response(ng_, id, *st, std::move(r));
  }

  // The request's head is complete: choose its limit and how its body is taken.
  void OnRequestHead(int32_t id, Http2Stream& st) {
    if (st.reject_status != 0) return;
    uint64_t handler_limit = 0;
    if (!CallSafely("handler.StreamBody", remote_, [&] {
          handler_limit = core_->handler.BodyLimit(st.head);
          st.sink = core_->handler.StreamBody(st.head);
        })) {
      return InternalError(id);
    }
    // As in HTTP/1.1: a streamed body is bounded by the handler's limit alone, a
    // buffered one by --max-body-bytes too.
    st.limit = st.sink ? handler_limit : std::min(handler_limit, opts().max_body_bytes);
    std::optional<uint64_t> declared;
    if (const auto cl = st.head.Header("content-length"); !cl.empty()) {
      declared = ParseLength(cl);
      if (!declared) return Reject(st, 400, "malformed content-length");
    }
    if (declared && *declared > st.limit) {
      st.too_large = true;
      return Reject(st, 413, "request body of " + std::to_string(*declared) +
                                 " bytes exceeds the limit of " + std::to_string(st.limit) + " bytes");
    }
    if (!st.sink && opts().memory_budget != nullptr) {
      auto reserved = opts().memory_budget->TryReserve(declared.value_or(0));
      if (!reserved) return RejectOverloaded(st);
      st.reservation = std::move(*reserved);
    }
  }

  // The client ended the request (END_STREAM on DATA, HEADERS or trailing HEADERS).
  void OnRequestEnd(int32_t id) {
    Http2Stream* st = Find(id);
    if (st == nullptr || st->ended) return;
    st->ended = true;
    if (st->sink) return PumpSink(id);
    Dispatch(id);
  }

  void OnData(int32_t id, const uint8_t* data, size_t len) {
    Http2Stream* st = Find(id);
    if (st == nullptr || st->reject_status != 0 || st->dispatched) return Consume(id, len);
    st->received += len;
    if (st->received > st->limit) {
      Consume(id, len + st->pending.size() + std::exchange(st->owed, 0));
      st->pending = std::string();
      st->too_large = true;
      Reject(*st, 413, "request body exceeds the limit of " + std::to_string(st->limit) + " bytes");
      return Dispatch(id);  // answered now; what the client still sends is discarded
    }
    if (st->sink) {
      st->pending.append(reinterpret_cast<const char*>(data), len);
      return PumpSink(id);
    }
    // A buffered body: bounded per connection (as one HTTP/1.1 connection holds at most
    // one buffered body) and by the request-memory budget.
    const bool fits = buffered_ + len <= opts().max_body_bytes &&
                      (opts().memory_budget == nullptr || st->reservation.bytes() >= st->body.size() + len ||
                       st->reservation.Grow(st->body.size() + len - st->reservation.bytes()));
    Consume(id, len);
    if (!fits) {
      RejectOverloaded(*st);
      return Dispatch(id);
    }
    st->body.append(reinterpret_cast<const char*>(data), len);
    buffered_ += len;
    st->counted += len;
  }

  void OnClosed(int32_t id) {
    const auto it = streams_.find(id);
    if (it == streams_.end()) return;
    Http2Stream& st = *it->second;
    // Bytes never taken still hold the connection's window: return them.
    const size_t held = st.pending.size() + st.owed;
    if (held > 0 && ng_ != nullptr) nghttp2_session_consume_connection(ng_, held);
    AbortSink(st);
    DropBody(st);
    streams_.erase(it);
  }

  // nghttp2's callbacks: C code calls them, so no exception may pass; one that would
  // fails the callback, and nghttp2 ends the connection.
  template <class Fn>
  static int Callback(void* user_data, Fn&& fn) {
    auto* self = Self(user_data);
    return CallSafely("http2", self->remote_, [&] { fn(*self); }) ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
  }

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    return Callback(user_data, [&](Http2Session& self) {
      auto st = std::make_unique<Http2Stream>();
      st->head.protocol = Protocol::kHttp2;
      st->head.remote = self.remote_;
      self.streams_[frame->hd.stream_id] = std::move(st);
    });
  }

  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                      void* user_data) {
    // Trailer fields (a trailing HEADERS frame) are not kept.
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    return Callback(user_data, [&](Http2Session& self) {
      Http2Stream* st = self.Find(frame->hd.stream_id);
      if (st == nullptr) return;
      st->header_bytes += namelen + valuelen + 32;  // RFC 7541 entry size
      if (st->header_bytes > self.opts().max_header_bytes) {
        return self.Reject(*st, 431, "request header fields too large");
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
    });
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    return Callback(user_data, [&](Http2Session& self) {
      const int32_t id = frame->hd.stream_id;
      Http2Stream* st = self.Find(id);
      if (st == nullptr) return;
      if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
        self.OnRequestHead(id, *st);
        // A rejected request is answered now; its remaining DATA is discarded.
        if (st->reject_status != 0) return self.Dispatch(id);
      }
      const bool ends = frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS;
      if (ends && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) self.OnRequestEnd(id);
    });
  }

  static int OnDataChunk(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len,
                         void* user_data) {
    return Callback(user_data, [&](Http2Session& self) { self.OnData(id, data, len); });
  }

  static int OnStreamClose(nghttp2_session*, int32_t id, uint32_t, void* user_data) {
    return Callback(user_data, [&](Http2Session& self) { self.OnClosed(id); });
  }

  std::shared_ptr<ServerCore> core_;
  Stream stream_;
  std::string remote_;
  uint64_t id_ = 0;
  nghttp2_session* ng_ = nullptr;
  std::unordered_map<int32_t, std::unique_ptr<Http2Stream>> streams_;
  uint64_t buffered_ = 0;  // bytes of buffered bodies held on this connection
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
