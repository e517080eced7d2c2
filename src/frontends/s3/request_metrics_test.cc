// S3's request metrics, as the S3 service reports them for each kind of request.
#include <unistd.h>

#include <filesystem>
#include <future>

#include <gtest/gtest.h>

#include "frontends/s3/s3_service.h"
#include "internal/request_metrics.h"
#include "metrics/testing/recording_registry.h"
#include "objects/local_store.h"

namespace sluice::frontends::s3 {
namespace {

namespace stdfs = std::filesystem;

metrics::MetricId Id(std::string_view name, std::string bucket = "bkt") {
  return metrics::MakeId("AWS/S3", std::string(name), {{"BucketName", bucket}, {"FilterId", "EntireBucket"}});
}

class S3RequestMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (stdfs::temp_directory_path() /
            ("sluice-s3metrics-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    auto s = objects::LocalObjectStore::Open({.dir = dir_});
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    service_ = std::make_unique<S3Service>(*store_, 1, registry_);
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    stdfs::remove_all(dir_);
  }
  http::Response Call(std::string method, std::string target, std::string body = "") {
    http::Request r;
    r.head.method = std::move(method);
    r.head.target = std::move(target);
    r.head.headers = {{"host", "localhost"}};
    r.body = std::move(body);
    std::promise<http::Response> p;
    service_->Handle(std::move(r), [&p](http::Response resp) { p.set_value(std::move(resp)); });
    return p.get_future().get();
  }
  std::vector<double> Samples(std::string_view name) const { return registry_.Samples(Id(name)); }

  std::string dir_;
  metrics::testing::RecordingRegistry registry_;
  std::unique_ptr<objects::LocalObjectStore> store_;
  std::unique_ptr<S3Service> service_;
};

TEST_F(S3RequestMetricsTest, EachKindOfRequestIsCountedWithBytesErrorsAndLatencies) {
  ASSERT_EQ(Call("PUT", "/bkt").status, 200);                       // CreateBucket: AllRequests only
  ASSERT_EQ(Call("PUT", "/bkt/k", "hello world").status, 200);      // PutObject
  ASSERT_EQ(Call("GET", "/bkt/k").status, 200);                     // GetObject
  ASSERT_EQ(Call("HEAD", "/bkt/k").status, 200);                    // HeadObject
  ASSERT_EQ(Call("GET", "/bkt?list-type=2").status, 200);           // ListObjectsV2
  ASSERT_EQ(Call("GET", "/bkt/missing").status, 404);               // a 4xx
  ASSERT_EQ(Call("DELETE", "/bkt/k").status, 204);                  // DeleteObject
  ASSERT_EQ(Call("GET", "/").status, 200);                          // ListBuckets: no bucket, no metrics
  ASSERT_EQ(Call("GET", "/nobucket/k").status, 404);                // no such bucket: no series
  EXPECT_EQ(registry_.UnitOf(Id("AllRequests", "nobucket")), std::nullopt);

  EXPECT_EQ(registry_.Sum(Id("AllRequests")), 7);
  EXPECT_EQ(Samples("PutRequests"), std::vector<double>{1});
  EXPECT_EQ(Samples("GetRequests"), (std::vector<double>{1, 1}));
  EXPECT_EQ(Samples("HeadRequests"), std::vector<double>{1});
  EXPECT_EQ(Samples("ListRequests"), std::vector<double>{1});
  EXPECT_EQ(Samples("DeleteRequests"), std::vector<double>{1});
  EXPECT_EQ(Samples("BytesUploaded"), std::vector<double>{11});
  EXPECT_EQ(Samples("BytesDownloaded"), std::vector<double>{11});  // the 404's error body is not a download
  EXPECT_EQ(registry_.Sum(Id("4xxErrors")), 1);
  EXPECT_EQ(Samples("4xxErrors").size(), 7u);  // 0 or 1 per request: the average is the error rate
  EXPECT_EQ(registry_.Sum(Id("5xxErrors")), 0);
  EXPECT_EQ(Samples("FirstByteLatency").size(), 7u);
  EXPECT_EQ(Samples("TotalRequestLatency").size(), 7u);
  EXPECT_EQ(registry_.UnitOf(Id("TotalRequestLatency")), metrics::Unit::kMilliseconds);
  EXPECT_EQ(registry_.UnitOf(Id("BytesDownloaded")), metrics::Unit::kBytes);
  EXPECT_EQ(registry_.UnitOf(Id("AllRequests")), metrics::Unit::kCount);
}

TEST_F(S3RequestMetricsTest, StreamedUploadsCountTheirBodyAndAnswer) {
  ASSERT_EQ(Call("PUT", "/bkt").status, 200);
  http::RequestHead head;
  head.method = "PUT";
  head.target = "/bkt/big";
  head.headers = {{"host", "localhost"}, {"content-length", "6"}};
  auto sink = service_->StreamBody(head);
  ASSERT_NE(sink, nullptr);
  std::promise<std::optional<http::Response>> began;
  sink->Begin([&began](std::optional<http::Response> r) { began.set_value(std::move(r)); });
  ASSERT_FALSE(began.get_future().get().has_value());
  sink->Write("abc", [] {});
  sink->Write("def", [] {});
  std::promise<http::Response> p;
  sink->Finish([&p](http::Response r) { p.set_value(std::move(r)); });
  EXPECT_EQ(p.get_future().get().status, 200);
  EXPECT_EQ(Samples("BytesUploaded"), std::vector<double>{6});
  EXPECT_EQ(Samples("PutRequests"), std::vector<double>{1});
}

TEST(S3RequestKinds, ClassifiedAsCloudWatchCountsThem) {
  auto kind = [](std::string method, std::string target) {
    http::RequestHead h;
    h.method = std::move(method);
    h.target = std::move(target);
    h.headers = {{"host", "localhost"}};
    return ClassifyRequest(h);
  };
  EXPECT_EQ(kind("POST", "/b?delete").kind, RequestKind::kDelete);  // DeleteObjects is one request
  EXPECT_EQ(kind("HEAD", "/b").kind, RequestKind::kHead);
  EXPECT_EQ(kind("GET", "/b?location").kind, RequestKind::kOther);
  EXPECT_EQ(kind("POST", "/b/k?uploads").kind, RequestKind::kPost);
  EXPECT_EQ(kind("PUT", "/b/k?partNumber=1&uploadId=x").kind, RequestKind::kPut);
  EXPECT_EQ(kind("GET", "/").bucket, "");
}

}  // namespace
}  // namespace sluice::frontends::s3
