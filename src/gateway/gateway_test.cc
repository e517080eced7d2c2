#include "gateway/gateway.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <future>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/memory_budget.h"
#include "catalog/catalog.h"
#include "delivery/delivery.h"
#include "frontends/firehose/firehose_service.h"
#include "frontends/athena/athena_service.h"
#include "frontends/logs/logs_service.h"
#include "functions/logs.h"
#include "frontends/cloudformation/cloudformation_service.h"
#include "frontends/cloudwatch/cloudwatch_service.h"
#include "frontends/kinesis/kinesis_service.h"
#include "frontends/lambda/lambda_service.h"
#include "frontends/s3/s3_service.h"
#include "metrics/testing/fake_reader.h"
#include "objects/local_store.h"
#include "query/query.h"
#include "stacks/stacks.h"
#include "stream/stream_manager.h"

namespace sluice::gateway {
namespace {

using http::Request;
using http::RequestHead;
using http::Response;

// A service that claims what it is told to and records what reached it.
class FakeService final : public awsproto::Service {
 public:
  FakeService(std::string_view name, std::vector<std::string_view> signing,
              std::vector<std::string_view> targets, std::string_view shape_path)
      : name_(name), signing_(std::move(signing)), targets_(std::move(targets)), shape_path_(shape_path) {}
  std::string_view Name() const override { return name_; }
  std::span<const std::string_view> SigningNames() const override { return signing_; }
  std::span<const std::string_view> TargetPrefixes() const override { return targets_; }
  bool ClaimsShape(const RequestHead& head) const override {
    return !shape_path_.empty() && head.Path() == shape_path_;
  }
  uint64_t BodyLimit(const RequestHead&) const override { return 7; }
  void Handle(Request, http::Responder done) override { done(Response::Text(200, std::string(name_))); }
  std::shared_ptr<http::BodySink> StreamBody(const RequestHead&) override { return nullptr; }
  Response BodyTooLarge(const RequestHead&, uint64_t) const override { return Response::Text(413, "fake"); }
  Response Overloaded(const RequestHead&) const override { return Response::Text(503, "fake busy"); }
  void Quiesce() override { ++quiesced; }

  int quiesced = 0;

 private:
  std::string_view name_;
  std::vector<std::string_view> signing_, targets_;
  std::string_view shape_path_;
};

RequestHead Head(std::string method, std::string target, http::Headers headers = {}) {
  RequestHead h;
  h.method = std::move(method);
  h.target = std::move(target);
  h.headers = std::move(headers);
  return h;
}

std::string Signed(std::string_view service) {
  return "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/" + std::string(service) +
         "/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
}

Response Call(Gateway& g, RequestHead head) {
  std::optional<Response> out;
  g.Handle(Request{std::move(head), {}}, [&out](Response r) { out = std::move(r); });
  EXPECT_TRUE(out.has_value()) << "no answer";
  return out.value_or(Response{});
}

std::string_view Name(const awsproto::Service* s) { return s == nullptr ? "none" : s->Name(); }

class GatewayRouting : public ::testing::Test {
 protected:
  GatewayRouting() : g_("9.9.9") {
    g_.Add(std::make_unique<FakeService>("json", std::vector<std::string_view>{"json"},
                                         std::vector<std::string_view>{"Json_1"}, "/json-shaped"));
    g_.Add(std::make_unique<FakeService>("rest", std::vector<std::string_view>{"rest"},
                                         std::vector<std::string_view>{}, "/rest-shaped"));
    g_.AddCatchAll(std::make_unique<FakeService>("all", std::vector<std::string_view>{"all"},
                                                 std::vector<std::string_view>{}, ""));
  }
  Gateway g_;
};

TEST_F(GatewayRouting, CredentialScopeDecidesFirst) {
  // Signed for "rest" although target and path point elsewhere.
  const RequestHead h = Head("POST", "/json-shaped",
                             {{"authorization", Signed("rest")}, {"x-amz-target", "Json_1.Op"}});
  EXPECT_EQ(Name(g_.Route(h)), "rest");
}

TEST_F(GatewayRouting, PresignedCredentialScopeIsPercentDecoded) {
  const RequestHead h =
      Head("GET", "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fjson%2Faws4_request");
  EXPECT_EQ(Name(g_.Route(h)), "json");
}

TEST_F(GatewayRouting, TargetPrefixThenShapeThenCatchAll) {
  EXPECT_EQ(Name(g_.Route(Head("POST", "/", {{"x-amz-target", "Json_1.Anything"}}))), "json");
  EXPECT_EQ(Name(g_.Route(Head("GET", "/rest-shaped"))), "rest");
  EXPECT_EQ(Name(g_.Route(Head("GET", "/bucket/key"))), "all");
  // A malformed credential (not five parts) names no service: routing goes on.
  EXPECT_EQ(Name(g_.Route(Head("GET", "/rest-shaped", {{"authorization", "AWS4-HMAC-SHA256 Credential=a/b"}}))),
            "rest");
}

TEST_F(GatewayRouting, UnknownSigningServiceIsAnsweredNotPassedToTheCatchAll) {
  const RequestHead h = Head("GET", "/2015-03-31/functions/", {{"authorization", Signed("lambda")}});
  EXPECT_EQ(g_.Route(h), nullptr);
  const Response r = Call(g_, h);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"UnknownOperationException","message":"sluice does not serve the 'lambda' API this request is signed for"})");
}

TEST_F(GatewayRouting, UnknownTargetIsAnsweredNotPassedToTheCatchAll) {
  const RequestHead h = Head("POST", "/", {{"x-amz-target", "Firehose_20150804.ListDeliveryStreams"}});
  EXPECT_EQ(g_.Route(h), nullptr);
  const Response r = Call(g_, h);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"UnknownOperationException","message":"no service here understands X-Amz-Target 'Firehose_20150804.ListDeliveryStreams'"})");
  EXPECT_EQ(g_.BodyLimit(h), 64u * 1024);
}

TEST_F(GatewayRouting, RoutedCallsReachTheServiceAndItsLimits) {
  const RequestHead h = Head("POST", "/", {{"x-amz-target", "Json_1.Op"}});
  EXPECT_EQ(Call(g_, h).body, "json");
  EXPECT_EQ(g_.BodyLimit(h), 7u);
  EXPECT_EQ(g_.BodyTooLarge(h, 7).body, "fake");
  EXPECT_EQ(g_.Overloaded(h).body, "fake busy");
}

TEST_F(GatewayRouting, OverloadedWithoutAServiceIsAPlainRetryable503) {
  const RequestHead h = Head("POST", "/", {{"x-amz-target", "Nobody_1.Op"}});
  const Response r = g_.Overloaded(h);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "the server is busy with other requests; retry later\n");
}

TEST_F(GatewayRouting, QuiesceReachesEveryService) {
  std::vector<FakeService*> fakes;
  Gateway g("1");
  for (const char* n : {"a", "b"}) {
    auto s = std::make_unique<FakeService>(n, std::vector<std::string_view>{}, std::vector<std::string_view>{}, "");
    fakes.push_back(s.get());
    g.Add(std::move(s));
  }
  g.Quiesce();
  EXPECT_EQ(fakes[0]->quiesced, 1);
  EXPECT_EQ(fakes[1]->quiesced, 1);
}

// A service that keeps the responder of its last request, to answer later.
class HoldingService final : public awsproto::Service {
 public:
  std::string_view Name() const override { return "hold"; }
  std::span<const std::string_view> SigningNames() const override { return {}; }
  std::span<const std::string_view> TargetPrefixes() const override { return {}; }
  bool ClaimsShape(const RequestHead&) const override { return true; }
  uint64_t BodyLimit(const RequestHead&) const override { return 1 << 20; }
  void Handle(Request, http::Responder done) override { held = std::move(done); }
  std::shared_ptr<http::BodySink> StreamBody(const RequestHead&) override { return nullptr; }
  Response BodyTooLarge(const RequestHead&, uint64_t) const override { return Response::Text(413, "hold"); }
  Response Overloaded(const RequestHead&) const override { return Response::Text(503, "hold busy"); }
  uint64_t ParseMemory(const RequestHead&, uint64_t body_bytes) const override { return 3 * body_bytes; }
  void Quiesce() override {}

  http::Responder held;
};

// A gateway over one HoldingService, with a request-memory budget of `limit` bytes.
struct BudgetedGateway {
  explicit BudgetedGateway(uint64_t limit) : budget(limit), g("1", &budget) {
    auto service = std::make_unique<HoldingService>();
    hold = service.get();
    g.Add(std::move(service));
  }
  MemoryBudget budget;
  Gateway g;
  HoldingService* hold;
};

TEST(GatewayMemoryBudget, ARequestWhoseParseDoesNotFitGetsTheServices503) {
  BudgetedGateway b(64 * 1024);
  auto& [budget, g, hold] = b;
  std::optional<Response> out;
  g.Handle(Request{Head("POST", "/"), std::string(32 * 1024, 'x')}, [&out](Response r) { out = std::move(r); });
  ASSERT_TRUE(out.has_value()) << "answered at once, without reaching the service";
  EXPECT_EQ(out->status, 503);
  EXPECT_EQ(out->body, "hold busy");
  EXPECT_EQ(hold->held, nullptr);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(GatewayMemoryBudget, TheReservationIsHeldUntilTheResponseIsProduced) {
  BudgetedGateway b(1 << 20);
  auto& [budget, g, hold] = b;
  std::optional<Response> out;
  g.Handle(Request{Head("POST", "/"), std::string(100 * 1024, 'x')}, [&out](Response r) { out = std::move(r); });
  ASSERT_NE(hold->held, nullptr);
  EXPECT_EQ(budget.used(), 300u * 1024);
  // A second one does not fit while the first is in flight.
  std::optional<Response> second;
  g.Handle(Request{Head("POST", "/"), std::string(300 * 1024, 'x')}, [&second](Response r) { second = std::move(r); });
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 503);
  hold->held(Response::Text(200, "done"));
  EXPECT_EQ(out->status, 200);
  EXPECT_EQ(budget.used(), 0u);
  // A responder dropped unanswered gives its reservation back too.
  g.Handle(Request{Head("POST", "/"), std::string(10, 'x')}, [](Response) {});
  EXPECT_GT(budget.used(), 0u);
  hold->held = nullptr;
  EXPECT_EQ(budget.used(), 0u);
}

TEST(GatewayHealth, AnswersOkWithVersion) {
  Gateway g("9.9.9");
  const Response r = Call(g, Head("GET", "/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("status":"ok")"), std::string::npos);
  EXPECT_NE(r.body.find(R"("version":"9.9.9")"), std::string::npos);
}

TEST(GatewayHealth, RejectsOtherMethodsWith405AndReadsOnlyASmallBody) {
  Gateway g("1");
  EXPECT_EQ(Call(g, Head("POST", "/health")).status, 405);
  EXPECT_EQ(Call(g, Head("DELETE", "/health?x=1")).status, 405);
  EXPECT_LE(g.BodyLimit(Head("POST", "/health")), 4096u);
}

TEST(GatewayMetrics, ServesThePrometheusTextToUnsignedGetsOnly) {
  Gateway g("1");
  // Not served until the server hands the gateway its metrics.
  EXPECT_EQ(Call(g, Head("GET", "/metrics")).status, 404);
  g.ServeMetrics([] { return std::string("sluice_x 1\n"); });
  const Response r = Call(g, Head("GET", "/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "sluice_x 1\n");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].second, "text/plain; version=0.0.4");
  EXPECT_EQ(Call(g, Head("POST", "/metrics")).status, 405);
  // A signed GET /metrics is S3's ListObjects of a bucket named "metrics".
  auto s3 = std::make_unique<FakeService>("s3", std::vector<std::string_view>{"s3"},
                                          std::vector<std::string_view>{}, "");
  g.AddCatchAll(std::move(s3));
  const Response bucket = Call(g, Head("GET", "/metrics", {{"authorization", Signed("s3")}}));
  EXPECT_EQ(bucket.body, "s3");
}

TEST(GatewayHealth, WithoutServicesEverythingElseIsUnclaimed) {
  Gateway g("1");
  const Response r = Call(g, Head("GET", "/nope"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"__type":"UnknownOperationException","message":"no service here understands GET /nope"})");
}

// The real Kinesis and S3 front ends, registered as `sluice serve` registers them.
class GatewayWithRealServices : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("sluice-gateway-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    auto c = catalog::Catalog::Open((root_ / "catalog.db").string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
    stream::StreamManagerOptions so;
    so.dir = (root_ / "streams").string();
    auto m = stream::StreamManager::Open(so, *catalog_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    streams_ = std::move(*m);
    objects::LocalStoreOptions oo;
    oo.dir = root_.string();
    auto o = objects::LocalObjectStore::Open(oo);
    ASSERT_TRUE(o.ok());
    objects_ = std::move(*o);
    g_ = std::make_unique<Gateway>("1");
    g_->Add(std::make_unique<frontends::kinesis::KinesisService>(*streams_));
    g_->AddCatchAll(std::make_unique<frontends::s3::S3Service>(*objects_, 1));
  }
  void TearDown() override {
    if (g_) g_->Quiesce();
    g_.reset();
    streams_.reset();
    catalog_.reset();
    objects_.reset();
    std::filesystem::remove_all(root_);
  }

  std::filesystem::path root_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<stream::StreamManager> streams_;
  std::unique_ptr<objects::LocalObjectStore> objects_;
  std::unique_ptr<Gateway> g_;
};

TEST_F(GatewayWithRealServices, KinesisAndS3TakeTheirOwn) {
  EXPECT_EQ(Name(g_->Route(Head("POST", "/", {{"authorization", Signed("kinesis")},
                                              {"x-amz-target", "Kinesis_20131202.ListStreams"}}))),
            "kinesis");
  EXPECT_EQ(Name(g_->Route(Head("POST", "/", {{"x-amz-target", "Kinesis_20131202.ListStreams"}}))), "kinesis");
  EXPECT_EQ(Name(g_->Route(Head("POST", "/", {{"content-type", "application/x-amz-cbor-1.1"}}))), "kinesis");
  EXPECT_EQ(Name(g_->Route(Head("PUT", "/bucket/key", {{"authorization", Signed("s3")}}))), "s3");
  EXPECT_EQ(Name(g_->Route(Head("GET", "/bucket?list-type=2"))), "s3");
}

TEST_F(GatewayWithRealServices, CloudWatchIsReachedInEachOfItsProtocols) {
  metrics::testing::FakeReader reader;
  auto alarms = metrics::AlarmManager::Open({.catalog = catalog_.get(), .reader = &reader, .background = false});
  ASSERT_TRUE(alarms.ok());
  g_->Add(std::make_unique<frontends::cloudwatch::CloudWatchService>(metrics::NullRegistry(), reader, **alarms));
  // Query: only the credential scope tells it from CloudFormation's.
  EXPECT_EQ(Name(g_->Route(Head("POST", "/", {{"authorization", Signed("monitoring")},
                                              {"content-type", "application/x-www-form-urlencoded"}}))),
            "cloudwatch");
  EXPECT_EQ(Name(g_->Route(Head("POST", "/", {{"x-amz-target", "GraniteServiceVersion20100801.ListMetrics"},
                                              {"content-type", "application/x-amz-json-1.0"}}))),
            "cloudwatch");
  EXPECT_EQ(Name(g_->Route(Head("POST", "/service/GraniteServiceVersion20100801/operation/ListMetrics",
                                {{"smithy-protocol", "rpc-v2-cbor"}, {"content-type", "application/cbor"}}))),
            "cloudwatch");
  g_->Quiesce();
  g_.reset();
}

TEST_F(GatewayWithRealServices, KinesisAnswersServiceUnavailableWhenTheBudgetIsFull) {
  MemoryBudget budget(1 << 20);
  Gateway g("1", &budget);
  g.Add(std::make_unique<frontends::kinesis::KinesisService>(*streams_));
  std::optional<Response> out;
  g.Handle(Request{Head("POST", "/", {{"authorization", Signed("kinesis")},
                                      {"content-type", "application/x-amz-json-1.1"},
                                      {"x-amz-target", "Kinesis_20131202.PutRecords"}}),
                   std::string(512 * 1024, ' ')},
           [&out](Response r) { out = std::move(r); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, 503);
  EXPECT_EQ(out->body, R"({"__type":"ServiceUnavailable","message":"The request has failed due to a temporary failure of the server."})");
  EXPECT_EQ(budget.used(), 0u);
  // A small one fits, is answered (here: an unknown stream), and gives its share back.
  out.reset();
  g.Handle(Request{Head("POST", "/", {{"authorization", Signed("kinesis")},
                                      {"x-amz-date", "20260101T000000Z"},
                                      {"content-type", "application/x-amz-json-1.1"},
                                      {"x-amz-target", "Kinesis_20131202.DescribeStreamSummary"}}),
                   R"({"StreamName":"nope"})"},
           [&out](Response r) { out = std::move(r); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, 400);
  EXPECT_NE(out->body.find("ResourceNotFoundException"), std::string::npos) << out->body;
  EXPECT_EQ(budget.used(), 0u);
  g.Quiesce();
}

TEST_F(GatewayWithRealServices, OnlyServicesThatParseReserveParseMemory) {
  const RequestHead kinesis = Head("POST", "/", {{"x-amz-target", "Kinesis_20131202.PutRecords"}});
  const RequestHead s3 = Head("PUT", "/bucket/key", {{"authorization", Signed("s3")}});
  EXPECT_EQ(g_->Route(kinesis)->ParseMemory(kinesis, 1 << 20), 3u << 20);
  EXPECT_EQ(g_->Route(s3)->ParseMemory(s3, 1 << 20), 0u) << "an object body is stored, not parsed";
}

TEST_F(GatewayWithRealServices, FirehoseRequestIsTakenByNeitherKinesisNorS3) {
  EXPECT_EQ(g_->Route(Head("POST", "/", {{"authorization", Signed("firehose")},
                                         {"content-type", "application/x-amz-json-1.1"},
                                         {"x-amz-target", "Firehose_20150804.ListDeliveryStreams"}})),
            nullptr);
  // Unsigned, by its target alone.
  EXPECT_EQ(g_->Route(Head("POST", "/", {{"content-type", "application/x-amz-json-1.1"},
                                         {"x-amz-target", "Firehose_20150804.PutRecordBatch"}})),
            nullptr);
}

TEST_F(GatewayWithRealServices, FirehoseTakesItsOwnOnceRegistered) {
  delivery::DeliveryOptions o;
  o.dir = (root_ / "delivery").string();
  o.start_thread = false;
  auto delivery = delivery::DeliveryManager::Open(o, *catalog_, *objects_);
  ASSERT_TRUE(delivery.ok()) << delivery.status().ToString();
  Gateway g("1");
  g.Add(std::make_unique<frontends::kinesis::KinesisService>(*streams_));
  g.Add(std::make_unique<frontends::firehose::FirehoseService>(**delivery));
  g.AddCatchAll(std::make_unique<frontends::s3::S3Service>(*objects_, 1));
  EXPECT_EQ(Name(g.Route(Head("POST", "/", {{"authorization", Signed("firehose")},
                                            {"x-amz-target", "Firehose_20150804.ListDeliveryStreams"}}))),
            "firehose");
  EXPECT_EQ(Name(g.Route(Head("POST", "/", {{"x-amz-target", "Firehose_20150804.PutRecordBatch"}}))), "firehose");
  EXPECT_EQ(Name(g.Route(Head("POST", "/", {{"x-amz-target", "Kinesis_20131202.ListStreams"}}))), "kinesis");
  // The request reaches the delivery module and gets AWS's answer.
  std::optional<Response> out;
  g.Handle(Request{Head("POST", "/", {{"authorization", Signed("firehose")},
                                      {"x-amz-date", "20260101T000000Z"},
                                      {"content-type", "application/x-amz-json-1.1"},
                                      {"x-amz-target", "Firehose_20150804.DescribeDeliveryStream"}}),
                   R"({"DeliveryStreamName":"nope"})"},
           [&out](Response r) { out = std::move(r); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, 400);
  EXPECT_EQ(out->body,
            R"({"__type":"ResourceNotFoundException","message":"Firehose nope under account 000000000000 not found."})");
  g.Quiesce();
}

TEST_F(GatewayWithRealServices, LambdaRequestIsTakenByNeitherKinesisNorS3) {
  EXPECT_EQ(g_->Route(Head("GET", "/2015-03-31/functions/", {{"authorization", Signed("lambda")}})), nullptr);
  EXPECT_EQ(g_->Route(Head("POST", "/2015-03-31/event-source-mappings/",
                           {{"authorization", Signed("lambda")}, {"content-type", "application/json"}})),
            nullptr);
}

TEST_F(GatewayWithRealServices, CloudFormationRequestIsTakenByNeitherKinesisNorS3) {
  EXPECT_EQ(g_->Route(Head("POST", "/", {{"authorization", Signed("cloudformation")},
                                         {"content-type", "application/x-www-form-urlencoded; charset=utf-8"}})),
            nullptr);
  const Response r = Call(*g_, Head("POST", "/", {{"authorization", Signed("cloudformation")}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"UnknownOperationException","message":"sluice does not serve the 'cloudformation' API this request is signed for"})");
}

TEST_F(GatewayWithRealServices, CloudFormationOnceRegisteredTakesItsRequestsAndAnswersInXml) {
  stacks::ResourceProviders providers;
  auto manager = stacks::StackManager::Open({.catalog = catalog_.get(), .providers = &providers});
  ASSERT_TRUE(manager.ok()) << manager.error().message;
  g_->Add(std::make_unique<frontends::cloudformation::CloudFormationService>(**manager, objects_.get()));
  const RequestHead head = Head("POST", "/", {{"authorization", Signed("cloudformation")},
                                              {"x-amz-date", "20260101T000000Z"},
                                              {"content-type", "application/x-www-form-urlencoded; charset=utf-8"}});
  EXPECT_EQ(Name(g_->Route(head)), "cloudformation");
  std::optional<Response> out;
  g_->Handle(Request{head, "Action=DescribeStacks&Version=2010-05-15&StackName=nope"},
             [&out](Response r) { out = std::move(r); });
  g_->Quiesce();  // the action runs on the service's pool
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, 400);
  EXPECT_NE(out->body.find("<Code>ValidationError</Code><Message>Stack with id nope does not exist</Message>"),
            std::string::npos)
      << out->body;
  g_.reset();
}

TEST_F(GatewayWithRealServices, AthenaRequestReachesAthenaNotKinesisOrS3) {
  query::Engine engine(*catalog_, *objects_);
  query::Executions executions(engine, *objects_, *catalog_, Clock::Real());
  g_->Add(std::make_unique<frontends::athena::AthenaService>(engine, executions));
  EXPECT_EQ(Name(g_->Route(Head("POST", "/", {{"authorization", Signed("athena")},
                                              {"content-type", "application/x-amz-json-1.1"},
                                              {"x-amz-target", "AmazonAthena.ListQueryExecutions"}}))),
            "athena");
  EXPECT_EQ(Name(g_->Route(Head("POST", "/", {{"content-type", "application/x-amz-json-1.1"},
                                              {"x-amz-target", "AmazonAthena.GetQueryExecution"}}))),
            "athena");
  std::optional<Response> out;
  g_->Handle(Request{Head("POST", "/", {{"authorization", Signed("athena")},
                                        {"x-amz-date", "20260101T000000Z"},
                                        {"content-type", "application/x-amz-json-1.1"},
                                        {"x-amz-target", "AmazonAthena.GetQueryExecution"}}),
                     R"({"QueryExecutionId":"nope"})"},
             [&out](Response r) { out = std::move(r); });
  g_->Quiesce();  // the action runs on the service's pool
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, 400);
  EXPECT_EQ(out->body, R"({"__type":"InvalidRequestException","AthenaErrorCode":"INVALID_INPUT","Message":"QueryExecution nope was not found"})");
  g_.reset();
}

TEST_F(GatewayWithRealServices, LogsRequestReachesLogsNotKinesisOrS3) {
  auto store = functions::LogStore::Open({.dir = (root_ / "logs").string()}, *catalog_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  g_->Add(std::make_unique<frontends::logs::LogsService>(**store));
  const RequestHead head = Head("POST", "/", {{"authorization", Signed("logs")},
                                              {"x-amz-date", "20260101T000000Z"},
                                              {"content-type", "application/x-amz-json-1.1"},
                                              {"x-amz-target", "Logs_20140328.DescribeLogStreams"}});
  EXPECT_EQ(Name(g_->Route(head)), "logs");
  std::optional<Response> out;
  g_->Handle(Request{head, R"({"logGroupName":"/aws/lambda/nope"})"}, [&out](Response r) { out = std::move(r); });
  g_->Quiesce();  // the action runs on the service's pool
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, 400);
  EXPECT_EQ(out->body, R"({"__type":"ResourceNotFoundException","message":"The specified log group does not exist."})");
  g_.reset();
}

TEST_F(GatewayWithRealServices, LambdaServiceTakesLambdaRequestsAndAnswersInRestJson) {
  functions::FunctionManagerOptions fo;
  fo.dir = (root_ / "functions").string();
  auto fm = functions::FunctionManager::Open(fo, *catalog_, *objects_);
  ASSERT_TRUE(fm.ok()) << fm.status().ToString();
  Gateway g("1");
  g.Add(std::make_unique<frontends::kinesis::KinesisService>(*streams_));
  g.Add(std::make_unique<frontends::lambda::LambdaService>(frontends::lambda::LambdaBackends{**fm}, 1));
  g.AddCatchAll(std::make_unique<frontends::s3::S3Service>(*objects_, 1));
  EXPECT_EQ(Name(g.Route(Head("GET", "/2015-03-31/functions/", {{"authorization", Signed("lambda")}}))), "lambda");
  EXPECT_EQ(Name(g.Route(Head("POST", "/2015-03-31/functions/f/invocations"))), "lambda");
  EXPECT_EQ(Name(g.Route(Head("GET", "/bucket/key"))), "s3");
  std::promise<Response> answer;
  g.Handle(Request{Head("GET", "/2015-03-31/functions/nope", {{"authorization", Signed("lambda")},
                                                               {"x-amz-date", "20260101T000000Z"}}),
                   {}},
           [&answer](Response r) { answer.set_value(std::move(r)); });
  const Response r = answer.get_future().get();
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"})");
  bool typed = false;
  for (const auto& [k, v] : r.headers) typed |= k == "x-amzn-errortype" && v == "ResourceNotFoundException";
  EXPECT_TRUE(typed);
  g.Quiesce();
}

}  // namespace
}  // namespace sluice::gateway
