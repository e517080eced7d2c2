#include "gateway/authenticate.h"

#include <gtest/gtest.h>

#include "awsproto/testing/sign_head.h"
#include "gateway/gateway.h"

namespace sluice::gateway {
namespace {

using http::Request;
using http::RequestHead;
using http::Response;

constexpr int64_t kSignedAt = 1440938160000;  // 20150830T123600Z

// A body sink that records what reached it.
struct RecordingSink final : http::BodySink {
  std::string written;
  bool finished = false, aborted = false;
  bool Write(std::string piece, std::function<void()>) override {
    written += piece;
    return true;
  }
  void Finish(http::Responder done) override {
    finished = true;
    done(Response::Text(200, "stored"));
  }
  void Abort() override { aborted = true; }
};

// A service signed for "service" that records whether a request reached it.
class Recorder final : public awsproto::Service {
 public:
  std::string_view Name() const override { return "recorder"; }
  std::span<const std::string_view> SigningNames() const override { return names_; }
  std::span<const std::string_view> TargetPrefixes() const override { return {}; }
  bool ClaimsShape(const RequestHead&) const override { return true; }
  uint64_t BodyLimit(const RequestHead&) const override { return 1 << 20; }
  void Handle(Request, http::Responder done) override {
    ++handled;
    done(Response::Text(200, "handled"));
  }
  std::shared_ptr<http::BodySink> StreamBody(const RequestHead&) override { return sink; }
  Response BodyTooLarge(const RequestHead&, uint64_t) const override { return Response::Text(413, ""); }
  Response Overloaded(const RequestHead&) const override { return Response::Text(503, ""); }
  void Quiesce() override {}

  int handled = 0;
  std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();

 private:
  const std::string_view names_[1] = {"service"};
};

awsproto::CredentialStore Keys() {
  awsproto::CredentialStore keys;
  keys.Add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  return keys;
}

Request Put(std::string body, std::string_view content_sha256) {
  Request r;
  r.head.method = "PUT";
  r.head.target = "/thing";
  r.head.host = "localhost";
  r.head.headers = {{"host", "localhost"}, {"x-amz-content-sha256", std::string(content_sha256)}};
  awsproto::testing::Signer{}.SignHeader(r.head, content_sha256);
  r.body = std::move(body);
  return r;
}

struct Fixture {
  ManualClock clock{kSignedAt};
  awsproto::SigV4Verifier verifier{Keys(), clock};
  Gateway gateway{"test", nullptr, &verifier};
  Recorder* service = nullptr;
  Fixture() {
    auto s = std::make_unique<Recorder>();
    service = s.get();
    gateway.Add(std::move(s));
  }
  Response Handle(Request r) {
    Response out;
    gateway.Handle(std::move(r), [&](Response got) { out = std::move(got); });
    return out;
  }
};

TEST(GatewayAuth, AnUnsignedRequestNeverReachesTheService) {
  Fixture f;
  Request r;
  r.head.method = "POST";
  r.head.target = "/";
  r.head.headers = {{"x-amz-target", "X.Y"}};
  r.head.headers.clear();
  const Response got = f.Handle(std::move(r));
  EXPECT_EQ(got.status, 400);
  EXPECT_NE(got.body.find("MissingAuthenticationTokenException"), std::string::npos) << got.body;
  EXPECT_EQ(f.service->handled, 0);
}

TEST(GatewayAuth, ASignedBufferedRequestIsHandledAndATamperedOneIsNot) {
  Fixture f;
  EXPECT_EQ(f.Handle(Put("body", Sha256Hex("body"))).status, 200);
  EXPECT_EQ(f.service->handled, 1);
  Request tampered = Put("body", Sha256Hex("body"));
  tampered.head.target = "/other";
  const Response got = f.Handle(std::move(tampered));
  EXPECT_EQ(got.status, 400);
  EXPECT_NE(got.body.find("InvalidSignatureException"), std::string::npos) << got.body;
  EXPECT_EQ(f.service->handled, 1);
}

TEST(GatewayAuth, AStreamedBodyThatBreaksItsPromiseIsAbortedAndRefused) {
  Fixture f;
  const Request r = Put("", Sha256Hex("promised body"));
  auto sink = f.gateway.StreamBody(r.head);
  ASSERT_NE(sink, nullptr);
  EXPECT_TRUE(sink->Write("another body", [] {}));
  Response got;
  sink->Finish([&](Response answer) { got = std::move(answer); });
  EXPECT_EQ(got.status, 400);
  EXPECT_NE(got.body.find("InvalidSignatureException"), std::string::npos) << got.body;
  EXPECT_TRUE(f.service->sink->aborted);
  EXPECT_FALSE(f.service->sink->finished);
}

TEST(GatewayAuth, AStreamedBodyThatKeepsItsPromiseReachesTheService) {
  Fixture f;
  const Request r = Put("", Sha256Hex("promised body"));
  auto sink = f.gateway.StreamBody(r.head);
  sink->Write("promised ", [] {});
  sink->Write("body", [] {});
  Response got;
  sink->Finish([&](Response answer) { got = std::move(answer); });
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(f.service->sink->written, "promised body");
  EXPECT_TRUE(f.service->sink->finished);
}

TEST(GatewayAuth, AStreamedUploadWithABadHeadIsRefusedBeforeItsBody) {
  Fixture f;
  Request r = Put("", Sha256Hex("x"));
  r.head.headers.back().second.back() ^= 1;  // the signature
  auto sink = f.gateway.StreamBody(r.head);
  std::optional<Response> refusal;
  sink->Begin([&](std::optional<Response> answer) { refusal = std::move(answer); });
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->status, 400);
  EXPECT_TRUE(f.service->sink->aborted);
}

TEST(GatewayAuth, WithoutCredentialsNothingIsChecked) {
  ManualClock clock(kSignedAt);
  awsproto::SigV4Verifier open(awsproto::CredentialStore{}, clock);
  Gateway gateway("test", nullptr, &open);
  auto s = std::make_unique<Recorder>();
  Recorder* service = s.get();
  gateway.Add(std::move(s));
  Request r;
  r.head.method = "POST";
  r.head.target = "/";
  gateway.Handle(std::move(r), [](Response) {});
  EXPECT_EQ(service->handled, 1);
}

}  // namespace
}  // namespace sluice::gateway
