// HTTP/1.1 on Boost.Beast: keep-alive, pipelining through the read buffer,
// `Expect: 100-continue`, and limits checked before any body is buffered.
#include <sys/sendfile.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <type_traits>
#include <optional>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "internal/http1_framing.h"
#include "internal/server_core.h"
#include "base/ascii.h"

namespace sluice::http {
namespace {

namespace net = boost::asio;
namespace bhttp = beast::http;

// Bytes read from a file per socket write: large enough that syscalls do not
// dominate, small enough to stay in cache while the kernel copies them out.
constexpr size_t kFileChunkBytes = 256 * 1024;
// Bytes per piece of a streamed request body: large enough that the hand-off to the
// sink is rare, small enough that hashing and writing follow close behind the socket.
constexpr size_t kBodyPieceBytes = 256 << 10;
// A connection answered before its request body was read drops at most this much of
// what follows, for at most this long, before it closes (LingerClose).
constexpr uint64_t kLingerMaxBytes = 8 << 20;
constexpr auto kLingerTime = std::chrono::seconds(2);
// Bytes per sendfile call: the socket takes what its buffer holds, this bounds one call.
constexpr size_t kSendfileMaxBytes = 16 << 20;
template <class Stream>
class Http1Session final : public Connection,
                           public std::enable_shared_from_this<Http1Session<Stream>> {
 public:
  Http1Session(std::shared_ptr<ServerCore> core, Stream stream, beast::flat_buffer buffer)
      : core_(std::move(core)), stream_(std::move(stream)), buffer_(std::move(buffer)) {
    beast::error_code ec;
    const auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  ~Http1Session() override { core_->Unregister(id_); }

  void Run() {
    id_ = core_->Register(this->weak_from_this());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->NextRequest(); });
  }

  void Drain() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->draining_ = true;
      if (self->state_ == State::kIdle) self->Close();
    });
  }

  void Cut() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kClosed };

  auto& Lowest() { return beast::get_lowest_layer(stream_); }
  const ServerOptions& opts() const { return core_->options; }

  // Waits (idle timeout) for the first byte of the next request, unless pipelined
  // bytes are already buffered; the header timeout starts with that first byte.
  void NextRequest() {
    if (state_ == State::kClosed) return;
    if (draining_) return Close();
    state_ = State::kIdle;
    if (buffer_.size() > 0) return ReadHeader();
    Lowest().expires_after(opts().idle_timeout);
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    if (state_ == State::kClosed) return;
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(opts().max_header_bytes);
    // The body limit is chosen per request once the head is known (OnHeader); until
    // then Beast must not judge the Content-Length itself.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    Lowest().expires_after(opts().header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return Fail(431, "request header fields too large");
    if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();
    }
    if (ec) return Fail(400, "malformed HTTP request: " + ec.message());

    const auto& msg = parser_->get();
    head_ = RequestHead{};
    head_.method = std::string(msg.method_string());
    head_.target = std::string(msg.target());
    head_.protocol = Protocol::kHttp1;
    head_.remote = remote_;
    for (const auto& field : msg) {
      head_.headers.emplace_back(AsciiLower(field.name_string()), std::string(field.value()));
    }
    head_.host = std::string(head_.Header("host"));
    keep_alive_ = msg.keep_alive();
    if (!OnlyChunked(head_.headers)) return Fail(501, "transfer coding not implemented");
    header_fields_ = static_cast<size_t>(std::distance(msg.begin(), msg.end()));

    // A body of known length that the handler takes as a stream is not buffered, so
    // only the handler's limit bounds it; a buffered body also --max-body-bytes.
    uint64_t handler_limit = 0;
    const auto length = parser_->content_length();
    if (!CallSafely("handler.StreamBody", remote_, [&] {
          handler_limit = core_->handler.BodyLimit(head_);
          sink_ = core_->handler.StreamBody(head_);
        })) {
      return InternalError();
    }
    const bool stream = sink_ && length;
    const uint64_t limit = stream ? handler_limit : std::min(handler_limit, opts().max_body_bytes);
    limit_ = limit;
    if (length && *length > limit) return Refuse(/*overloaded=*/false);
    // A buffered body is reserved in the request-memory budget: a declared length at
    // once, a chunked one chunk by chunk (OnChunkHeader).
    if (!stream && opts().memory_budget != nullptr) {
      auto reserved = opts().memory_budget->TryReserve(length.value_or(0));
      if (!reserved) return Refuse(/*overloaded=*/true);
      reservation_ = std::move(*reserved);
    }
    overloaded_ = false;
    if (!stream && !length) parser_->on_chunk_header(on_chunk_header_);
    parser_->body_limit(limit);
    limit_ = limit;
    body_left_ = stream ? *length : 0;
    if (parser_->is_done()) return stream ? StreamBody() : Dispatch();

    Lowest().expires_after(opts().body_timeout);
    if (beast::iequals(head_.Header("expect"), "100-continue")) {
      if (!stream) return SendContinue(false);
      // The client waits for our word before sending the body: let the handler
      // refuse from the head (no such bucket, say) so the body is never sent.
      state_ = State::kHandling;
      ArmWaitTimer();  // a handler that never decides must not park the connection
      auto ready = [self = this->shared_from_this()](std::optional<Response> refusal) {
        net::post(self->stream_.get_executor(), [self, refusal = std::move(refusal)]() mutable {
          self->DisarmWaitTimer();
          if (self->state_ == State::kClosed || !self->sink_) return;
          self->state_ = State::kReading;
          if (!refusal) return self->SendContinue(true);
          CallSafely("sink.Abort", self->remote_, [&] { self->sink_->Abort(); });
          self->sink_.reset();
          self->keep_alive_ = false;  // the unsent body cannot be skipped
          self->unread_body_ = true;
          self->Write(std::move(*refusal));
        });
      };
      if (!CallSafely("sink.Begin", remote_, [&] { sink_->Begin(std::move(ready)); })) InternalError();
      return;
    }
    stream ? StreamBody() : ReadBody();
  }

  void SendContinue(bool stream) {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    Lowest().expires_after(opts().body_timeout);
    net::async_write(stream_, net::buffer(kContinue),
                     [self = this->shared_from_this(), stream](beast::error_code ec, size_t) {
                       if (ec || self->state_ == State::kClosed) return self->Close();
                       stream ? self->StreamBody() : self->ReadBody();
                     });
  }

  // Streams a body of known length to the sink in pieces read straight from the
  // socket into each piece (after what the header read already buffered), bypassing
  // the parser: one copy, and no limit but the handler's.
  void StreamBody() {
    if (state_ == State::kClosed) return;
    if (body_left_ == 0) return FinishStream();
    const size_t want = static_cast<size_t>(std::min<uint64_t>(body_left_, kBodyPieceBytes));
    piece_.resize(want);
    const size_t have = std::min(buffer_.size(), want);
    if (have > 0) {
      net::buffer_copy(net::buffer(piece_.data(), have), buffer_.data());
      buffer_.consume(have);
    }
    if (have == want) return OnPiece();
    Lowest().expires_after(opts().body_timeout);
    net::async_read(stream_, net::buffer(piece_.data() + have, want - have),
                    [self = this->shared_from_this()](beast::error_code ec, size_t) {
                      // A Cut may have closed the connection (and aborted the sink)
                      // after this read completed but before this handler ran.
                      if (ec || self->state_ == State::kClosed || !self->sink_) return self->Close();
                      self->OnPiece();
                    });
  }

  void OnPiece() {
    body_left_ -= piece_.size();
    auto self = this->shared_from_this();
    bool more = false;
    if (!CallSafely("sink.Write", remote_, [&] {
          more = sink_->Write(std::move(piece_), [self] {
            net::post(self->stream_.get_executor(), [self] {
              if (self->sink_ && self->state_ == State::kReading) self->StreamBody();
            });
          });
        })) {
      return InternalError();
    }
    piece_ = std::string();
    if (body_left_ == 0) return FinishStream();
    if (more) StreamBody();
  }

  void FinishStream() {
    state_ = State::kHandling;
    head_request_ = false;
    Lowest().expires_never();
    parser_.reset();
    std::shared_ptr<BodySink> sink = std::move(sink_);
    if (!CallSafely("sink.Finish", remote_, [&] { sink->Finish(Responder(self_responder())); })) {
      InternalError();
    }
  }

  // Takes a handler's answer back to this connection's executor. An answer that comes
  // after the transport answered by itself (InternalError) is dropped.
  Responder self_responder() {
    return [self = this->shared_from_this()](Response r) {
      net::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable {
        if (self->state_ == State::kHandling) self->Write(std::move(r));
      });
    };
  }

  void ReadBody() {
    // While a chunked body is read only its framing (a chunk-size line, the trailer
    // section) stays in the buffer, the chunk data going to the body: bounding the
    // buffer bounds the framing.
    if (parser_->chunked()) buffer_.max_size(std::max(buffer_.size(), kMaxChunkFramingBytes));
    bhttp::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->buffer_.max_size(std::numeric_limits<size_t>::max());
                       self->OnBody(ec);
                     });
  }

  void OnBody(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) return Refuse(overloaded_);
    if (ec == bhttp::error::buffer_overflow) {
      const std::string_view framing(static_cast<const char*>(buffer_.data().data()), buffer_.size());
      if (IsLastChunk(framing)) return Fail(431, "chunked trailer section too large");
      return Fail(400, "chunk-size line too long");
    }
    if (ec == bhttp::error::partial_message || ec == bhttp::error::end_of_stream ||
        ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();
    }
    // Bad chunk framing (a size that is not hex, a missing CRLF) is answered before
    // the connection closes.
    if (ec) return Fail(400, "malformed chunked body: " + ec.message());
    const auto& msg = parser_->get();
    if (static_cast<size_t>(std::distance(msg.begin(), msg.end())) > header_fields_ + kMaxTrailerFields) {
      return Fail(431, "too many chunked trailer fields");
    }
    Dispatch();
  }

  // Answers a request whose body is not read: too large, or no room for it in the
  // request-memory budget. The connection closes after the answer.
  void Refuse(bool overloaded) {
    if (sink_) CallSafely("sink.Abort", remote_, [&] { sink_->Abort(); });
    sink_.reset();
    keep_alive_ = false;
    unread_body_ = true;
    Response r;
    if (!CallSafely("handler.Refuse", remote_, [&] {
          r = overloaded ? core_->handler.Overloaded(head_) : core_->handler.BodyTooLarge(head_, limit_);
        })) {
      r = TransportError(500, "internal error");
    }
    Write(std::move(r));
  }

  // A handler or sink threw: answer 500 if nothing was sent yet, and close.
  void InternalError() {
    if (sink_) CallSafely("sink.Abort", remote_, [&] { sink_->Abort(); });
    sink_.reset();
    if (state_ == State::kClosed || state_ == State::kWriting) return Close();
    Fail(500, "internal error");
  }

  // Reserves each chunk of a buffered chunked body, before its data is read.
  void OnChunkHeader(std::uint64_t size, beast::error_code& ec) {
    if (size == 0 || opts().memory_budget == nullptr) return;
    if (!reservation_.Grow(size)) {
      overloaded_ = true;
      ec = bhttp::error::body_limit;
    }
  }

  void Dispatch() {
    state_ = State::kHandling;
    head_request_ = head_.method == "HEAD";
    Lowest().expires_never();
    Request req{std::move(head_), std::move(parser_->get().body())};
    parser_.reset();
    if (sink_) {
      // A streaming handler whose body came without a length (chunked transfer
      // coding) was buffered: it gets the body as one piece.
      std::shared_ptr<BodySink> sink = std::move(sink_);
      if (!CallSafely("sink.Finish", remote_, [&] {
            sink->Write(std::move(req.body), [] {});
            sink->Finish(self_responder());
          })) {
        InternalError();
      }
      return;
    }
    if (!CallSafely("handler.Handle", remote_,
                    [&] { core_->handler.Handle(std::move(req), self_responder()); })) {
      InternalError();
    }
  }

  // Answers an error the transport detected itself; the connection closes after,
  // since the rest of the request is not read.
  void Fail(int status, const std::string& message) {
    keep_alive_ = false;
    unread_body_ = true;
    Write(TransportError(status, message));
  }

  void Write(Response r) {
    if (state_ == State::kClosed) return;
    reservation_.Release();  // the buffered body is the handler's now
    if (r.file && !head_request_) return WriteFile(std::move(r));
    state_ = State::kWriting;
    res_.emplace();
    res_->result(static_cast<unsigned>(r.status));
    res_->version(11);
    res_->set(bhttp::field::server, "sluice");
    for (auto& [name, value] : r.headers) res_->set(name, value);
    res_->body() = std::move(r.body);
    res_->keep_alive(keep_alive_ && !draining_);
    // A HEAD answer describes the body a GET would get: keep the handler's length.
    if (!(head_request_ && res_->find(bhttp::field::content_length) != res_->end())) {
      res_->prepare_payload();
    }
    head_request_ = false;
    Lowest().expires_after(opts().body_timeout);
    bhttp::async_write(stream_, *res_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        const bool again = !ec && self->res_->keep_alive();
                        self->res_.reset();
                        if (!again) return !ec && self->unread_body_ ? self->LingerClose() : self->Close();
                        self->NextRequest();
                      });
  }

  // A file-backed response: the head through Beast, then the file range in chunks
  // read straight into one reused buffer, so a large object never sits in memory.
  void WriteFile(Response r) {
    state_ = State::kWriting;
    file_head_.emplace();
    file_head_->result(static_cast<unsigned>(r.status));
    file_head_->version(11);
    file_head_->set(bhttp::field::server, "sluice");
    for (auto& [name, value] : r.headers) file_head_->set(name, value);
    file_head_->content_length(r.file->length());
    file_head_->keep_alive(keep_alive_ && !draining_);
    file_ = std::move(r.file);
    file_sent_ = 0;
    file_serializer_.emplace(*file_head_);
    Lowest().expires_after(opts().body_timeout);
    bhttp::async_write_header(stream_, *file_serializer_,
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->Close();
                               self->WriteFileChunk();
                             });
  }

  void WriteFileChunk() {
    if (file_sent_ == file_->length()) {
      const bool again = file_head_->keep_alive();
      file_serializer_.reset();
      file_head_.reset();
      file_.reset();
      if (!again) return Close();
      return NextRequest();
    }
    if constexpr (std::is_same_v<Stream, PlainStream>) {
      if (use_sendfile_) return SendFileChunk();
    }
    if (!chunk_) chunk_ = std::make_unique_for_overwrite<char[]>(kFileChunkBytes);
    const long n = file_->ReadAt(file_sent_, chunk_.get(), kFileChunkBytes);
    // The length is already promised in the head: a read error (or a file that
    // shrank) can only be reported by cutting the connection.
    if (n <= 0) return Close();
    file_sent_ += static_cast<uint64_t>(n);
    Lowest().expires_after(opts().body_timeout);
    net::async_write(stream_, net::buffer(chunk_.get(), static_cast<size_t>(n)),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->WriteFileChunk();
                     });
  }

  // Plain TCP: sendfile hands the file's pages to the socket, with no copy through
  // this process. Sends until the socket is full, then waits (bounded by the body
  // timeout) for it to drain. Falls back to reading chunks if the kernel refuses.
  void SendFileChunk() {
    auto& sock = Lowest().socket();
    beast::error_code ec;
    sock.native_non_blocking(true, ec);
    if (ec) {
      use_sendfile_ = false;
      return WriteFileChunk();
    }
    uint64_t sent_now = 0;
    while (file_sent_ < file_->length()) {
      if (sent_now >= kSendfileMaxBytes) {
        // A reader as fast as the server: let the thread's other connections run.
        return net::post(stream_.get_executor(), [self = this->shared_from_this()] {
          if (self->state_ != State::kClosed) self->WriteFileChunk();
        });
      }
      off_t at = static_cast<off_t>(file_->offset() + file_sent_);
      const size_t want = static_cast<size_t>(std::min<uint64_t>(file_->length() - file_sent_, kSendfileMaxBytes));
      const ssize_t n = ::sendfile(sock.native_handle(), file_->fd(), &at, want);
      if (n > 0) {
        file_sent_ += static_cast<uint64_t>(n);
        sent_now += static_cast<uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        ArmWaitTimer();
        sock.async_wait(net::ip::tcp::socket::wait_write,
                        [self = this->shared_from_this()](beast::error_code wec) {
                          self->DisarmWaitTimer();
                          if (wec || self->state_ == State::kClosed) return self->Close();
                          self->WriteFileChunk();
                        });
        return;
      }
      if (n < 0 && (errno == EINVAL || errno == ENOSYS) && file_sent_ == 0) {
        use_sendfile_ = false;  // a file system without sendfile support
        return WriteFileChunk();
      }
      // The length is already promised in the head: a read error or a file that
      // shrank can only be reported by cutting the connection.
      return Close();
    }
    WriteFileChunk();
  }

  // Bounds a wait that no Beast operation covers (a full socket, a handler's
  // decision) by the body timeout: when it fires, the connection closes. The wait and
  // the timer may complete in the same pass: the generation tells the timer whether
  // its wait is still the current one.
  void ArmWaitTimer() {
    const uint64_t generation = ++wait_generation_;
    wait_timer_.expires_after(opts().body_timeout);
    wait_timer_.async_wait([weak = this->weak_from_this(), generation](beast::error_code tec) {
      auto self = weak.lock();
      if (self && !tec && self->wait_generation_ == generation) self->Close();
    });
  }
  void DisarmWaitTimer() {
    ++wait_generation_;
    wait_timer_.cancel();
  }

  // After answering a request whose body was not read (too large, refused from its
  // head): half-close, then read and drop what the client still sends for a moment,
  // so unread bytes do not make the kernel reset the connection and destroy the
  // answer on its way. TLS connections simply close.
  void LingerClose() {
    if constexpr (!std::is_same_v<Stream, PlainStream>) {
      return Close();
    } else {
      if (state_ == State::kClosed) return;
      beast::error_code ec;
      Lowest().socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
      if (ec) return Close();
      linger_left_ = kLingerMaxBytes;
      Lowest().expires_after(kLingerTime);
      DropUnread();
    }
  }
  void DropUnread() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec || n >= self->linger_left_) return self->Close();
                              self->linger_left_ -= n;
                              self->buffer_.commit(n);
                              self->DropUnread();
                            });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    wait_timer_.cancel();
    reservation_.Release();
    if (sink_) {
      CallSafely("sink.Abort", remote_, [&] { sink_->Abort(); });  // the body will not complete
      sink_.reset();
    }
    beast::error_code ec;
    Lowest().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    Lowest().close();
  }

  std::shared_ptr<ServerCore> core_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::string remote_;
  uint64_t id_ = 0;
  State state_ = State::kIdle;
  bool draining_ = false;
  bool keep_alive_ = true;
  bool head_request_ = false;
  uint64_t limit_ = 0;
  RequestHead head_;
  // A body streamed to the handler (StreamBody): its sink, bytes still to read, and
  // the piece being read.
  std::shared_ptr<BodySink> sink_;
  uint64_t body_left_ = 0;
  std::string piece_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
  // A file-backed response in progress (WriteFile).
  std::optional<bhttp::response<bhttp::empty_body>> file_head_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> file_serializer_;
  std::shared_ptr<const FileSlice> file_;
  uint64_t file_sent_ = 0;
  std::unique_ptr<char[]> chunk_;  // allocated on the first file response, then reused
  bool use_sendfile_ = true;      // plain TCP only; cleared if the kernel refuses
  net::steady_timer wait_timer_{stream_.get_executor()};  // bounds SendFileChunk's waits
  uint64_t wait_generation_ = 0;                            // the current wait, for its timer
  bool unread_body_ = false;  // answered before the body was read: linger on close
  uint64_t linger_left_ = 0;
  // A buffered body's bytes in the request-memory budget, held until the answer.
  MemoryBudget::Reservation reservation_;
  bool overloaded_ = false;  // the budget refused a chunk (OnChunkHeader)
  size_t header_fields_ = 0;  // fields in the head; the rest of the message's are trailers
  std::function<void(std::uint64_t, std::string_view, beast::error_code&)> on_chunk_header_ =
      [this](std::uint64_t size, std::string_view, beast::error_code& ec) { OnChunkHeader(size, ec); };
};

template <class Stream>
void Start(std::shared_ptr<ServerCore> core, Stream stream, beast::flat_buffer initial) {
  std::make_shared<Http1Session<Stream>>(std::move(core), std::move(stream), std::move(initial))
      ->Run();
}

}  // namespace

void StartHttp1(std::shared_ptr<ServerCore> core, PlainStream stream, beast::flat_buffer initial) {
  Start(std::move(core), std::move(stream), std::move(initial));
}

void StartHttp1(std::shared_ptr<ServerCore> core, TlsStream stream, beast::flat_buffer initial) {
  Start(std::move(core), std::move(stream), std::move(initial));
}

}  // namespace sluice::http
