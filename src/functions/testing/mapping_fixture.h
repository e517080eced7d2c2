// Test-only: a MappingManager over a one-shard stream "ingress" with a manual clock, a
// fake invoker, a local object store (bucket "failures") and a fake Firehose sink; no
// poller threads (RunUntilIdle drives it).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "functions/event_source_mappings.h"
#include "functions/testing/fake_invoker.h"
#include "functions/testing/fake_sink.h"
#include "functions/testing/recording_log_store.h"
#include "metrics/testing/recording_registry.h"
#include "objects/local_store.h"
#include "stream/testing/test_fixture.h"

namespace sluice::functions::testing {

using nlohmann::json;

inline constexpr const char* kStreamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/ingress";

// The sequence numbers of an event's records, in order.
inline std::vector<std::string> Seqs(const std::string& payload) {
  std::vector<std::string> out;
  const json event = json::parse(payload);
  for (const json& r : event["Records"]) out.push_back(r["kinesis"]["sequenceNumber"]);
  return out;
}

inline std::vector<std::string> Keys(const std::string& payload) {
  std::vector<std::string> out;
  const json event = json::parse(payload);
  for (const json& r : event["Records"]) out.push_back(r["kinesis"]["partitionKey"]);
  return out;
}

inline InvokeOutcome Ok(std::string payload = "null") { return {FunctionError::kNone, std::move(payload), ""}; }
inline InvokeOutcome Fail() { return {FunctionError::kUnhandled, R"({"errorMessage":"boom","errorType":"Exception"})", ""}; }

class MappingTest : public stream::testing::StreamFixture {
 protected:
  void SetUp() override {
    StreamFixture::SetUp();
    std::filesystem::create_directories(root_ / "objects");
    auto s = objects::LocalObjectStore::Open({.dir = (root_ / "objects").string(), .sync = false});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateBucket("failures").ok());
    ASSERT_TRUE(mgr_->CreateStream("ingress", shards_, "PROVISIONED", {}).ok());
    OpenMappings();
  }
  void TearDown() override {
    mappings_.reset();
    StreamFixture::TearDown();
  }
  void OpenMappings(size_t max_payload = 6u << 20) {
    mappings_.reset();
    MappingManager::Options o;
    o.clock = &clock_;
    o.start_threads = false;
    o.concurrent = false;
    o.store = store_.get();
    o.sink = &sink_;
    o.max_payload_bytes = max_payload;
    o.metrics = registry_;
    o.logs = &logs_;
    auto m = MappingManager::Open(o, *catalog_, *mgr_, invoker_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    mappings_ = std::move(*m);
  }
  // Puts records with the given keys (data {"i": n}); returns their sequence numbers.
  std::vector<std::string> PutKeys(const std::vector<std::string>& keys) {
    std::vector<std::string> data;
    for (size_t i = 0; i < keys.size(); ++i) data.push_back("{\"i\":" + std::to_string(next_++) + "}");
    std::vector<stream::PutInput> in;
    for (size_t i = 0; i < keys.size(); ++i) in.push_back({keys[i], std::nullopt, data[i]});
    std::vector<std::string> seqs;
    for (const auto& o : Put("ingress", in)) seqs.push_back(o.sequence_number);
    return seqs;
  }
  std::vector<std::string> PutN(size_t n) { return PutKeys(std::vector<std::string>(n, "k")); }

  // "fn" succeeds, appending every record's sequence number to `seen`.
  void DefineRecorder(std::vector<std::string>& seen) {
    invoker_.Define("fn", [&seen](const std::string& p) {
      for (auto& s : Seqs(p)) seen.push_back(s);
      return Ok();
    });
  }
  MappingInput Input(std::string function = "fn") {
    MappingInput in;
    in.function_name = std::move(function);
    in.event_source_arn = kStreamArn;
    in.starting_position = "TRIM_HORIZON";
    return in;
  }
  std::string CreateMapping(const MappingInput& in) {
    auto r = mappings_->Create(in);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->config.uuid : "";
  }
  // Runs passes until nothing happens (bounded: a failing batch keeps "happening").
  void RunUntilIdle(int max_passes = 200) {
    for (int i = 0; i < max_passes && mappings_->RunOnce(); ++i) {
    }
  }
  std::vector<std::string> ObjectKeys(const std::string& bucket) {
    auto l = store_->List(bucket, {});
    std::vector<std::string> keys;
    for (const auto& o : l->objects) keys.push_back(o.key);
    return keys;
  }
  json Object(const std::string& bucket, const std::string& key) {
    auto g = store_->Get(bucket, key);
    return g.ok() ? json::parse(g->data) : json();
  }

  int shards_ = 1;
  int next_ = 0;
  metrics::testing::RecordingRegistry registry_;
  FakeInvoker invoker_;
  RecordingLogStore logs_;
  testing::FakeSink sink_;
  std::unique_ptr<objects::ObjectStore> store_;
  std::unique_ptr<MappingManager> mappings_;
};


}  // namespace sluice::functions::testing
