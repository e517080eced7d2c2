// Event-source mappings with TumblingWindowInSeconds: window boundaries, state passed
// from invocation to invocation, the final invocation, early termination, durability.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "catalog/mappings.h"
#include "functions/testing/mapping_fixture.h"

namespace sluice::functions {
namespace {

using nlohmann::json;
using testing::MappingTest;
using testing::Ok;
using testing::Seqs;

// The fixture's clock starts at 2023-11-14T22:13:20Z: the 60 s window holding it.
constexpr int64_t kWindowStart = 1'699'999'980'000;  // 22:13:00
constexpr int64_t kWindowEnd = 1'700'000'040'000;    // 22:14:00

class TumblingWindowTest : public MappingTest {
 protected:
  // "fn" counts the records of its window in state.n, as the documented example does.
  void DefineCounter() {
    invoker_.Define("fn", [](const std::string& p) {
      const json e = json::parse(p);
      json state = e.at("state");
      state["n"] = state.value("n", 0) + static_cast<int>(e.at("Records").size());
      return Ok(json{{"state", state}}.dump());
    });
  }
  std::string CreateWindowed(int64_t batch_size = 10) {
    MappingInput in = Input();
    in.batch_size = batch_size;
    in.tumbling_window_in_seconds = 60;
    return CreateMapping(in);
  }
  std::vector<json> Events() const {
    std::vector<json> out;
    for (const std::string& p : invoker_.payloads()) out.push_back(json::parse(p));
    return out;
  }
};

TEST_F(TumblingWindowTest, EachInvocationGetsTheStateThePreviousOneReturned) {
  DefineCounter();
  const auto seqs = PutN(4);
  CreateWindowed(/*batch_size=*/2);
  RunUntilIdle();
  const std::vector<json> events = Events();
  ASSERT_EQ(events.size(), 2u);  // the window is not over: no final invocation yet
  EXPECT_EQ(events[0]["state"], json::object());
  EXPECT_EQ(events[1]["state"], (json{{"n", 2}}));
  EXPECT_EQ(Seqs(invoker_.payloads()[1]), (std::vector<std::string>{seqs[2], seqs[3]}));
  for (const json& e : events) {
    EXPECT_EQ(e["window"], (json{{"start", "2023-11-14T22:13:00Z"}, {"end", "2023-11-14T22:14:00Z"}}));
    EXPECT_EQ(e["shardId"], "shardId-000000000000");
    EXPECT_EQ(e["eventSourceARN"], testing::kStreamArn);
    EXPECT_EQ(e["isFinalInvokeForWindow"], false);
    EXPECT_EQ(e["isWindowTerminatedEarly"], false);
  }
}

TEST_F(TumblingWindowTest, TheWindowEndsWithAFinalInvocationOnceCaughtUpPastItsEnd) {
  DefineCounter();
  PutN(3);
  CreateWindowed();
  RunUntilIdle();
  ASSERT_EQ(Events().size(), 1u);
  // Records stamped before the end may still be committing: a grace second first.
  clock_.Set(kWindowEnd + 999);
  RunUntilIdle();
  ASSERT_EQ(Events().size(), 1u);
  clock_.Set(kWindowEnd + 1000);
  RunUntilIdle();
  std::vector<json> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["Records"], json::array());
  EXPECT_EQ(events[1]["state"], (json{{"n", 3}}));
  EXPECT_EQ(events[1]["isFinalInvokeForWindow"], true);
  EXPECT_EQ(events[1]["isWindowTerminatedEarly"], false);
  EXPECT_EQ(events[1]["window"]["end"], "2023-11-14T22:14:00Z");
  // Once: the state is dropped with the window, and a new record opens the next one.
  RunUntilIdle();
  ASSERT_EQ(Events().size(), 2u);
  PutN(1);
  RunUntilIdle();
  events = Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2]["state"], json::object());
  EXPECT_EQ(events[2]["window"]["start"], "2023-11-14T22:14:00Z");
}

TEST_F(TumblingWindowTest, ARecordOfALaterWindowClosesTheOpenOneFirst) {
  DefineCounter();
  const auto first = PutN(2);
  clock_.Set(kWindowEnd + 5'000);
  const auto later = PutN(1);
  CreateWindowed();
  RunUntilIdle();
  const std::vector<json> events = Events();
  ASSERT_EQ(events.size(), 3u);
  // A batch never spans two windows.
  EXPECT_EQ(Seqs(invoker_.payloads()[0]), first);
  EXPECT_EQ(events[1]["isFinalInvokeForWindow"], true);
  EXPECT_EQ(events[1]["state"], (json{{"n", 2}}));
  EXPECT_EQ(Seqs(invoker_.payloads()[2]), later);
  EXPECT_EQ(events[2]["state"], json::object());
  EXPECT_EQ(events[2]["window"], (json{{"start", "2023-11-14T22:14:00Z"}, {"end", "2023-11-14T22:15:00Z"}}));
}

TEST_F(TumblingWindowTest, AResponseWithoutStateIsAFailedInvocation) {
  int calls = 0;
  invoker_.Define("fn", [&calls](const std::string& p) {
    if (++calls == 1) return Ok(R"({"batchItemFailures":[]})");
    const json e = json::parse(p);
    return Ok(json{{"state", {{"n", static_cast<int>(e["Records"].size())}}}}.dump());
  });
  const auto seqs = PutN(2);
  const std::string uuid = CreateWindowed();
  mappings_->RunOnce();  // Creating -> Enabled, and the first attempt
  EXPECT_EQ(mappings_->Get(uuid)->last_processing_result, "PROBLEM: Function call failed");
  RunUntilIdle();
  const std::vector<json> events = Events();
  ASSERT_EQ(events.size(), 2u);
  // Retried with the same records and the state from before the failed attempt.
  EXPECT_EQ(Seqs(invoker_.payloads()[1]), seqs);
  EXPECT_EQ(events[1]["state"], json::object());
  EXPECT_EQ(mappings_->Get(uuid)->last_processing_result, "OK");
}

TEST_F(TumblingWindowTest, AFailedFinalInvocationHoldsTheShardUntilItSucceeds) {
  int finals = 0;
  invoker_.Define("fn", [&finals](const std::string& p) {
    const json e = json::parse(p);
    if (e["isFinalInvokeForWindow"] == true && ++finals == 1) {
      return testing::Fail();
    }
    return Ok(R"({"state":{}})");
  });
  PutN(1);
  clock_.Set(kWindowEnd + 1);
  const auto later = PutN(1);
  CreateWindowed();
  RunUntilIdle();
  const std::vector<json> events = Events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1]["isFinalInvokeForWindow"], true);
  EXPECT_EQ(events[2]["isFinalInvokeForWindow"], true);
  EXPECT_EQ(Seqs(invoker_.payloads()[3]), later);
}

TEST_F(TumblingWindowTest, TheShardEndingTerminatesTheWindowEarly) {
  DefineCounter();
  PutN(2);
  ASSERT_TRUE(mgr_->UpdateShardCount("ingress", 2).ok());
  CreateWindowed();
  RunUntilIdle();
  const std::vector<json> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["shardId"], "shardId-000000000000");
  EXPECT_EQ(events[1]["isFinalInvokeForWindow"], true);
  EXPECT_EQ(events[1]["isWindowTerminatedEarly"], true);
  EXPECT_EQ(events[1]["state"], (json{{"n", 2}}));
  // A child shard's records start a window of their own, from a fresh state.
  PutN(1);
  RunUntilIdle();
  const std::vector<json> after = Events();
  ASSERT_EQ(after.size(), 3u);
  EXPECT_NE(after[2]["shardId"], "shardId-000000000000");
  EXPECT_EQ(after[2]["state"], json::object());
}

TEST_F(TumblingWindowTest, DisablingTheMappingTerminatesItsWindowsEarly) {
  DefineCounter();
  PutN(1);
  const std::string uuid = CreateWindowed();
  RunUntilIdle();
  MappingInput off;
  off.enabled = false;
  ASSERT_TRUE(mappings_->Update(uuid, off).ok());
  RunUntilIdle();
  const std::vector<json> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["isFinalInvokeForWindow"], true);
  EXPECT_EQ(events[1]["isWindowTerminatedEarly"], true);
  EXPECT_EQ(events[1]["state"], (json{{"n", 1}}));
  EXPECT_EQ(mappings_->Get(uuid)->state, "Disabled");
}

TEST_F(TumblingWindowTest, ChangingTheWindowLengthTerminatesTheOpenWindowEarly) {
  DefineCounter();
  PutN(1);
  const std::string uuid = CreateWindowed();
  RunUntilIdle();
  MappingInput longer;
  longer.tumbling_window_in_seconds = 120;
  ASSERT_TRUE(mappings_->Update(uuid, longer).ok());
  RunUntilIdle();
  const std::vector<json> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["isWindowTerminatedEarly"], true);
  PutN(1);
  RunUntilIdle();
  ASSERT_EQ(Events().size(), 3u);
  EXPECT_EQ(Events()[2]["window"], (json{{"start", "2023-11-14T22:12:00Z"}, {"end", "2023-11-14T22:14:00Z"}}));
}

TEST_F(TumblingWindowTest, TheStateIsDurableWithTheCheckpoint) {
  DefineCounter();
  PutN(2);
  const std::string uuid = CreateWindowed(/*batch_size=*/1);
  RunUntilIdle();
  ASSERT_EQ(Events().size(), 2u);
  const auto cps = catalog::LoadMappingCheckpoints(*catalog_, uuid);
  ASSERT_TRUE(cps.ok());
  ASSERT_EQ(cps->size(), 1u);
  ASSERT_TRUE((*cps)[0].window.has_value());
  EXPECT_EQ((*cps)[0].window->start_ms, kWindowStart);
  EXPECT_EQ((*cps)[0].window->end_ms, kWindowEnd);
  EXPECT_EQ((*cps)[0].window->state, R"({"n":2})");
  OpenMappings();  // a restart: the window and its state come back from the catalog
  PutN(1);
  RunUntilIdle();
  const std::vector<json> events = Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2]["state"], (json{{"n", 2}}));
}

TEST_F(TumblingWindowTest, AStateOverOneMegabyteEndsTheWindowEarlyAndItGoesOnFresh) {
  const std::string big((1u << 20) + 1, 'x');
  invoker_.Define("fn", [&big](const std::string& p) {
    const json e = json::parse(p);
    if (e["isFinalInvokeForWindow"] == true) return Ok(R"({"state":{}})");
    return Ok(e["state"].empty() && e["Records"].size() == 1 && e["Records"][0]["kinesis"]["partitionKey"] == "big"
                  ? json{{"state", {{"blob", big}}}}.dump()
                  : R"({"state":{"n":1}})");
  });
  PutKeys({"big", "k"});
  CreateWindowed(/*batch_size=*/1);
  RunUntilIdle();
  const std::vector<json> events = Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1]["isFinalInvokeForWindow"], true);
  EXPECT_EQ(events[1]["isWindowTerminatedEarly"], true);
  EXPECT_EQ(events[1]["state"]["blob"].get<std::string>().size(), big.size());
  // The same window goes on, from a fresh state.
  EXPECT_EQ(events[2]["state"], json::object());
  EXPECT_EQ(events[2]["window"]["start"], "2023-11-14T22:13:00Z");
}

TEST_F(TumblingWindowTest, ABuiltinFunctionRunsWithoutStateOrFinalInvocation) {
  ASSERT_TRUE(store_->CreateBucket("lake").ok());
  invoker_.Define("writer", [](const std::string&) { return testing::Fail(); }, "sluice.builtin.write_to_s3",
                  {{"OUTPUT_BUCKET", "lake"}});
  PutN(2);
  MappingInput in = Input("writer");
  in.tumbling_window_in_seconds = 60;
  CreateMapping(in);
  RunUntilIdle();
  clock_.Set(kWindowEnd + 1000);
  RunUntilIdle();
  EXPECT_TRUE(invoker_.payloads().empty());
  EXPECT_EQ(ObjectKeys("lake").size(), 1u);
}

}  // namespace
}  // namespace sluice::functions
