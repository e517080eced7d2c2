// Test-only: a DeliveryManager over a temporary catalog and local object store, with a
// manual clock and no delivery thread (tests call RunDueDeliveries).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "catalog/testing/test_util.h"
#include "delivery/delivery.h"
#include "objects/local_store.h"

namespace sluice::delivery {

constexpr int64_t kStart = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.File("data"));
    auto store = objects::LocalObjectStore::Open({.dir = dir_.File("data"), .sync = false});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->CreateBucket("lake").ok());
    Reopen();
  }
  void Reopen() {
    manager_.reset();
    catalog_.reset();
    catalog_ = catalog::Catalog::Open(dir_.File("catalog.db")).value();
    DeliveryOptions o;
    o.dir = dir_.File("delivery");
    o.clock = &clock_;
    o.start_thread = start_thread_;
    o.thread_nice = thread_nice_;
    o.fsync = log::FsyncPolicy::kNever;
    o.max_active_partitions = max_active_partitions_;
    o.rate_limits = rate_limits_;
    o.region = region_;
    o.transformer = transformer_;
    o.error_log = error_log_;
    auto m = DeliveryManager::Open(o, *catalog_, *store_, *registry_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    manager_ = std::move(*m);
  }
  static DeliveryStreamConfig Config(std::string name, int64_t size_mb, int64_t interval_s,
                                     std::string bucket = "lake") {
    DeliveryStreamConfig c;
    c.name = std::move(name);
    c.destination.extended = true;
    c.destination.role_arn = "arn:aws:iam::000000000000:role/r";
    c.destination.bucket_arn = "arn:aws:s3:::" + bucket;
    c.destination.hints = {size_mb, interval_s};
    return c;
  }
  std::vector<std::string> Put(const std::string& name, std::vector<std::string> records) {
    std::vector<std::string_view> views(records.begin(), records.end());
    std::promise<DResult<std::vector<std::string>>> p;
    manager_->Put(name, views, [&](DResult<std::vector<std::string>> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<std::string>{};
  }
  std::vector<objects::ObjectInfo> Objects(const std::string& bucket = "lake") {
    auto l = store_->List(bucket, {});
    EXPECT_TRUE(l.ok());
    return l.ok() ? l->objects : std::vector<objects::ObjectInfo>{};
  }
  std::string Body(const std::string& key) { return store_->Get("lake", key, std::nullopt)->data; }

  catalog::testing::TempDir dir_;
  size_t max_active_partitions_ = 500;
  bool start_thread_ = false;
  int thread_nice_ = 10;
  bool rate_limits_ = false;
  std::string region_ = "us-east-1";
  RecordTransformer* transformer_ = nullptr;
  ErrorLogSink* error_log_ = nullptr;
  metrics::Registry* registry_ = &metrics::NullRegistry();
  ManualClock clock_{kStart};
  std::unique_ptr<objects::LocalObjectStore> store_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<DeliveryManager> manager_;
};

}  // namespace sluice::delivery
