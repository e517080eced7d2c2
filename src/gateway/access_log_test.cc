#include "gateway/access_log.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"

namespace sluice::gateway {
namespace {

// Keeps what it was given so the test decides when and how each request is answered.
class FakeSink final : public http::BodySink {
 public:
  void Begin(std::function<void(std::optional<http::Response>)> ready) override {
    ready(refuse ? std::optional(http::Response::Text(417, "no")) : std::nullopt);
  }
  bool Write(std::string piece, std::function<void()>) override {
    body += piece;
    return true;
  }
  void Finish(http::Responder d) override { done = std::move(d); }
  void Abort() override { aborted = true; }

  bool refuse = false;
  std::string body;
  http::Responder done;
  bool aborted = false;
};

class FakeHandler final : public http::Handler {
 public:
  uint64_t BodyLimit(const http::RequestHead&) const override { return 1234; }
  void Handle(http::Request request, http::Responder d) override {
    body = request.body;
    done = std::move(d);
  }
  std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead& head) override {
    return head.method == "PUT" ? sink : nullptr;
  }
  http::Response BodyTooLarge(const http::RequestHead&, uint64_t limit) const override {
    return http::Response::Text(413, "limit " + std::to_string(limit));
  }
  http::Response Overloaded(const http::RequestHead&) const override { return http::Response::Text(503, "busy"); }

  std::string body;
  http::Responder done;
  std::shared_ptr<FakeSink> sink = std::make_shared<FakeSink>();
};

class Lines final : public AccessLogSink {
 public:
  void Write(std::string_view line) override { lines.emplace_back(line); }
  std::vector<std::string> lines;
};

class AccessLogTest : public ::testing::Test {
 protected:
  http::RequestHead Head(std::string method, std::string target) {
    http::RequestHead h;
    h.method = std::move(method);
    h.target = std::move(target);
    h.remote = "127.0.0.1:5000";
    return h;
  }

  FakeHandler inner_;
  Lines lines_;
  ManualClock clock_{1'777'636'800'000};  // 2026-05-01T12:00:00.000Z
  AccessLog log_{inner_, lines_, [](const http::RequestHead& h) { return h.method == "PUT" ? "s3" : "kinesis"; },
                 clock_};
};

TEST_F(AccessLogTest, ABufferedRequestIsLoggedOnceWhenAnswered) {
  log_.Handle({Head("POST", "/"), "{\"StreamName\":\"s\"}"}, [](http::Response r) { EXPECT_EQ(r.status, 200); });
  EXPECT_EQ(inner_.body, "{\"StreamName\":\"s\"}");
  EXPECT_TRUE(lines_.lines.empty());  // not answered yet
  clock_.Advance(7);
  http::Response r = http::Response::Json(200, "{}");
  r.headers.emplace_back("x-amzn-RequestId", "req-1");
  inner_.done(std::move(r));
  ASSERT_EQ(lines_.lines.size(), 1u);
  EXPECT_EQ(lines_.lines[0],
            "time=2026-05-01T12:00:00.007Z remote=127.0.0.1:5000 method=POST target=/ status=200 bytes_in=18 "
            "bytes_out=2 duration_ms=7 request_id=req-1 service=kinesis");
}

TEST_F(AccessLogTest, AStreamedBodyIsCountedAndLoggedAtTheAnswer) {
  std::shared_ptr<http::BodySink> sink = log_.StreamBody(Head("PUT", "/b/k"));
  ASSERT_NE(sink, nullptr);
  bool began = false;
  sink->Begin([&](std::optional<http::Response> refusal) { began = !refusal; });
  EXPECT_TRUE(began);
  EXPECT_TRUE(sink->Write("hello ", [] {}));
  EXPECT_TRUE(sink->Write("world", [] {}));
  EXPECT_EQ(inner_.sink->body, "hello world");
  int answered = 0;
  sink->Finish([&](http::Response) { ++answered; });
  clock_.Advance(1500);
  http::Response r;
  r.headers.emplace_back("x-amz-request-id", "ABC");
  inner_.sink->done(std::move(r));
  EXPECT_EQ(answered, 1);
  ASSERT_EQ(lines_.lines.size(), 1u);
  EXPECT_EQ(lines_.lines[0],
            "time=2026-05-01T12:00:01.500Z remote=127.0.0.1:5000 method=PUT target=/b/k status=200 bytes_in=11 "
            "bytes_out=0 duration_ms=1500 request_id=ABC service=s3");
}

TEST_F(AccessLogTest, ARefusalBeforeTheBodyIsLoggedAndAnAbortIsNot) {
  inner_.sink->refuse = true;
  std::shared_ptr<http::BodySink> sink = log_.StreamBody(Head("PUT", "/b/k"));
  std::optional<http::Response> refusal;
  sink->Begin([&](std::optional<http::Response> r) { refusal = std::move(r); });
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 417);
  sink->Abort();
  EXPECT_TRUE(inner_.sink->aborted);
  ASSERT_EQ(lines_.lines.size(), 1u);
  EXPECT_NE(lines_.lines[0].find(" status=417 bytes_in=0 bytes_out=2 "), std::string::npos) << lines_.lines[0];

  std::shared_ptr<http::BodySink> aborted = log_.StreamBody(Head("PUT", "/b/k2"));
  aborted->Write("x", [] {});
  aborted->Abort();
  EXPECT_EQ(lines_.lines.size(), 1u);
}

TEST_F(AccessLogTest, RequestInputCannotForgeFields) {
  log_.Handle({Head("GET", "/b/a key\" status=999"), ""}, [](http::Response) {});
  inner_.done(http::Response::Text(404, "nope"));
  ASSERT_EQ(lines_.lines.size(), 1u);
  EXPECT_NE(lines_.lines[0].find(R"( target="/b/a key\" status=999" status=404 )"), std::string::npos)
      << lines_.lines[0];
  EXPECT_NE(lines_.lines[0].find(" request_id=- "), std::string::npos);
}

TEST_F(AccessLogTest, EverythingElseIsDelegated) {
  EXPECT_EQ(log_.BodyLimit(Head("POST", "/")), 1234u);
  EXPECT_EQ(log_.BodyTooLarge(Head("POST", "/"), 9).body, "limit 9");
  EXPECT_EQ(log_.Overloaded(Head("POST", "/")).status, 503);
  EXPECT_EQ(log_.StreamBody(Head("POST", "/")), nullptr);  // the transport buffers, then Handle
  EXPECT_TRUE(lines_.lines.empty());
}

}  // namespace
}  // namespace sluice::gateway
