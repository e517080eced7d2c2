#include "functions/event_source_mappings.h"

#include <gtest/gtest.h>

#include "metrics/testing/recording_registry.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <nlohmann/json.hpp>

#include "catalog/mappings.h"
#include "functions/testing/fake_invoker.h"
#include "functions/testing/fake_sink.h"
#include "functions/testing/mapping_fixture.h"
#include "internal/builtin_impl.h"
#include "objects/local_store.h"
#include "stream/testing/test_fixture.h"

namespace sluice::functions {
namespace {

using nlohmann::json;
using testing::FakeInvoker;

using testing::Fail;
using testing::Keys;
using testing::kStreamArn;
using testing::MappingTest;
using testing::Ok;
using testing::Seqs;

TEST_F(MappingTest, EachBatchReportsIteratorAgeOfItsLastRecord) {
  std::vector<std::string> seen;
  DefineRecorder(seen);
  MappingInput in = Input();
  in.batch_size = 2;
  CreateMapping(in);
  RunUntilIdle();
  PutN(1);
  clock_.Advance(1500);
  PutN(2);
  clock_.Advance(2500);
  RunUntilIdle();
  ASSERT_EQ(seen.size(), 3u);
  // Batches of 2 then 1: the first ends with a record that waited 2.5 s, the second too.
  const auto age = metrics::MakeId("AWS/Lambda", "IteratorAge", {{"FunctionName", "fn"}});
  EXPECT_EQ(registry_.Samples(age), (std::vector<double>{2500, 2500}));
  EXPECT_EQ(registry_.UnitOf(age), metrics::Unit::kMilliseconds);
  EXPECT_EQ(registry_.Samples(metrics::MakeId("AWS/Lambda", "IteratorAge", {})), (std::vector<double>{2500, 2500}));
}

TEST_F(MappingTest, LifecycleWalksLambdasStates) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  auto created = mappings_->Create(Input());
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->state, "Creating");
  EXPECT_EQ(created->config.function_arn, invoker_.ArnOf("fn"));
  EXPECT_EQ(created->mapping_arn,
            "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:" + created->config.uuid);
  EXPECT_EQ(created->last_processing_result, "No records processed");
  const std::string uuid = created->config.uuid;
  RunUntilIdle();
  EXPECT_EQ(mappings_->Get(uuid)->state, "Enabled");

  MappingInput up;
  up.batch_size = 5;
  auto updated = mappings_->Update(uuid, up);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->state, "Updating");
  EXPECT_EQ(updated->config.batch_size, 5);
  RunUntilIdle();
  EXPECT_EQ(mappings_->Get(uuid)->state, "Enabled");

  MappingInput off;
  off.enabled = false;
  EXPECT_EQ(mappings_->Update(uuid, off)->state, "Disabling");
  RunUntilIdle();
  EXPECT_EQ(mappings_->Get(uuid)->state, "Disabled");

  auto deleted = mappings_->Delete(uuid);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->state, "Deleting");
  RunUntilIdle();
  auto gone = mappings_->Get(uuid);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, MappingErrorType::kResourceNotFound);
  EXPECT_EQ(gone.error().message, "The resource you requested does not exist.");
  EXPECT_TRUE(catalog::LoadMappings(*catalog_)->empty());
}

// The poller acts on what it sees (a Deleting mapping removes its row), so a change is
// made durable before it becomes visible, and one the catalog refuses is not applied.
TEST_F(MappingTest, AChangeTheCatalogDoesNotHoldIsNeverVisible) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  const std::string uuid = CreateMapping(Input());
  RunUntilIdle();
  ASSERT_TRUE(catalog::RemoveMapping(*catalog_, uuid).ok());  // as a racing deletion would
  MappingInput up;
  up.batch_size = 7;
  auto r = mappings_->Update(uuid, up);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, MappingErrorType::kResourceNotFound);
  auto got = mappings_->Get(uuid);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, "Enabled");
  EXPECT_EQ(got->config.batch_size, 100);
  EXPECT_EQ(mappings_->Delete(uuid).error().code, MappingErrorType::kResourceNotFound);
  EXPECT_EQ(mappings_->Get(uuid)->state, "Enabled");
}

TEST_F(MappingTest, CreateRefusesWhatLambdaRefuses) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  auto no_fn = mappings_->Create(Input("missing"));
  ASSERT_FALSE(no_fn.ok());
  EXPECT_EQ(no_fn.error().code, MappingErrorType::kInvalidParameterValue);
  EXPECT_EQ(no_fn.error().message, "Function does not exist");

  MappingInput no_stream = Input();
  no_stream.event_source_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/nope";
  auto e = mappings_->Create(no_stream);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "Stream not found: arn:aws:kinesis:us-east-1:000000000000:stream/nope");

  const std::string uuid = CreateMapping(Input());
  auto dup = mappings_->Create(Input());
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, MappingErrorType::kResourceConflict);
  EXPECT_EQ(dup.error().message,
            "The event source arn (\" arn:aws:kinesis:us-east-1:000000000000:stream/ingress \") and "
            "function (\" fn \") provided mapping already exists. Please update or delete the "
            "existing mapping with UUID " + uuid);
  EXPECT_EQ(mappings_->List("", "", "", std::nullopt)->mappings.size(), 1u);
}

TEST_F(MappingTest, ListFiltersAndPages) {
  invoker_.Define("a", [](const std::string&) { return Ok(); });
  invoker_.Define("b", [](const std::string&) { return Ok(); });
  CreateMapping(Input("a"));
  CreateMapping(Input(invoker_.ArnOf("b")));
  EXPECT_EQ(mappings_->List("a", "", "", std::nullopt)->mappings.size(), 1u);
  EXPECT_EQ(mappings_->List(invoker_.ArnOf("b"), kStreamArn, "", std::nullopt)->mappings.size(), 1u);
  EXPECT_TRUE(mappings_->List("doesnotexist", "", "", std::nullopt)->mappings.empty());
  auto page = mappings_->List("", "", "", 1);
  ASSERT_EQ(page->mappings.size(), 1u);
  ASSERT_FALSE(page->next_marker.empty());
  auto rest = mappings_->List("", "", page->next_marker, 1);
  ASSERT_EQ(rest->mappings.size(), 1u);
  EXPECT_TRUE(rest->next_marker.empty());
  EXPECT_NE(rest->mappings[0].config.uuid, page->mappings[0].config.uuid);
  EXPECT_EQ(mappings_->List("", "", "", 0).error().code, MappingErrorType::kValidation);
}

TEST_F(MappingTest, DeliversEveryRecordInOrderInBatchesOfBatchSize) {
  std::vector<std::string> seen;
  DefineRecorder(seen);
  const auto seqs = PutN(25);
  MappingInput in = Input();
  in.batch_size = 10;
  CreateMapping(in);
  RunUntilIdle();
  const auto payloads = invoker_.payloads();
  ASSERT_EQ(payloads.size(), 3u);
  EXPECT_EQ(Seqs(payloads[0]).size(), 10u);
  EXPECT_EQ(Seqs(payloads[2]).size(), 5u);
  EXPECT_EQ(seen, seqs);
  const json first = json::parse(payloads[0])["Records"][0];
  EXPECT_EQ(first["eventID"], "shardId-000000000000:" + seqs[0]);
  EXPECT_EQ(first["eventSourceARN"], kStreamArn);
  EXPECT_EQ(first["invokeIdentityArn"], "arn:aws:iam::000000000000:role/fn-role");
  EXPECT_EQ(first["awsRegion"], "us-east-1");
  EXPECT_EQ(first["kinesis"]["approximateArrivalTimestamp"], 1'700'000'000.0);
  EXPECT_EQ(mappings_->List("", "", "", std::nullopt)->mappings[0].last_processing_result, "OK");
}

TEST_F(MappingTest, LatestStartsAtTheMappingsCreation) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  PutN(3);
  clock_.Advance(1000);
  MappingInput in = Input();
  in.starting_position = "LATEST";
  CreateMapping(in);
  RunUntilIdle();
  EXPECT_TRUE(invoker_.payloads().empty());
  const auto later = PutN(2);
  RunUntilIdle();
  ASSERT_EQ(invoker_.payloads().size(), 1u);
  EXPECT_EQ(Seqs(invoker_.payloads()[0]), later);
}

TEST_F(MappingTest, AtTimestampStartsThere) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  PutN(2);
  clock_.Advance(10'000);
  const auto after = PutN(2);
  MappingInput in = Input();
  in.starting_position = "AT_TIMESTAMP";
  in.starting_position_timestamp = (1'700'000'000'000 + 5'000) / 1000.0;
  CreateMapping(in);
  RunUntilIdle();
  ASSERT_EQ(invoker_.payloads().size(), 1u);
  EXPECT_EQ(Seqs(invoker_.payloads()[0]), after);
}

TEST_F(MappingTest, BisectionIsolatesAPoisonRecordAndSendsOnlyItToTheOnFailureBucket) {
  const auto seqs = PutN(8);
  const std::string poison = seqs[5];
  std::vector<std::string> delivered;
  invoker_.Define("fn", [&](const std::string& p) {
    const auto s = Seqs(p);
    if (std::find(s.begin(), s.end(), poison) != s.end()) return Fail();
    delivered.insert(delivered.end(), s.begin(), s.end());
    return Ok();
  });
  MappingInput in = Input();
  in.batch_size = 8;
  in.bisect_batch_on_function_error = true;
  in.maximum_retry_attempts = 0;
  in.has_destination_config = true;
  in.on_failure_destination = "arn:aws:s3:::failures";
  const std::string uuid = CreateMapping(in);
  RunUntilIdle();
  std::vector<std::string> expected = seqs;
  expected.erase(expected.begin() + 5);
  EXPECT_EQ(delivered, expected);
  const auto keys = ObjectKeys("failures");
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_TRUE(keys[0].starts_with("aws/lambda/" + uuid + "/shardId-000000000000/2023/11/14/2023-11-14T22.13.20-"))
      << keys[0];
  const json rec = Object("failures", keys[0]);
  EXPECT_EQ(rec["requestContext"]["condition"], "RetryAttemptsExhausted");
  EXPECT_EQ(rec["requestContext"]["functionArn"], invoker_.ArnOf("fn"));
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 1);
  EXPECT_EQ(rec["responseContext"]["functionError"], "Unhandled");
  EXPECT_EQ(rec["responseContext"]["statusCode"], 200);
  EXPECT_EQ(rec["version"], "1.0");
  EXPECT_EQ(rec["KinesisBatchInfo"]["batchSize"], 1);
  EXPECT_EQ(rec["KinesisBatchInfo"]["startSequenceNumber"], poison);
  EXPECT_EQ(rec["KinesisBatchInfo"]["endSequenceNumber"], poison);
  EXPECT_EQ(rec["KinesisBatchInfo"]["streamArn"], kStreamArn);
  EXPECT_EQ(rec["KinesisBatchInfo"]["approximateArrivalOfFirstRecord"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(rec["payload"]["Records"][0]["kinesis"]["sequenceNumber"], poison);
  // Everything was done with: the checkpoint is at the last record.
  auto cps = catalog::LoadMappingCheckpoints(*catalog_, uuid);
  ASSERT_EQ(cps->size(), 1u);
  EXPECT_EQ((*cps)[0].sequence_number, seqs.back());
}

TEST_F(MappingTest, ReportBatchItemFailuresResumesAtTheFirstFailedItem) {
  const auto seqs = PutN(6);
  int calls = 0;
  invoker_.Define("fn", [&](const std::string&) {
    if (++calls == 1) {
      return Ok(R"({"batchItemFailures":[{"itemIdentifier":")" + seqs[4] + R"("},{"itemIdentifier":")" +
                seqs[2] + R"("}]})");
    }
    return Ok(R"({"batchItemFailures":[]})");
  });
  MappingInput in = Input();
  in.function_response_types = std::vector<std::string>{"ReportBatchItemFailures"};
  CreateMapping(in);
  RunUntilIdle();
  const auto payloads = invoker_.payloads();
  ASSERT_EQ(payloads.size(), 2u);
  EXPECT_EQ(Seqs(payloads[0]), seqs);
  EXPECT_EQ(Seqs(payloads[1]), std::vector<std::string>(seqs.begin() + 2, seqs.end()));
}

TEST_F(MappingTest, AnUnknownItemIdentifierFailsTheWholeBatch) {
  const auto seqs = PutN(3);
  int calls = 0;
  invoker_.Define("fn", [&](const std::string&) {
    return ++calls == 1 ? Ok(R"({"batchItemFailures":[{"itemIdentifier":"nope"}]})") : Ok();
  });
  MappingInput in = Input();
  in.function_response_types = std::vector<std::string>{"ReportBatchItemFailures"};
  CreateMapping(in);
  RunUntilIdle();
  const auto payloads = invoker_.payloads();
  ASSERT_EQ(payloads.size(), 2u);
  EXPECT_EQ(Seqs(payloads[1]), seqs);
}

TEST_F(MappingTest, PartialFailuresThatExhaustRetriesStillReachTheOnFailureBucket) {
  const auto seqs = PutN(4);
  invoker_.Define("fn", [&](const std::string& p) {
    const auto s = Seqs(p);
    return Ok(R"({"batchItemFailures":[{"itemIdentifier":")" + s.back() + R"("}]})");
  });
  MappingInput in = Input();
  in.function_response_types = std::vector<std::string>{"ReportBatchItemFailures"};
  in.maximum_retry_attempts = 1;
  in.has_destination_config = true;
  in.on_failure_destination = "arn:aws:s3:::failures";
  CreateMapping(in);
  RunUntilIdle();
  EXPECT_EQ(invoker_.payloads().size(), 2u);
  const auto keys = ObjectKeys("failures");
  ASSERT_EQ(keys.size(), 1u);
  const json rec = Object("failures", keys[0]);
  EXPECT_EQ(rec["KinesisBatchInfo"]["startSequenceNumber"], seqs.back());
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 2);
  EXPECT_FALSE(rec["responseContext"].contains("functionError"));
}

TEST_F(MappingTest, RetryLimitSendsTheBatchToS3AndTheShardMovesOn) {
  const auto first = PutN(3);
  bool fail = true;
  std::vector<std::string> ok_seqs;
  invoker_.Define("fn", [&](const std::string& p) {
    if (fail) return Fail();
    const auto s = Seqs(p);
    ok_seqs.insert(ok_seqs.end(), s.begin(), s.end());
    return Ok();
  });
  MappingInput in = Input();
  in.maximum_retry_attempts = 2;
  in.has_destination_config = true;
  in.on_failure_destination = "arn:aws:s3:::failures";
  CreateMapping(in);
  RunUntilIdle();
  EXPECT_EQ(invoker_.payloads().size(), 3u);  // the first try and two retries
  const auto keys = ObjectKeys("failures");
  ASSERT_EQ(keys.size(), 1u);
  const json rec = Object("failures", keys[0]);
  EXPECT_EQ(rec["requestContext"]["condition"], "RetryAttemptsExhausted");
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 3);
  EXPECT_EQ(rec["KinesisBatchInfo"]["batchSize"], 3);
  EXPECT_EQ(rec["payload"]["Records"].size(), 3u);
  fail = false;
  const auto second = PutN(2);
  RunUntilIdle();
  EXPECT_EQ(ok_seqs, second);
  EXPECT_EQ(mappings_->List("", "", "", std::nullopt)->mappings[0].last_processing_result, "OK");
}

TEST_F(MappingTest, RecordsOlderThanTheAgeLimitGoToS3WithoutAnInvocation) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  const auto old = PutN(2);
  MappingInput in = Input();
  in.maximum_record_age_in_seconds = 60;
  in.has_destination_config = true;
  in.on_failure_destination = "arn:aws:s3:::failures";
  CreateMapping(in);
  clock_.Advance(61'000);
  const auto fresh = PutN(1);
  RunUntilIdle();
  ASSERT_EQ(invoker_.payloads().size(), 1u);
  EXPECT_EQ(Seqs(invoker_.payloads()[0]), fresh);
  const auto keys = ObjectKeys("failures");
  ASSERT_EQ(keys.size(), 1u);
  const json rec = Object("failures", keys[0]);
  EXPECT_EQ(rec["requestContext"]["condition"], "RecordAgeExceeded");
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 0);
  EXPECT_FALSE(rec.contains("responseContext"));
  EXPECT_EQ(rec["KinesisBatchInfo"]["batchSize"], 2);
}

TEST_F(MappingTest, RecordsThatAgeWhileRetryingAreGivenUp) {
  PutN(1);
  invoker_.Define("fn", [](const std::string&) { return Fail(); });
  MappingInput in = Input();
  in.maximum_record_age_in_seconds = 60;
  in.has_destination_config = true;
  in.on_failure_destination = "arn:aws:s3:::failures";
  CreateMapping(in);
  mappings_->RunOnce();  // Creating -> Enabled, the first try fails
  mappings_->RunOnce();  // a retry fails
  EXPECT_EQ(invoker_.payloads().size(), 2u);
  clock_.Advance(61'000);
  RunUntilIdle();
  EXPECT_EQ(invoker_.payloads().size(), 2u);
  const auto keys = ObjectKeys("failures");
  ASSERT_EQ(keys.size(), 1u);
  const json rec = Object("failures", keys[0]);
  EXPECT_EQ(rec["requestContext"]["condition"], "RecordAgeExceeded");
  EXPECT_EQ(rec["responseContext"]["functionError"], "Unhandled");
}

TEST_F(MappingTest, AfterARestartTheMappingContinuesFromItsCheckpoint) {
  std::vector<std::string> seen;
  bool fail = false;
  invoker_.Define("fn", [&](const std::string& p) {
    if (fail) return Fail();
    for (auto& s : Seqs(p)) seen.push_back(s);
    return Ok();
  });
  const auto seqs = PutN(6);
  MappingInput in = Input();
  in.batch_size = 3;
  CreateMapping(in);
  mappings_->RunOnce();  // the first batch is delivered and checkpointed
  ASSERT_EQ(seen.size(), 3u);
  fail = true;
  mappings_->RunOnce();  // the second batch fails: it is in flight when the server stops
  OpenMappings();        // a restart
  fail = false;
  RunUntilIdle();
  EXPECT_EQ(seen, seqs);  // nothing lost, nothing before the checkpoint delivered again
  EXPECT_EQ(mappings_->List("", "", "", std::nullopt)->mappings[0].state, "Enabled");
}

TEST_F(MappingTest, ParallelizationFactorKeepsEachKeysOrder) {
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("key-" + std::to_string(i % 8));
  const auto seqs = PutKeys(keys);
  std::map<std::string, std::vector<std::string>> per_key;
  invoker_.Define("fn", [&](const std::string& p) {
    const auto s = Seqs(p);
    const auto k = Keys(p);
    for (size_t i = 0; i < s.size(); ++i) per_key[k[i]].push_back(s[i]);
    return Ok();
  });
  MappingInput in = Input();
  in.batch_size = 3;
  in.parallelization_factor = 4;
  CreateMapping(in);
  RunUntilIdle();
  size_t total = 0;
  for (const auto& [k, got] : per_key) {
    std::vector<std::string> want;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == k) want.push_back(seqs[i]);
    }
    EXPECT_EQ(got, want) << k;
    total += got.size();
  }
  EXPECT_EQ(total, 40u);
  for (const auto& p : invoker_.payloads()) EXPECT_LE(Seqs(p).size(), 3u);
  // Some batch held more than one key: lanes group keys, they are not one key each.
  EXPECT_LT(invoker_.payloads().size(), 40u);
}

TEST_F(MappingTest, FilteredOutRecordsAreSkippedButCheckpointedPast) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  const auto seqs = PutKeys({"a", "b", "a", "b"});
  MappingInput in = Input();
  in.filter_patterns = std::vector<std::string>{R"({"partitionKey":["b"]})"};
  const std::string uuid = CreateMapping(in);
  RunUntilIdle();
  ASSERT_EQ(invoker_.payloads().size(), 1u);
  EXPECT_EQ(Seqs(invoker_.payloads()[0]), (std::vector<std::string>{seqs[1], seqs[3]}));
  const auto only_a = PutKeys({"a"});
  RunUntilIdle();
  EXPECT_EQ(invoker_.payloads().size(), 1u);
  EXPECT_EQ((*catalog::LoadMappingCheckpoints(*catalog_, uuid))[0].sequence_number, only_a[0]);
}

TEST_F(MappingTest, BatchingWindowWaitsForAFullBatchOrTheWindow) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  PutN(3);
  MappingInput in = Input();
  in.batch_size = 5;
  in.maximum_batching_window_in_seconds = 5;
  CreateMapping(in);
  RunUntilIdle();
  EXPECT_TRUE(invoker_.payloads().empty());
  clock_.Advance(5'000);
  RunUntilIdle();
  ASSERT_EQ(invoker_.payloads().size(), 1u);
  EXPECT_EQ(Seqs(invoker_.payloads()[0]).size(), 3u);
  PutN(5);  // a full batch goes at once
  RunUntilIdle();
  EXPECT_EQ(invoker_.payloads().size(), 2u);
}

TEST_F(MappingTest, BatchesAreCutToFitThePayloadLimit) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  OpenMappings(/*max_payload=*/2'000);
  PutN(10);
  CreateMapping(Input());
  RunUntilIdle();
  const auto payloads = invoker_.payloads();
  ASSERT_GT(payloads.size(), 1u);
  size_t records = 0;
  for (const auto& p : payloads) {
    EXPECT_LE(p.size(), 2'000u);
    records += Seqs(p).size();
  }
  EXPECT_EQ(records, 10u);
}

TEST_F(MappingTest, UpdatesTakeEffectOnTheNextBatch) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  invoker_.Define("other", [](const std::string&) { return Ok(); });
  PutN(4);
  MappingInput in = Input();
  in.batch_size = 2;
  const std::string uuid = CreateMapping(in);
  mappings_->RunOnce();
  ASSERT_EQ(invoker_.payloads().size(), 1u);
  MappingInput up;
  up.batch_size = 1;
  up.function_name = "other";
  ASSERT_TRUE(mappings_->Update(uuid, up).ok());
  EXPECT_EQ(mappings_->Get(uuid)->config.function_arn, invoker_.ArnOf("other"));
  RunUntilIdle();
  const auto payloads = invoker_.payloads();
  ASSERT_EQ(payloads.size(), 3u);
  EXPECT_EQ(Seqs(payloads[1]).size(), 1u);
}

TEST_F(MappingTest, ADisabledMappingDeliversNothingUntilEnabled) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  PutN(2);
  MappingInput in = Input();
  in.enabled = false;
  const std::string uuid = CreateMapping(in);
  RunUntilIdle();
  EXPECT_EQ(mappings_->Get(uuid)->state, "Disabled");
  EXPECT_TRUE(invoker_.payloads().empty());
  MappingInput on;
  on.enabled = true;
  EXPECT_EQ(mappings_->Update(uuid, on)->state, "Enabling");
  RunUntilIdle();
  EXPECT_EQ(invoker_.payloads().size(), 1u);
}

TEST_F(MappingTest, ParentsAreReadToTheirEndBeforeTheirChildren) {
  std::vector<std::string> seen;
  DefineRecorder(seen);
  const auto before = PutN(3);
  ASSERT_TRUE(mgr_->UpdateShardCount("ingress", 2).ok());
  const auto after = PutKeys({"k", "x", "k"});
  MappingInput in = Input();
  in.batch_size = 1;
  CreateMapping(in);
  RunUntilIdle();
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(std::vector<std::string>(seen.begin(), seen.begin() + 3), before);
  // Key "k" stays in order across the reshard.
  const auto pos = [&](const std::string& s) { return std::find(seen.begin(), seen.end(), s) - seen.begin(); };
  EXPECT_LT(pos(after[0]), pos(after[2]));
}

TEST_F(MappingTest, ABuiltinFunctionRunsOnTheFastPath) {
  ASSERT_TRUE(store_->CreateBucket("lake").ok());
  invoker_.Define("writer", [](const std::string&) { return Fail(); }, "sluice.builtin.write_to_s3",
                  {{"OUTPUT_BUCKET", "lake"}});
  PutN(4);
  MappingInput in = Input("writer");
  in.batch_size = 2;
  CreateMapping(in);
  RunUntilIdle();
  EXPECT_TRUE(invoker_.payloads().empty());  // never invoked through the Invoker
  const auto keys = ObjectKeys("lake");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_TRUE(keys[0].starts_with("context=write_to_s3/date=2023-11-14/2023_11_14_22_"));
  EXPECT_EQ(Object("lake", keys[0]).size(), 2u);
}

TEST_F(MappingTest, ABuiltinRunInPlaceWritesLambdasLogLines) {
  ASSERT_TRUE(store_->CreateBucket("lake").ok());
  invoker_.Define("writer", [](const std::string&) { return Fail(); }, "sluice.builtin.write_to_s3",
                  {{"OUTPUT_BUCKET", "lake"}});
  invoker_.Define("broken", [](const std::string&) { return Fail(); }, "sluice.builtin.write_to_s3");
  PutN(2);
  MappingInput in = Input("writer");
  in.batch_size = 1;
  CreateMapping(in);
  MappingInput bad = Input("broken");
  bad.maximum_retry_attempts = 0;
  CreateMapping(bad);
  RunUntilIdle();
  std::vector<testing::RecordingLogStore::Appended> writer, broken;
  for (const auto& a : logs_.appended()) (a.group == "/aws/lambda/writer" ? writer : broken).push_back(a);
  ASSERT_EQ(writer.size(), 2u);  // one append per invocation
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].group, "/aws/lambda/broken");
  // Both invocations in one stream, named as Lambda names a stream, for the clock's day.
  EXPECT_EQ(writer[0].stream, writer[1].stream);
  EXPECT_TRUE(writer[0].stream.starts_with("2023/11/14/[$LATEST]")) << writer[0].stream;
  EXPECT_EQ(writer[0].stream.size(), std::string("2023/11/14/[$LATEST]").size() + 32);
  ASSERT_EQ(writer[0].events.size(), 3u);
  const std::string start = writer[0].events[0].message;
  ASSERT_TRUE(start.starts_with("START RequestId: ") && start.ends_with(" Version: $LATEST\n")) << start;
  const std::string id = start.substr(17, 36);
  EXPECT_EQ(writer[0].events[1].message, "END RequestId: " + id + "\n");
  EXPECT_EQ(writer[0].events[2].message,
            "REPORT RequestId: " + id +
                "\tDuration: 0.00 ms\tBilled Duration: 0 ms\tMemory Size: 128 MB\tMax Memory Used: 0 MB\t\n");
  EXPECT_EQ(writer[0].events[0].timestamp_ms, clock_.NowMillis());
  EXPECT_NE(writer[1].events[0].message, start);  // a request id per invocation
  ASSERT_EQ(broken[0].events.size(), 4u);
  EXPECT_EQ(broken[0].events[1].message,
            "[ERROR] Runtime.InvalidEntrypoint: built-in function write_to_s3 needs the environment variable "
            "OUTPUT_BUCKET\n");
}

TEST_F(MappingTest, MappingsSurviveARestartWithTheirSettings) {
  invoker_.Define("fn", [](const std::string&) { return Ok(); });
  MappingInput in = Input();
  in.batch_size = 42;
  in.filter_patterns = std::vector<std::string>{R"({"partitionKey":["k"]})"};
  const std::string uuid = CreateMapping(in);
  OpenMappings();
  auto got = mappings_->Get(uuid);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->config.batch_size, 42);
  EXPECT_EQ(got->config.filter_patterns.size(), 1u);
  EXPECT_EQ(got->state, "Creating");
  RunUntilIdle();
  EXPECT_EQ(mappings_->Get(uuid)->state, "Enabled");
}

}  // namespace
}  // namespace sluice::functions

namespace sluice::functions {
namespace {

TEST_F(MappingTest, PollerThreadsDeliverWithoutBeingDriven) {
  std::promise<void> all_seen;
  std::atomic<size_t> seen{0};
  invoker_.Define("fn", [&](const std::string& p) {
    if ((seen += Seqs(p).size()) == 5) all_seen.set_value();
    return Ok();
  });
  mappings_.reset();
  MappingManager::Options o;
  o.clock = &clock_;
  o.store = store_.get();
  o.idle_poll_ms = 1;
  auto m = MappingManager::Open(o, *catalog_, *mgr_, invoker_);
  ASSERT_TRUE(m.ok());
  mappings_ = std::move(*m);
  CreateMapping(Input());
  PutN(5);
  // Waits for the event, bounded so a broken poller fails instead of hanging.
  ASSERT_EQ(all_seen.get_future().wait_for(std::chrono::seconds(60)), std::future_status::ready);
  mappings_->Close();
  EXPECT_EQ(seen.load(), 5u);
}

}  // namespace
}  // namespace sluice::functions
