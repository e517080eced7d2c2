// The front end's data-plane metrics: PutRecord.* and PutRecordBatch.* as CloudWatch
// names them, recorded for each accepted call through the real service.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "catalog/testing/test_util.h"
#include "delivery/delivery.h"
#include "frontends/firehose/firehose_service.h"
#include "metrics/testing/recording_registry.h"
#include "objects/local_store.h"

namespace sluice::frontends::firehose {
namespace {

class FirehoseMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.File("data"));
    store_ = objects::LocalObjectStore::Open({.dir = dir_.File("data"), .sync = false}).value();
    ASSERT_TRUE(store_->CreateBucket("lake").ok());
    catalog_ = catalog::Catalog::Open(dir_.File("catalog.db")).value();
    delivery::DeliveryOptions o;
    o.dir = dir_.File("delivery");
    o.start_thread = false;
    o.fsync = log::FsyncPolicy::kNever;
    manager_ = delivery::DeliveryManager::Open(o, *catalog_, *store_).value();
    delivery::DeliveryStreamConfig c;
    c.name = "s";
    c.destination.extended = true;
    c.destination.role_arn = "arn:aws:iam::000000000000:role/r";
    c.destination.bucket_arn = "arn:aws:s3:::lake";
    ASSERT_TRUE(manager_->Create(c, {}).ok());
    service_ = std::make_unique<FirehoseService>(*manager_, registry_);
  }
  void TearDown() override { service_->Quiesce(); }

  http::Response Call(std::string action, std::string body) {
    http::Request req;
    req.head.method = "POST";
    req.head.target = "/";
    req.head.headers = {{"x-amz-target", "Firehose_20150804." + action},
                        {"content-type", "application/x-amz-json-1.1"},
                        {"x-amz-date", "20231114T221320Z"},
                        // The shape AWS checks first; the gateway verifies the signature.
                        {"authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/firehose/"
                                          "aws4_request, SignedHeaders=host;x-amz-date, Signature=00"}};
    req.body = std::move(body);
    std::promise<http::Response> p;
    service_->Handle(std::move(req), [&p](http::Response r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  static metrics::MetricId Id(std::string name) {
    return metrics::MakeId("AWS/Firehose", std::move(name), {{"DeliveryStreamName", "s"}});
  }

  catalog::testing::TempDir dir_;
  std::unique_ptr<objects::LocalObjectStore> store_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<delivery::DeliveryManager> manager_;
  metrics::testing::RecordingRegistry registry_;
  std::unique_ptr<FirehoseService> service_;
};

TEST_F(FirehoseMetricsTest, AcceptedCallsAreCountedPerAction) {
  // "YWJj" is "abc", "ZA==" is "d".
  const auto first = Call("PutRecord", R"({"DeliveryStreamName":"s","Record":{"Data":"YWJj"}})");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(Call("PutRecordBatch", R"({"DeliveryStreamName":"s","Records":[{"Data":"YWJj"},{"Data":"ZA=="}]})").status,
            200);
  ASSERT_EQ(Call("PutRecord", R"({"DeliveryStreamName":"missing","Record":{"Data":"YWJj"}})").status, 400);
  using V = std::vector<double>;
  EXPECT_EQ(registry_.Samples(Id("PutRecord.Bytes")), (V{3}));
  EXPECT_EQ(registry_.Samples(Id("PutRecord.Requests")), (V{1}));
  EXPECT_EQ(registry_.Samples(Id("PutRecord.Latency")).size(), 1u);
  EXPECT_EQ(registry_.Samples(Id("PutRecordBatch.Bytes")), (V{4}));
  EXPECT_EQ(registry_.Samples(Id("PutRecordBatch.Records")), (V{2}));
  EXPECT_EQ(registry_.Samples(Id("PutRecordBatch.Requests")), (V{1}));
  EXPECT_EQ(registry_.Samples(Id("PutRecordBatch.Latency")).size(), 1u);
  EXPECT_EQ(registry_.UnitOf(Id("PutRecordBatch.Latency")), metrics::Unit::kMilliseconds);
  EXPECT_EQ(registry_.UnitOf(Id("PutRecordBatch.Bytes")), metrics::Unit::kBytes);
  EXPECT_EQ(registry_.UnitOf(Id("PutRecordBatch.Records")), metrics::Unit::kCount);
  // The stream's own series come from the delivery module, not from the front end.
  EXPECT_FALSE(registry_.UnitOf(Id("IncomingBytes")).has_value());
  EXPECT_FALSE(registry_.UnitOf(Id("PutRecord.Records")).has_value());
}

}  // namespace
}  // namespace sluice::frontends::firehose
