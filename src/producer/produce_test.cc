#include "producer/produce.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "producer/gen_taxi.h"
#include "producer/testing/fake_kinesis.h"

namespace sluice::producer {
namespace {

namespace fs = std::filesystem;
using testing::FakeKinesis;
using testing::FakeKinesisOptions;

class ProduceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice-produce-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    log_ = std::tmpfile();
  }
  void TearDown() override {
    std::fclose(log_);
    fs::remove_all(dir_);
  }

  std::string WriteTrips(uint64_t trips, uint64_t seed = 5) {
    GenTaxiOptions g;
    g.trips = trips;
    g.seed = seed;
    g.output = (dir_ / "trips.csv").string();
    EXPECT_EQ(RunGenTaxi(g), 0);
    return g.output;
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  ProduceOptions Options(const FakeKinesis& fake, std::string csv) {
    ProduceOptions o;
    o.stream = "ingress";
    o.csv = std::move(csv);
    o.endpoint = fake.endpoint();
    o.access_key_id = "AKID";
    o.secret_access_key = "SECRET";
    o.region = "us-east-1";
    o.progress = ProgressMode::kOff;
    o.backoff = {1, 20};  // fast retries: the test is about which records, not how long
    o.seed = 99;
    o.log = log_;
    return o;
  }
  std::string Log() {
    std::fflush(log_);
    std::rewind(log_);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, log_)) > 0) out.append(buf, n);
    return out;
  }

  fs::path dir_;
  std::FILE* log_ = nullptr;
};

// The trip ids of everything the fake stored, with how often each arrived.
std::map<std::string, int> TripCounts(const FakeKinesis& fake) {
  std::map<std::string, int> counts;
  for (const auto& r : fake.records()) counts[nlohmann::json::parse(r.data)["TRIP_ID"].get<std::string>()]++;
  return counts;
}

TEST_F(ProduceTest, EveryRecordArrivesExactlyOnceWhenTheServerRefusesSomeRecords) {
  auto fake = FakeKinesis::Start({.record_failure_rate = 0.3, .request_failure_rate = 0.05,
                                  .drop_connection_rate = 0.02});
  constexpr uint64_t kTrips = 5000;
  ProduceOptions o = Options(*fake, WriteTrips(kTrips));
  o.concurrency = 4;
  o.max_attempts = 60;
  Result<ProduceStats> stats = Produce(o);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->records_sent, kTrips);
  EXPECT_EQ(stats->records_failed, 0u);
  EXPECT_GE(stats->records_retried, fake->refused_records()) << "every refused record was sent again";
  EXPECT_GT(fake->refused_records(), kTrips / 5);

  const std::map<std::string, int> counts = TripCounts(*fake);
  EXPECT_EQ(counts.size(), kTrips);
  for (const auto& [trip, n] : counts) ASSERT_EQ(n, 1) << trip << " arrived " << n << " times";
  std::set<std::string> event_ids;
  for (const auto& r : fake->records()) {
    const nlohmann::json rec = nlohmann::json::parse(r.data);
    EXPECT_EQ(rec["event_id"], r.partition_key) << "the default partition key is the event id";
    event_ids.insert(r.partition_key);
  }
  EXPECT_EQ(event_ids.size(), kTrips);
  EXPECT_LE(fake->max_records_in_request(), 500u);
  EXPECT_LE(fake->connections(), 4 + static_cast<int>(fake->requests() / 20) + 4)
      << "connections are reused, except after the fake drops one";
}

TEST_F(ProduceTest, BatchesStayWithinFiveMiB) {
  auto fake = FakeKinesis::Start({});
  // 40 rows of ~300 KB: 17 fit in 5 MiB, so requests must split by bytes, not count.
  std::string csv = "\"id\",\"blob\"\n";
  for (int i = 0; i < 40; ++i) csv += "\"" + std::to_string(i) + "\",\"" + std::string(300'000, 'x') + "\"\n";
  ProduceOptions o = Options(*fake, WriteFile("big.csv", csv));
  Result<ProduceStats> stats = Produce(o);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->records_sent, 40u);
  EXPECT_LE(fake->max_bytes_in_request(), 5u << 20);
  EXPECT_GE(fake->requests(), 3u);
}

TEST_F(ProduceTest, PartitionKeyCanBeAColumn) {
  auto fake = FakeKinesis::Start({});
  ProduceOptions o = Options(*fake, WriteTrips(300));
  o.partition_key = "TAXI_ID";
  ASSERT_EQ(RunProduce(o), 0);
  ASSERT_EQ(fake->records().size(), 300u);
  for (const auto& r : fake->records()) {
    EXPECT_EQ(nlohmann::json::parse(r.data)["TAXI_ID"], r.partition_key);
  }
}

TEST_F(ProduceTest, UnknownPartitionKeyColumnIsAUsageError) {
  auto fake = FakeKinesis::Start({});
  ProduceOptions o = Options(*fake, WriteTrips(10));
  o.partition_key = "NO_SUCH_COLUMN";
  EXPECT_EQ(Produce(o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunProduce(o), 2);
  EXPECT_EQ(fake->requests(), 0u);
}

TEST_F(ProduceTest, MissingCsvIsAUsageError) {
  auto fake = FakeKinesis::Start({});
  EXPECT_EQ(RunProduce(Options(*fake, (dir_ / "absent.csv").string())), 2);
  EXPECT_NE(Log().find("absent.csv"), std::string::npos);
}

TEST_F(ProduceTest, MalformedRowsAreReportedCountedAndWrittenToRejectsWithoutStopping) {
  auto fake = FakeKinesis::Start({});
  const std::string csv =
      "\"a\",\"b\"\n"
      "\"1\",\"x\"\n"
      "\"2\"\n"                 // line 3: one field
      "\"3\",\"y\"\n"
      "\"4\"z,\"w\"\n"          // line 5: text after a closing quote
      "\"5\",\"" + std::string(1100000, 'q') + "\"\n"  // line 6: over 1 MiB as a record
      "\"6\",\"v\"\n";
  ProduceOptions o = Options(*fake, WriteFile("bad.csv", csv));
  o.rejects = (dir_ / "rejects.txt").string();
  EXPECT_EQ(RunProduce(o), 0) << "rejected rows do not fail a run unless --strict";
  EXPECT_EQ(fake->records().size(), 3u);
  const std::string log = Log();
  EXPECT_NE(log.find("line 3 rejected: wrong column count"), std::string::npos) << log;
  EXPECT_NE(log.find("line 5 rejected: broken quoting"), std::string::npos) << log;
  EXPECT_NE(log.find("line 6 rejected: record of"), std::string::npos) << log;
  EXPECT_NE(log.find("rejected rows 3"), std::string::npos) << log;
  std::ifstream in(o.rejects);
  std::stringstream rejects;
  rejects << in.rdbuf();
  EXPECT_NE(rejects.str().find("# line 3: wrong column count (1 fields, the header has 2)\n\"2\"\n"), std::string::npos)
      << rejects.str().substr(0, 300);
  EXPECT_NE(rejects.str().find("# line 5: broken quoting"), std::string::npos);
}

TEST_F(ProduceTest, StrictStopsAtTheFirstMalformedRow) {
  auto fake = FakeKinesis::Start({});
  std::string csv = "\"a\",\"b\"\n\"1\",\"x\"\n\"2\"\n";
  for (int i = 0; i < 1000; ++i) csv += "\"" + std::to_string(i) + "\",\"y\"\n";
  ProduceOptions o = Options(*fake, WriteFile("bad.csv", csv));
  o.strict = true;
  EXPECT_EQ(RunProduce(o), 1);
  EXPECT_LT(fake->records().size(), 2u);
  EXPECT_NE(Log().find("--strict"), std::string::npos);
}

TEST_F(ProduceTest, NonRetryableErrorStopsTheRunAndFailsIt) {
  auto fake = FakeKinesis::Start({.fatal_error = "ResourceNotFoundException"});
  ProduceOptions o = Options(*fake, WriteTrips(3000));
  o.concurrency = 2;
  Result<ProduceStats> stats = Produce(o);
  ASSERT_TRUE(stats.ok());
  EXPECT_TRUE(stats->aborted);
  EXPECT_GT(stats->records_failed, 0u);
  EXPECT_EQ(stats->records_sent, 0u);
  EXPECT_NE(stats->abort_reason.find("ResourceNotFoundException"), std::string::npos);
  EXPECT_LE(fake->requests(), 2u) << "no request is retried after a non-retryable error";
  EXPECT_EQ(RunProduce(o), 1);
}

TEST_F(ProduceTest, RecordsStillRefusedAfterMaxAttemptsAreFailedAndTheExitCodeSaysSo) {
  auto fake = FakeKinesis::Start({.record_failure_rate = 1.0});
  ProduceOptions o = Options(*fake, WriteTrips(700));
  o.max_attempts = 3;
  Result<ProduceStats> stats = Produce(o);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->records_failed, 700u);
  EXPECT_EQ(stats->records_retried, 1400u) << "two re-sends each";
  EXPECT_EQ(fake->requests(), 6u) << "two batches, three attempts each";
  EXPECT_EQ(RunProduce(o), 1);
}

TEST_F(ProduceTest, RateLimitKeepsToRecordsPerSecond) {
  auto fake = FakeKinesis::Start({});
  ProduceOptions o = Options(*fake, WriteTrips(1500));
  o.rate = 2000;  // a burst of 500, then 1000 records at 2000/s: about 0.5 s
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(RunProduce(o), 0);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Only the lower bound: it holds at any machine speed, since the bucket makes the
  // producer sleep. An upper bound measured the machine (2.3 s under ThreadSanitizer);
  // the bucket's arithmetic is tested with explicit times in batcher_test.cc, and a
  // producer that sleeps far too long runs into the test's timeout.
  EXPECT_GT(secs, 0.4);
  EXPECT_EQ(fake->records().size(), 1500u);
}

TEST_F(ProduceTest, SlowRateStillSendsPartialBatchesPromptly) {
  auto fake = FakeKinesis::Start({});
  ProduceOptions o = Options(*fake, WriteTrips(40));
  o.rate = 50;  // burst 50: everything at once, then nothing waits for a full batch
  o.linger_ms = 50;
  ASSERT_EQ(RunProduce(o), 0);
  // Within the burst nothing waits, so nothing is flushed early: one request.
  EXPECT_EQ(fake->requests(), 1u);
  ProduceOptions slow = Options(*fake, WriteTrips(30));
  slow.rate = 20;  // burst 20, then 10 more at 20/s
  slow.linger_ms = 100;
  ASSERT_EQ(RunProduce(slow), 0);
  EXPECT_GE(fake->requests(), 3u) << "batches are flushed after the linger, not when 500 records are read";
}

TEST_F(ProduceTest, PlainProgressLinesAreWrittenWhenNotOnATerminal) {
  auto fake = FakeKinesis::Start({});
  ProduceOptions o = Options(*fake, WriteTrips(600));
  o.progress = ProgressMode::kLines;
  o.progress_interval_ms = 50;
  o.rate = 2000;
  ASSERT_EQ(RunProduce(o), 0);
  const std::string log = Log();
  EXPECT_NE(log.find("produce: "), std::string::npos);
  EXPECT_NE(log.find("records/s"), std::string::npos);
  EXPECT_EQ(log.find('\r'), std::string::npos) << "no bar redraws in plain mode";
  EXPECT_NE(log.find("sent 600 records"), std::string::npos) << log;
}

TEST(ProgressLine, BarShowsPercentAndRate) {
  ProduceStats s;
  s.records_sent = 1000;
  s.bytes_sent = 2'000'000;
  s.input_bytes = 50;
  s.elapsed_seconds = 2;
  const std::string line = ProgressReporter::Line(s, 500, 100, true);
  EXPECT_NE(line.find("[###############...............]  50%"), std::string::npos) << line;
  EXPECT_NE(line.find("500 records/s"), std::string::npos) << line;
  EXPECT_NE(line.find("1.0 MB/s"), std::string::npos) << line;
}

}  // namespace
}  // namespace sluice::producer
