#include "aws/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "aws/testing/loopback_http_server.h"

namespace sluice::aws {
namespace {

using testing::LoopbackHttpServer;

std::unique_ptr<LoopbackHttpServer> StartServer(LoopbackHttpServer::Handler h) {
  Result<std::unique_ptr<LoopbackHttpServer>> s = LoopbackHttpServer::Start(std::move(h));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

TEST(HttpClient, SendsMethodPathQueryHeadersAndBody) {
  HttpRequest seen;
  auto server = StartServer([&](const HttpRequest& r) {
    seen = r;
    return HttpResponse{201, {{"X-Reply", "yes"}}, "created"};
  });
  HttpClient client;
  HttpRequest req;
  req.method = "PUT";
  req.endpoint = server->endpoint();
  req.path = "/a/b";
  req.query = "x=1";
  req.headers.push_back({"X-Custom", "v"});
  req.body = "payload";
  HttpResult r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "created");
  ASSERT_NE(r->FindHeader("x-reply"), nullptr);
  EXPECT_EQ(*r->FindHeader("x-reply"), "yes");
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.path, "/a/b");
  EXPECT_EQ(seen.query, "x=1");
  EXPECT_EQ(seen.body, "payload");
  ASSERT_NE(seen.FindHeader("x-custom"), nullptr);
  EXPECT_EQ(seen.FindHeader("expect"), nullptr);
}

TEST(HttpClient, ReusesOneConnectionAcrossRequests) {
  auto server = StartServer([](const HttpRequest&) { return HttpResponse{200, {}, "ok"}; });
  HttpClient client;
  HttpRequest req;
  req.method = "POST";
  req.endpoint = server->endpoint();
  req.body = std::string(100000, 'x');
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.Send(req).ok());
  EXPECT_EQ(server->connections_accepted(), 1);
}

TEST(HttpClient, ErrorStatusesAreAnswersNotTransportErrors) {
  auto server = StartServer([](const HttpRequest&) { return HttpResponse{503, {}, "busy"}; });
  HttpClient client;
  HttpRequest req;
  req.endpoint = server->endpoint();
  HttpResult r = client.Send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
}

TEST(HttpClient, RefusedConnectionIsARetryableConnectError) {
  std::string endpoint;
  {
    auto server = StartServer([](const HttpRequest&) { return HttpResponse{200, {}, ""}; });
    endpoint = server->endpoint();
  }  // closed: nothing listens on the port now
  HttpClient client;
  HttpRequest req;
  req.endpoint = endpoint;
  HttpResult r = client.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, TransportErrorCode::kConnect);
  EXPECT_TRUE(r.error().retryable());
}

TEST(HttpClient, DroppedConnectionIsConnectionLost) {
  auto server = StartServer([](const HttpRequest&) { return HttpResponse{0, {}, ""}; });
  HttpClient client;
  HttpRequest req;
  req.endpoint = server->endpoint();
  HttpResult r = client.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, TransportErrorCode::kConnectionLost);
  EXPECT_TRUE(r.error().retryable());
}

TEST(HttpClient, SlowServerTimesOut) {
  // The server answers only after the client has given up, however fast the machine.
  std::promise<void> gate;
  std::shared_future<void> released = gate.get_future().share();
  auto server = StartServer([released](const HttpRequest&) {
    released.wait();
    return HttpResponse{200, {}, ""};
  });
  HttpClientOptions o;
  o.request_timeout_ms = 100;
  HttpClient client(o);
  HttpRequest req;
  req.endpoint = server->endpoint();
  HttpResult r = client.Send(req);
  gate.set_value();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, TransportErrorCode::kTimeout);
}

TEST(HttpClient, OversizedResponseIsRefused) {
  auto server = StartServer([](const HttpRequest&) { return HttpResponse{200, {}, std::string(5000, 'x')}; });
  HttpClientOptions o;
  o.max_response_bytes = 1000;
  HttpClient client(o);
  HttpRequest req;
  req.endpoint = server->endpoint();
  HttpResult r = client.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, TransportErrorCode::kResponseTooLarge);
  EXPECT_FALSE(r.error().retryable());
}

TEST(HttpClient, MalformedUrlIsNotRetryable) {
  HttpClient client;
  HttpRequest req;
  req.endpoint = "nope://";
  HttpResult r = client.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.error().retryable());
}

}  // namespace
}  // namespace sluice::aws
