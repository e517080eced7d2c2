// The transport against hostile or failing input (issue #11): HTTP/2 bodies streamed
// under flow control, trailers, the request-memory budget, and exceptions that must not
// leave a session.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "base/memory_budget.h"
#include "http/server.h"
#include "testing/h2_client.h"

namespace sluice::http {
namespace {

using testing::H2Client;

// Takes a body and can say it is full: the first Write is held (returns false) until
// the test calls Release, as a disk-bound sink would.
class GateSink final : public BodySink {
 public:
  bool Write(std::string piece, std::function<void()> resume) override {
    std::lock_guard lock(mu_);
    got_ += piece.size();
    ++writes_;
    if (hold_ && writes_ == 1) {
      resume_ = std::move(resume);
      return false;
    }
    return true;
  }
  void Finish(Responder done) override {
    std::lock_guard lock(mu_);
    done(Response::Text(200, std::to_string(got_)));
  }
  void Abort() override {}

  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  uint64_t got() {
    std::lock_guard lock(mu_);
    return got_;
  }
  bool held() {
    std::lock_guard lock(mu_);
    return static_cast<bool>(resume_);
  }
  void Release() {
    std::function<void()> resume;
    {
      std::lock_guard lock(mu_);
      resume = std::move(resume_);
    }
    resume();
  }

 private:
  std::mutex mu_;
  uint64_t got_ = 0;
  int writes_ = 0;
  bool hold_ = false;
  std::function<void()> resume_;
};

// /stream: the body goes to `sink`; /throw and /throw-sink: the handler throws;
// anything else is buffered and answered with its length.
class TestHandler final : public Handler {
 public:
  uint64_t BodyLimit(const RequestHead&) const override { return 64 << 20; }
  void Handle(Request req, Responder done) override {
    if (req.head.Path() == "/throw") throw std::runtime_error("handler bug");
    if (req.head.Path() == "/hold") {
      std::lock_guard lock(mu_);
      held_ = std::move(done);
      return;
    }
    done(Response::Text(200, std::to_string(req.body.size())));
  }
  std::shared_ptr<BodySink> StreamBody(const RequestHead& head) override {
    if (head.Path() == "/throw-sink") throw std::logic_error("sink bug");
    return head.Path() == "/stream" ? sink : nullptr;
  }
  Response Overloaded(const RequestHead&) const override { return Response::Text(503, "test-overloaded"); }

  bool holding() {
    std::lock_guard lock(mu_);
    return static_cast<bool>(held_);
  }
  void AnswerHeld() {
    Responder done;
    {
      std::lock_guard lock(mu_);
      done = std::move(held_);
    }
    done(Response::Text(200, "held"));
  }

  std::shared_ptr<GateSink> sink = std::make_shared<GateSink>();

 private:
  std::mutex mu_;
  Responder held_;  // /hold: answered when the test says
};

class ServerHardening : public ::testing::Test {
 protected:
  void Start(MemoryBudget* budget = nullptr, uint64_t max_body_bytes = 1ull << 30) {
    ServerOptions o;
    o.max_body_bytes = max_body_bytes;
    o.port = 0;
    o.threads = 1;
    o.memory_budget = budget;
    auto s = Server::Start(o, handler_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  void TearDown() override { server_.reset(); }

  // One HTTP/1.1 exchange on a fresh connection; everything until the server closes.
  std::string Http1(const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server_->port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{10, 0};  // a bound, should the server never close
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect failed";
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return out;
  }

  TestHandler handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerHardening, Http2BodyIsStreamedAndTheWindowWaitsForTheSink) {
  Start();
  handler_.sink->Hold();
  H2Client client(server_->port());
  ASSERT_TRUE(client.connected());
  H2Client::Body body{std::string(4 << 20, 'x')};
  const int32_t id = client.Submit("PUT", "/stream", {}, &body);
  // The sink takes the first piece and says it is full.
  ASSERT_TRUE(client.RunUntil([&] { return handler_.sink->held(); }));
  // The client sends until the stream's window is spent; after a PING round trip every
  // WINDOW_UPDATE the server sent has arrived: there is none while the sink is full.
  ASSERT_TRUE(client.RunUntil([&] { return client.StreamSendWindow(id) == 0; }));
  ASSERT_TRUE(client.RoundTrip());
  EXPECT_EQ(client.StreamSendWindow(id), 0);
  EXPECT_LT(body.sent, body.data.size());
  EXPECT_LE(handler_.sink->got(), uint64_t{1} << 20);  // at most one stream window reached it
  // The sink drains: the window moves again and the whole body arrives in order.
  handler_.sink->Release();
  ASSERT_TRUE(client.RunUntil([&] { return client.reply(id).closed; }));
  EXPECT_EQ(client.reply(id).status, 200);
  EXPECT_EQ(client.reply(id).body, std::to_string(4 << 20));
}

TEST_F(ServerHardening, Http2RequestEndingWithTrailersIsAnswered) {
  Start();
  H2Client client(server_->port());
  H2Client::Body body{"hello", 0, {{"x-amz-checksum-crc32", "AAAAAA=="}}};
  const int32_t buffered = client.Submit("POST", "/echo", {}, &body);
  H2Client::Body streamed_body{"hello!", 0, {{"x-trailer", "1"}}};
  const int32_t streamed = client.Submit("PUT", "/stream", {}, &streamed_body);
  ASSERT_TRUE(client.RunUntil([&] { return client.reply(buffered).closed && client.reply(streamed).closed; }));
  EXPECT_EQ(client.reply(buffered).status, 200);
  EXPECT_EQ(client.reply(buffered).body, "5");
  EXPECT_EQ(client.reply(streamed).status, 200);
  EXPECT_EQ(client.reply(streamed).body, "6");
}

TEST_F(ServerHardening, Http2BufferedBodyPastTheBudgetIsOverloaded) {
  MemoryBudget budget(64 << 10);
  Start(&budget);
  H2Client client(server_->port());
  // Declared too large for the budget: refused from the head.
  H2Client::Body declared{std::string(100 << 10, 'd')};
  const int32_t a = client.Submit("POST", "/echo", {{"content-length", std::to_string(100 << 10)}}, &declared);
  // Undeclared: refused when its bytes pass the budget.
  H2Client::Body undeclared{std::string(100 << 10, 'u')};
  const int32_t b = client.Submit("POST", "/echo", {}, &undeclared);
  // Within the budget: served.
  H2Client::Body small{std::string(1000, 's')};
  ASSERT_TRUE(client.RunUntil([&] { return client.reply(a).closed && client.reply(b).closed; }));
  EXPECT_EQ(client.reply(a).status, 503);
  EXPECT_EQ(client.reply(a).body, "test-overloaded");
  EXPECT_EQ(client.reply(b).status, 503);
  EXPECT_EQ(client.reply(b).body, "test-overloaded");
  const int32_t c = client.Submit("POST", "/echo", {}, &small);
  ASSERT_TRUE(client.RunUntil([&] { return client.reply(c).closed; }));
  EXPECT_EQ(client.reply(c).status, 200);
  EXPECT_EQ(client.reply(c).body, "1000");
  EXPECT_EQ(budget.used(), 0u);
}

TEST_F(ServerHardening, Http2BufferedBytesAreBoundedPerConnection) {
  Start(nullptr, 64 << 10);
  H2Client client(server_->port());
  // The first body is buffered and held by the handler until it answers...
  H2Client::Body first{std::string(40 << 10, 'a')};
  const int32_t a = client.Submit("POST", "/hold", {}, &first);
  ASSERT_TRUE(client.RunUntil([&] { return handler_.holding(); }));
  // ...so a second one on the same connection does not fit beside it, while the same
  // body on another connection does.
  H2Client::Body second{std::string(40 << 10, 'b')};
  const int32_t b = client.Submit("POST", "/echo", {}, &second);
  ASSERT_TRUE(client.RunUntil([&] { return client.reply(b).closed; }));
  EXPECT_EQ(client.reply(b).status, 503);
  H2Client other(server_->port());
  H2Client::Body third{std::string(40 << 10, 'c')};
  const int32_t c = other.Submit("POST", "/echo", {}, &third);
  ASSERT_TRUE(other.RunUntil([&] { return other.reply(c).closed; }));
  EXPECT_EQ(other.reply(c).status, 200);
  handler_.AnswerHeld();
  ASSERT_TRUE(client.RunUntil([&] { return client.reply(a).closed; }));
  EXPECT_EQ(client.reply(a).status, 200);
  // Answered, the first body no longer counts.
  H2Client::Body fourth{std::string(40 << 10, 'd')};
  const int32_t d = client.Submit("POST", "/echo", {}, &fourth);
  ASSERT_TRUE(client.RunUntil([&] { return client.reply(d).closed; }));
  EXPECT_EQ(client.reply(d).status, 200);
}

TEST_F(ServerHardening, Http1BufferedBodyPastTheBudgetIsOverloaded) {
  MemoryBudget budget(64 << 10);
  Start(&budget);
  const std::string out = Http1("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
  EXPECT_EQ(out.substr(0, out.find("\r\n")), "HTTP/1.1 503 Service Unavailable");
  EXPECT_NE(out.find("test-overloaded"), std::string::npos);
  // Chunked: refused when a chunk would pass the budget.
  const std::string chunk(40 << 10, 'c');
  char size[16];
  snprintf(size, sizeof size, "%zx", chunk.size());
  const std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                              std::string(size) + "\r\n" + chunk + "\r\n" + size + "\r\n" + chunk +
                              "\r\n0\r\n\r\n";
  const std::string out2 = Http1(chunked);
  EXPECT_EQ(out2.substr(0, out2.find("\r\n")), "HTTP/1.1 503 Service Unavailable");
  const std::string ok = Http1("POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(ok.substr(0, ok.find("\r\n")), "HTTP/1.1 200 OK");
  EXPECT_EQ(budget.used(), 0u);
}

TEST_F(ServerHardening, Http1HandlerExceptionIs500AndTheServerServesOn) {
  Start();
  for (const char* path : {"/throw", "/throw-sink"}) {
    const std::string out = Http1(std::string("POST ") + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    EXPECT_EQ(out.substr(0, out.find("\r\n")), "HTTP/1.1 500 Internal Server Error") << path;
  }
  const std::string ok = Http1("POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(ok.substr(0, ok.find("\r\n")), "HTTP/1.1 200 OK");
}

TEST_F(ServerHardening, Http2HandlerExceptionIs500AndTheServerServesOn) {
  Start();
  {
    H2Client client(server_->port());
    H2Client::Body body{"hi"};
    const int32_t a = client.Submit("POST", "/throw", {}, &body);
    const int32_t b = client.Submit("GET", "/throw-sink", {}, nullptr);
    ASSERT_TRUE(client.RunUntil([&] { return client.reply(a).closed && client.reply(b).closed; }));
    EXPECT_EQ(client.reply(a).status, 500);
    EXPECT_EQ(client.reply(b).status, 500);
  }
  H2Client client(server_->port());
  const int32_t c = client.Submit("GET", "/echo", {}, nullptr);
  ASSERT_TRUE(client.RunUntil([&] { return client.reply(c).closed; }));
  EXPECT_EQ(client.reply(c).status, 200);
}

}  // namespace
}  // namespace sluice::http
