#include "delivery/delivery.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <sstream>
#include <set>
#include <thread>

#include "base/thread_priority.h"
#include "catalog/delivery_streams.h"
#include "delivery_test_fixture.h"
#include "internal/manager_state.h"

namespace sluice::delivery {
namespace {

TEST(S3DestinationFromJsonTest, ReadsTheApiMemberNamesWithTheApiDefaults) {
  auto d = S3DestinationFromJson(R"({"BucketARN": "arn:aws:s3:::out", "RoleARN": "arn:aws:iam::1:role/r",
      "Prefix": "context=firehose_delivery/", "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 64},
      "DynamicPartitioningConfiguration": {"Enabled": true, "RetryOptions": {"DurationInSeconds": 30}}})",
                                 /*extended=*/true);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->extended);
  EXPECT_EQ(d->bucket_arn, "arn:aws:s3:::out");
  EXPECT_EQ(d->prefix, "context=firehose_delivery/");
  EXPECT_FALSE(d->error_output_prefix.has_value());
  EXPECT_EQ(d->hints.interval_s, 60);
  EXPECT_EQ(d->hints.size_mb, 64);
  EXPECT_EQ(d->compression, "UNCOMPRESSED");
  EXPECT_EQ(d->dynamic_partitioning, true);
  EXPECT_EQ(d->dynamic_partitioning_retry_s, 30);
  auto plain = S3DestinationFromJson(R"({"BucketARN": "arn:aws:s3:::out"})", /*extended=*/false);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->hints.interval_s, 300);
  EXPECT_EQ(plain->hints.size_mb, 5);
  EXPECT_FALSE(S3DestinationFromJson(R"({"BufferingHints": {"SizeInMBs": "five"}})", false).ok());
  EXPECT_FALSE(S3DestinationFromJson("[1]", false).ok());
}

// The books of acknowledged, not yet scanned batches behind Stats and the trim cutoff.
TEST(UnscannedBatchesTest, AScanRetiresRecordsOfTheBatchesItRoutesAndOnlyThose) {
  DeliveryStream s(1, "s", kStart);
  const std::string ten(10, 'x'), thirty(30, 'y');
  auto record = [](uint64_t offset, const std::string& data) {
    log::Record r;
    r.offset = log::Offset(offset);
    r.data = data;
    return r;
  };
  const MutexLock lock(s.mu);
  s.scanned_end = 2;  // offsets 0 and 1: a tail recovered at open, already scanned
  NoteAcknowledged(s, {.first = 5, .end = 7, .bytes = 40, .arrival_ms = 20});
  NoteAcknowledged(s, {.first = 2, .end = 5, .bytes = 30, .arrival_ms = 10});  // out of order
  NoteAcknowledged(s, {.first = 0, .end = 2, .bytes = 20, .arrival_ms = 5});   // scanned already
  ASSERT_EQ(s.unscanned.size(), 2u);
  EXPECT_EQ(s.unscanned.front().first, 2u);
  EXPECT_EQ(OldestArrival(s), 10);

  const std::vector<log::Record> first_scan{record(2, ten), record(3, ten)};
  NoteScanned(s, first_scan);
  ASSERT_EQ(s.unscanned.size(), 2u);
  EXPECT_EQ(s.unscanned.front().records(), 1u);
  EXPECT_EQ(s.unscanned.front().bytes, 10u);
  const std::vector<log::Record> second_scan{record(4, ten), record(5, ten)};
  NoteScanned(s, second_scan);
  ASSERT_EQ(s.unscanned.size(), 1u);
  EXPECT_EQ(s.unscanned.front().records(), 1u);
  EXPECT_EQ(s.unscanned.front().bytes, 30u);
  EXPECT_EQ(OldestArrival(s), 20);
  const std::vector<log::Record> last_scan{record(6, thirty)};
  NoteScanned(s, last_scan);
  EXPECT_TRUE(s.unscanned.empty());
  EXPECT_EQ(OldestArrival(s), -1);
}

TEST(UnscannedBatchesTest, ABatchAScanReachedBeforeItsAcknowledgementCountsOnlyItsRest) {
  DeliveryStream s(1, "s", kStart);
  const MutexLock lock(s.mu);
  s.scanned_end = 3;  // a scan read offsets up to 3 before the Put's callback ran
  NoteAcknowledged(s, {.first = 0, .end = 4, .bytes = 400, .arrival_ms = 1});
  ASSERT_EQ(s.unscanned.size(), 1u);
  EXPECT_EQ(s.unscanned.front().first, 3u);
  EXPECT_EQ(s.unscanned.front().records(), 1u);
  EXPECT_EQ(s.unscanned.front().bytes, 100u);
}

// The nice value of this process's thread named `name`, or nullopt while there is none.
std::optional<int> NiceOfThreadNamed(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string c;
    if (!std::getline(comm, c) || c != name) continue;
    std::ifstream stat_file(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string f;
    for (int i = 0; i < 16; ++i) fields >> f;  // state (field 3) .. priority (field 18)
    int nice = 0;
    fields >> nice;                            // field 19
    return nice;
  }
  return std::nullopt;
}

TEST_F(DeliveryTest, TheDeliveryThreadRunsBelowTheRequestThreadsAtItsNiceValue) {
  const int runner = ThisThreadNice();
  if (runner >= 19) GTEST_SKIP() << "the test runner already runs at the lowest priority";
  thread_nice_ = std::min(19, std::max(13, runner + 1));
  start_thread_ = true;
  Reopen();
  // The thread lowers its priority before it takes its name: wait for the name only.
  std::optional<int> nice;
  for (int i = 0; i < 10'000 && !nice; ++i) {
    nice = NiceOfThreadNamed("delivery");
    if (!nice) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(nice.has_value()) << "no thread named delivery after 10 s";
  EXPECT_EQ(*nice, thread_nice_);
  EXPECT_EQ(ThisThreadNice(), runner);
  manager_.reset();
  EXPECT_FALSE(NiceOfThreadNamed("delivery").has_value());
}

TEST_F(DeliveryTest, NothingIsDeliveredBeforeTheIntervalThenOneObjectWithEveryRecord) {
  ASSERT_TRUE(manager_->Create(Config("s", 5, 300), {}).ok());
  const auto ids = Put("s", {"a", "b"});
  EXPECT_EQ(ids.size(), 2u);
  Put("s", {"c"});
  manager_->RunDueDeliveries();
  clock_.Advance(299'999);
  manager_->RunDueDeliveries();
  EXPECT_TRUE(Objects().empty());
  clock_.Advance(1);
  manager_->RunDueDeliveries();
  const auto objs = Objects();
  ASSERT_EQ(objs.size(), 1u);
  EXPECT_EQ(Body(objs[0].key), "abc");
  // The default prefix is the oldest record's arrival hour, the name AWS's shape.
  EXPECT_TRUE(objs[0].key.starts_with("2023/11/14/22/s-1-2023-11-14-22-13-20-")) << objs[0].key;
  const auto stats = manager_->Stats();
  EXPECT_EQ(stats[0].objects_written, 1u);
  EXPECT_EQ(stats[0].buffered_bytes, 0u);
  EXPECT_EQ(stats[0].delivered_records, 3u);
}

TEST_F(DeliveryTest, SizeLimitCutsObjectsAtSizeInMBsBeforeTheInterval) {
  ASSERT_TRUE(manager_->Create(Config("s", 1, 900), {}).ok());
  const std::string kib(1024, 'x');
  for (int i = 0; i < 3; ++i) Put("s", std::vector<std::string>(500, kib));  // 1500 KiB
  manager_->RunDueDeliveries();
  auto objs = Objects();
  ASSERT_EQ(objs.size(), 1u);
  EXPECT_EQ(objs[0].size, 1024u * 1024u);  // exactly 1 MiB: 1024 records
  EXPECT_EQ(manager_->Stats()[0].buffered_bytes, 476u * 1024u);
  clock_.Advance(900'000);
  manager_->RunDueDeliveries();
  EXPECT_EQ(Objects().size(), 2u);
}

TEST_F(DeliveryTest, ZeroIntervalDeliversAsRecordsArrive) {
  ASSERT_TRUE(manager_->Create(Config("s", 5, 0), {}).ok());
  Put("s", {"a"});
  manager_->RunDueDeliveries();
  EXPECT_EQ(Objects().size(), 1u);
}

TEST_F(DeliveryTest, AppendDelimiterAndGzipShapeTheObject) {
  auto c = Config("s", 5, 0);
  c.destination.compression = "GZIP";
  c.destination.prefix = "context=firehose_delivery/";
  c.destination.processing = ProcessingConfiguration{true, {{"AppendDelimiterToRecord", {}}}};
  ASSERT_TRUE(manager_->Create(c, {}).ok());
  Put("s", {"a", "b"});
  manager_->RunDueDeliveries();
  const auto objs = Objects();
  ASSERT_EQ(objs.size(), 1u);
  EXPECT_TRUE(objs[0].key.starts_with("context=firehose_delivery/2023/11/14/22/s-1-")) << objs[0].key;
  EXPECT_TRUE(objs[0].key.ends_with(".gz")) << objs[0].key;
  EXPECT_EQ(Body(objs[0].key).substr(0, 2), std::string("\x1f\x8b"));
}

TEST_F(DeliveryTest, MissingBucketIsRetriedWithBackoffAndDeliveryResumesByItself) {
  ASSERT_TRUE(manager_->Create(Config("s", 5, 0, "later"), {}).ok());
  Put("s", {"a"});
  manager_->RunDueDeliveries();
  auto stats = manager_->Stats();
  EXPECT_NE(stats[0].last_error.find("NoSuchBucket"), std::string::npos) << stats[0].last_error;
  EXPECT_EQ(stats[0].buffered_records, 1u);
  ASSERT_TRUE(store_->CreateBucket("later").ok());
  manager_->RunDueDeliveries();  // still backing off
  EXPECT_TRUE(Objects("later").empty());
  clock_.Advance(1000);
  manager_->RunDueDeliveries();
  EXPECT_EQ(Objects("later").size(), 1u);
  EXPECT_EQ(manager_->Stats()[0].last_error, "");
}

TEST_F(DeliveryTest, BufferedRecordsSurviveARestartAndAreDeliveredOnce) {
  ASSERT_TRUE(manager_->Create(Config("s", 5, 300), {{"k", "v"}}).ok());
  Put("s", {"a", "b"});
  Reopen();
  auto info = manager_->Describe("s");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->tags.size(), 1u);
  auto flushed = manager_->Flush("s");
  ASSERT_TRUE(flushed.ok());
  EXPECT_EQ(flushed->objects_written, 1u);
  Reopen();
  ASSERT_TRUE(manager_->Flush("s").ok());
  const auto objs = Objects();
  ASSERT_EQ(objs.size(), 1u);
  EXPECT_EQ(Body(objs[0].key), "ab");
}

TEST_F(DeliveryTest, APendingObjectIsRewrittenUnderTheSameKeyAfterACrash) {
  ASSERT_TRUE(manager_->Create(Config("s", 5, 300), {}).ok());
  Put("s", {"a", "b"});
  ASSERT_TRUE(manager_->Flush("s").ok());
  const std::string key = Objects()[0].key;
  Put("s", {"c"});
  // As if the process died after the object was durable but before the checkpoint
  // moved: the checkpoint is back at 0 with the object pending.
  manager_.reset();
  const int64_t id = catalog::LoadDeliveryStreams(*catalog_).value()[0].stream.id;
  ASSERT_TRUE(catalog::CommitDelivery(*catalog_, id, "", 0, 0).ok());
  ASSERT_TRUE(catalog::SetPendingObject(*catalog_, id, "", {0, 1, "lake", key}).ok());
  Reopen();
  ASSERT_TRUE(manager_->Flush("s").ok());
  const auto objs = Objects();
  ASSERT_EQ(objs.size(), 2u);
  std::string all;
  for (const auto& o : objs) all += Body(o.key);
  EXPECT_EQ(Body(key), "ab");
  EXPECT_EQ(all.size(), 3u);
}

TEST_F(DeliveryTest, UpdateDestinationChecksTheVersionAndBumpsIt) {
  ASSERT_TRUE(manager_->Create(Config("s", 5, 300), {}).ok());
  auto bad = manager_->UpdateDestination("s", 2, Config("s", 1, 60).destination);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorType::kConcurrentModification);
  ASSERT_TRUE(manager_->UpdateDestination("s", 1, Config("s", 1, 60).destination).ok());
  Reopen();
  auto info = manager_->Describe("s");
  EXPECT_EQ(info->version, 2);
  EXPECT_EQ(info->config.destination.hints.size_mb, 1);
}

TEST_F(DeliveryTest, DeleteDeliversWhatIsBufferedFirst) {
  ASSERT_TRUE(manager_->Create(Config("s", 5, 300), {}).ok());
  Put("s", {"a"});
  ASSERT_TRUE(manager_->Delete("s", false).ok());
  EXPECT_EQ(Objects().size(), 1u);
  EXPECT_EQ(manager_->Describe("s").error().code, ErrorType::kResourceNotFound);
  Reopen();
  EXPECT_FALSE(manager_->Describe("s").ok());
  EXPECT_TRUE(manager_->Create(Config("s", 5, 300), {}).ok());
}

TEST_F(DeliveryTest, DuplicateNameIsResourceInUse) {
  ASSERT_TRUE(manager_->Create(Config("s", 5, 300), {}).ok());
  auto again = manager_->Create(Config("s", 5, 300), {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorType::kResourceInUse);
}

DeliveryStreamConfig Partitioned(std::string name) {
  DeliveryStreamConfig c;
  c.name = std::move(name);
  c.destination.extended = true;
  c.destination.role_arn = "arn:aws:iam::000000000000:role/r";
  c.destination.bucket_arn = "arn:aws:s3:::lake";
  c.destination.hints = {64, 60};
  c.destination.prefix = "customer=!{partitionKeyFromQuery:customer}/";
  c.destination.error_output_prefix = "errors/!{firehose:error-output-type}/";
  c.destination.dynamic_partitioning = true;
  c.destination.processing = ProcessingConfiguration{
      true,
      {{"MetadataExtraction", {{"MetadataExtractionQuery", "{customer: .customer}"}, {"JsonParsingEngine", "JQ-1.6"}}},
       {"AppendDelimiterToRecord", {}}}};
  return c;
}

TEST_F(DeliveryTest, DynamicPartitioningWritesOneObjectPerKeySetAndFailuresToTheErrorPrefix) {
  auto created = manager_->Create(Partitioned("dp"), {});
  ASSERT_TRUE(created.ok()) << created.error().message;
  Put("dp", {R"({"customer":"a","n":1})", R"({"customer":"b","n":2})", "not json", R"({"customer":"a","n":3})"});
  manager_->RunDueDeliveries();
  EXPECT_TRUE(Objects().empty());
  EXPECT_EQ(manager_->Stats()[0].buffered_records, 4u);
  clock_.Advance(60'000);
  manager_->RunDueDeliveries();
  const auto objs = Objects();
  ASSERT_EQ(objs.size(), 3u);
  std::map<std::string, std::string> by_prefix;
  for (const auto& o : objs) by_prefix[o.key.substr(0, o.key.find('/'))] = Body(o.key);
  // AppendDelimiterToRecord puts the delimiter between records, as AWS does.
  EXPECT_EQ(by_prefix["customer=a"], "{\"customer\":\"a\",\"n\":1}\n{\"customer\":\"a\",\"n\":3}");
  EXPECT_EQ(by_prefix["customer=b"], "{\"customer\":\"b\",\"n\":2}");
  ASSERT_TRUE(by_prefix.contains("errors"));
  EXPECT_NE(by_prefix["errors"].find("\"errorCode\":\"DynamicPartitioning.MetadataExtractionFailed\""),
            std::string::npos) << by_prefix["errors"];
  EXPECT_NE(by_prefix["errors"].find("\"rawData\":\"bm90IGpzb24=\""), std::string::npos);
  for (const auto& o : objs) {
    if (o.key.starts_with("errors/")) {
      EXPECT_TRUE(o.key.starts_with("errors/partitioning-failed/")) << o.key;
    }
  }
  EXPECT_EQ(manager_->Stats()[0].buffered_records, 0u);
}

TEST_F(DeliveryTest, PartitionsDeliveredBeforeACrashAreNotDeliveredAgain) {
  ASSERT_TRUE(manager_->Create(Partitioned("dp"), {}).ok());
  Put("dp", {R"({"customer":"a"})", R"({"customer":"b"})"});
  ASSERT_TRUE(manager_->Flush("dp").ok());
  Put("dp", {R"({"customer":"a","late":1})"});
  Reopen();
  ASSERT_TRUE(manager_->Flush("dp").ok());
  std::string all;
  for (const auto& o : Objects()) all += Body(o.key);
  EXPECT_EQ(Objects().size(), 3u);
  EXPECT_EQ(all.size(), std::string(R"({"customer":"a"})" R"({"customer":"b"})" R"({"customer":"a","late":1})").size());
}

TEST_F(DeliveryTest, PastTheActivePartitionLimitRecordsGoToTheErrorOutput) {
  max_active_partitions_ = 3;  // AWS's 500, made small
  Reopen();
  ASSERT_TRUE(manager_->Create(Partitioned("dp"), {}).ok());
  std::vector<std::string> records;
  for (int i = 0; i < 4; ++i) records.push_back(R"({"customer":"c)" + std::to_string(i) + R"("})");
  Put("dp", records);
  ASSERT_TRUE(manager_->Flush("dp").ok());
  size_t errors = 0;
  for (const auto& o : Objects()) {
    if (o.key.starts_with("errors/activePartitionExceeded/")) {
      ++errors;
      EXPECT_NE(Body(o.key).find("ActivePartitionsLimitExceeded"), std::string::npos);
    }
  }
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(Objects().size(), 4u);
}

TEST_F(DeliveryTest, RecordDeAggregationSplitsJsonRecords) {
  auto c = Config("agg", 5, 0);
  c.destination.processing = ProcessingConfiguration{
      true, {{"RecordDeAggregation", {{"SubRecordType", "JSON"}}}, {"AppendDelimiterToRecord", {}}}};
  ASSERT_TRUE(manager_->Create(c, {}).ok());
  Put("agg", {R"({"a":1}{"a":2} {"a":3})"});
  manager_->RunDueDeliveries();
  const auto objs = Objects();
  ASSERT_EQ(objs.size(), 1u);
  EXPECT_EQ(Body(objs[0].key), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}");
}

TEST_F(DeliveryTest, WithRateLimitsACallPastTheQuotaIsServiceUnavailable) {
  rate_limits_ = true;
  region_ = "ap-south-1";  // 1 MiB/s, 1,000 requests/s, 100,000 records/s
  Reopen();
  ASSERT_TRUE(manager_->Create(Config("s", 5, 300), {}).ok());
  Put("s", std::vector<std::string>(4, std::string(1 << 20, 'x')));  // a 4 MiB call fits the burst
  std::promise<DResult<std::vector<std::string>>> p;
  const std::string_view one = "y";
  manager_->Put("s", std::span<const std::string_view>(&one, 1),
                [&](DResult<std::vector<std::string>> r) { p.set_value(std::move(r)); });
  auto refused = p.get_future().get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorType::kServiceUnavailable);
  clock_.Advance(1000);
  Put("s", {"y"});  // refilled
  EXPECT_EQ(manager_->Stats()[0].incoming_records, 5u);
}

TEST_F(DeliveryTest, TheDeliveryThreadFlushAndPutsTogetherDeliverEachRecordOnce) {
  // The real delivery thread and clock, zero buffering: the thread delivers while
  // producers put and Flush delivers too; Flush returning is the synchronization point.
  manager_.reset();
  DeliveryOptions o;
  o.dir = dir_.File("delivery-threaded");
  o.fsync = log::FsyncPolicy::kNever;
  auto m = DeliveryManager::Open(o, *catalog_, *store_);
  ASSERT_TRUE(m.ok());
  manager_ = std::move(*m);
  ASSERT_TRUE(manager_->Create(Config("t", 1, 0), {}).ok());
  std::vector<std::thread> producers;
  for (int t = 0; t < 3; ++t) {
    producers.emplace_back([this, t] {
      for (int i = 0; i < 50; ++i) Put("t", {"p" + std::to_string(t) + "-" + std::to_string(i) + ";"});
    });
  }
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(manager_->Flush("t").ok());
  for (auto& p : producers) p.join();
  ASSERT_TRUE(manager_->Flush("t").ok());
  std::multiset<std::string> seen;
  for (const auto& obj : Objects()) {
    const std::string b = Body(obj.key);
    size_t start = 0;
    for (size_t semi = b.find(';'); semi != std::string::npos; start = semi + 1, semi = b.find(';', start)) {
      seen.insert(b.substr(start, semi - start));
    }
  }
  EXPECT_EQ(seen.size(), 150u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 150u);
  EXPECT_EQ(manager_->Stats()[0].buffered_records, 0u);
}

TEST_F(DeliveryTest, AQueryThatDoesNotCompileIsRefused) {
  auto c = Partitioned("dp");
  c.destination.processing->processors[0].parameters[0].value = "{customer: .customer";
  auto r = manager_->Create(c, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorType::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::delivery
