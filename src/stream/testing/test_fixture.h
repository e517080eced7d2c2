// Test-only: a StreamManager over a fresh temporary data dir with a manual clock.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "stream/stream_manager.h"

namespace sluice::stream::testing {

class StreamFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("sluice-stream-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    Open();
  }
  void TearDown() override {
    mgr_.reset();
    catalog_.reset();
    std::filesystem::remove_all(root_);
  }
  // Opens the catalog and the manager; `o.dir`, `o.clock` and `o.shard_limit` are set here.
  void Open(StreamManagerOptions o = {}) {
    auto c = catalog::Catalog::Open((root_ / "catalog.db").string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
    o.dir = (root_ / "streams").string();
    o.clock = &clock_;
    o.shard_limit = shard_limit_;
    auto m = StreamManager::Open(o, *catalog_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    mgr_ = std::move(*m);
  }
  void Reopen(StreamManagerOptions o = {}) {
    mgr_.reset();
    catalog_.reset();
    Open(o);
  }
  std::vector<PutOutcome> Put(const std::string& stream, const std::vector<PutInput>& in) {
    std::promise<KResult<std::vector<PutOutcome>>> p;
    mgr_->PutRecords(stream, in, [&p](KResult<std::vector<PutOutcome>> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : std::vector<PutOutcome>{};
  }

  std::filesystem::path root_;
  int64_t shard_limit_ = 10;
  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<StreamManager> mgr_;
};

}  // namespace sluice::stream::testing
