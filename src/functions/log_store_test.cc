// LogStore (CloudWatch Logs semantics over files and the catalog), the log streams of
// runtime processes, and Lambda's metrics.
#include <filesystem>
#include <fstream>
#include <future>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/testing/test_util.h"
#include "functions/logs.h"
#include "internal/lambda_metrics.h"
#include "internal/process_pool.h"
#include "metrics/testing/recording_registry.h"

namespace sluice::functions {
namespace {

using catalog::testing::TempDir;

constexpr int64_t kT0 = 1'764'547'200'000;  // 2025-12-01T00:00:00Z
constexpr int64_t kDay = 86'400'000;

class LogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    catalog_.reset();
    auto c = catalog::Catalog::Open(dir_.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
    auto s = LogStore::Open({.dir = dir_.File("logs"), .clock = &clock_}, *catalog_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void Put(const std::string& group, const std::string& stream, std::vector<std::pair<int64_t, std::string>> evs) {
    std::vector<LogEvent> events;
    for (auto& [t, m] : evs) events.push_back({t, m});
    ASSERT_TRUE(store_->Append(group, stream, events).ok());
  }
  static std::vector<std::string> Messages(const std::vector<LogEvent>& events) {
    std::vector<std::string> out;
    for (const LogEvent& e : events) out.push_back(e.message);
    return out;
  }

  TempDir dir_;
  ManualClock clock_{kT0};
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<LogStore> store_;
};

TEST_F(LogStoreTest, AppendCreatesGroupAndStreamThatSurviveReopen) {
  Put("/aws/lambda/f", "2025/12/01/[$LATEST]ab", {{kT0, "one\n"}, {kT0 + 5, "two\n"}});
  Open();
  auto groups = store_->DescribeGroups("/aws/lambda/", "", 50);
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->groups.size(), 1u);
  EXPECT_EQ(groups->groups[0].name, "/aws/lambda/f");
  EXPECT_EQ(groups->groups[0].arn, "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*");
  EXPECT_EQ(groups->groups[0].created_ms, kT0);
  auto streams = store_->DescribeStreams({.group = "/aws/lambda/f"});
  ASSERT_TRUE(streams.ok());
  ASSERT_EQ(streams->streams.size(), 1u);
  EXPECT_EQ(streams->streams[0].name, "2025/12/01/[$LATEST]ab");
  EXPECT_EQ(streams->streams[0].first_event_ms, kT0);
  EXPECT_EQ(streams->streams[0].last_event_ms, kT0 + 5);
  EXPECT_EQ(streams->streams[0].last_ingestion_ms, kT0);
  auto events = store_->GetEvents({.group = "/aws/lambda/f", .stream = "2025/12/01/[$LATEST]ab"});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(Messages(events->events), (std::vector<std::string>{"one\n", "two\n"}));
  EXPECT_EQ(events->events[1].ingestion_ms, kT0);
}

TEST_F(LogStoreTest, GroupErrorsAreAwsTypes) {
  ASSERT_TRUE(store_->CreateGroup("g").ok());
  auto again = store_->CreateGroup("g");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(LogsErrorName(again.error().code), "ResourceAlreadyExistsException");
  EXPECT_EQ(again.error().message, "The specified log group already exists");
  auto missing = store_->DeleteGroup("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(LogsErrorName(missing.error().code), "ResourceNotFoundException");
  auto no_stream = store_->GetEvents({.group = "g", .stream = "s"});
  ASSERT_FALSE(no_stream.ok());
  EXPECT_EQ(no_stream.error().message, "The specified log stream does not exist.");
  auto bad_days = store_->PutRetention("g", 2);
  ASSERT_FALSE(bad_days.ok());
  EXPECT_EQ(LogsErrorName(bad_days.error().code), "InvalidParameterException");
  ASSERT_TRUE(store_->DeleteGroup("g").ok());
  EXPECT_TRUE(store_->DescribeGroups("", "", 50)->groups.empty());
}

TEST_F(LogStoreTest, DescribeGroupsPagesByPrefix) {
  for (const char* g : {"/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/c", "other"}) ASSERT_TRUE(store_->CreateGroup(g).ok());
  auto first = store_->DescribeGroups("/aws/lambda/", "", 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->groups.size(), 2u);
  ASSERT_FALSE(first->next_token.empty());
  auto rest = store_->DescribeGroups("/aws/lambda/", first->next_token, 2);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->groups.size(), 1u);
  EXPECT_EQ(rest->groups[0].name, "/aws/lambda/c");
  EXPECT_TRUE(rest->next_token.empty());
  EXPECT_FALSE(store_->DescribeGroups("", "zz!", 2).ok());
}

TEST_F(LogStoreTest, DescribeStreamsOrdersByLastEventTimeDescending) {
  Put("g", "a", {{kT0 + 30, "x"}});
  Put("g", "b", {{kT0 + 10, "x"}});
  Put("g", "c", {{kT0 + 20, "x"}});
  auto by_time = store_->DescribeStreams({.group = "g", .order_by_last_event = true, .descending = true, .limit = 2});
  ASSERT_TRUE(by_time.ok());
  ASSERT_EQ(by_time->streams.size(), 2u);
  EXPECT_EQ(by_time->streams[0].name, "a");
  EXPECT_EQ(by_time->streams[1].name, "c");
  auto rest = store_->DescribeStreams(
      {.group = "g", .order_by_last_event = true, .descending = true, .token = by_time->next_token, .limit = 2});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->streams.size(), 1u);
  EXPECT_EQ(rest->streams[0].name, "b");
  auto refused = store_->DescribeStreams({.group = "g", .prefix = "a", .order_by_last_event = true});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(LogsErrorName(refused.error().code), "InvalidParameterException");
}

TEST_F(LogStoreTest, GetEventsTokensWalkForwardAndBackward) {
  Put("g", "s", {{kT0 + 1, "e1"}, {kT0 + 2, "e2"}, {kT0 + 3, "e3"}, {kT0 + 4, "e4"}, {kT0 + 5, "e5"}});
  // Without a token: the newest `limit` events.
  auto tail = store_->GetEvents({.group = "g", .stream = "s", .limit = 2});
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(Messages(tail->events), (std::vector<std::string>{"e4", "e5"}));
  // Backward from there.
  auto back = store_->GetEvents({.group = "g", .stream = "s", .token = tail->backward_token, .limit = 2});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Messages(back->events), (std::vector<std::string>{"e2", "e3"}));
  // From the head, then forward to the end: the last forward token comes back unchanged.
  auto head = store_->GetEvents({.group = "g", .stream = "s", .limit = 3, .start_from_head = true});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(Messages(head->events), (std::vector<std::string>{"e1", "e2", "e3"}));
  auto next = store_->GetEvents({.group = "g", .stream = "s", .token = head->forward_token, .limit = 3});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Messages(next->events), (std::vector<std::string>{"e4", "e5"}));
  auto end = store_->GetEvents({.group = "g", .stream = "s", .token = next->forward_token, .limit = 3});
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->events.empty());
  EXPECT_EQ(end->forward_token, next->forward_token);
  // A new event appears behind the same token.
  Put("g", "s", {{kT0 + 6, "e6"}});
  auto later = store_->GetEvents({.group = "g", .stream = "s", .token = end->forward_token});
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(Messages(later->events), (std::vector<std::string>{"e6"}));
  // Time range [start, end).
  auto range = store_->GetEvents({.group = "g", .stream = "s", .start_ms = kT0 + 2, .end_ms = kT0 + 4});
  EXPECT_EQ(Messages(range->events), (std::vector<std::string>{"e2", "e3"}));
  auto bad = store_->GetEvents({.group = "g", .stream = "s", .token = "f/12"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "The specified nextToken is invalid.");
}

TEST_F(LogStoreTest, FilterEventsMatchesTermsPhrasesAndPagesAcrossStreams) {
  Put("g", "a", {{kT0 + 1, "START RequestId: 1"}, {kT0 + 3, "ERROR disk full"}, {kT0 + 5, "ERROR fine now"}});
  Put("g", "b", {{kT0 + 2, "ERROR disk slow"}, {kT0 + 4, "all good"}});
  auto terms = store_->FilterEvents({.group = "g", .pattern = "ERROR disk"});
  ASSERT_TRUE(terms.ok());
  ASSERT_EQ(terms->events.size(), 2u);
  EXPECT_EQ(terms->events[0].event.message, "ERROR disk slow");  // interleaved by time
  EXPECT_EQ(terms->events[0].stream, "b");
  EXPECT_EQ(terms->events[1].event.message, "ERROR disk full");
  EXPECT_EQ(terms->events[0].event_id.size(), 56u);
  auto phrase = store_->FilterEvents({.group = "g", .pattern = "\"disk full\""});
  ASSERT_EQ(phrase->events.size(), 1u);
  auto either = store_->FilterEvents({.group = "g", .pattern = "?good ?full"});
  ASSERT_EQ(either->events.size(), 2u);
  auto in_time = store_->FilterEvents({.group = "g", .start_ms = kT0 + 3, .end_ms = kT0 + 5});
  EXPECT_EQ(in_time->events.size(), 2u);
  auto only_a = store_->FilterEvents({.group = "g", .stream_names = {"a"}, .pattern = "ERROR"});
  EXPECT_EQ(only_a->events.size(), 2u);
  // Pages of 2 over all five events, in time order.
  std::vector<std::string> seen;
  std::string token;
  do {
    auto page = store_->FilterEvents({.group = "g", .token = token, .limit = 2});
    ASSERT_TRUE(page.ok());
    for (const auto& e : page->events) seen.push_back(e.event.message);
    token = page->next_token;
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"START RequestId: 1", "ERROR disk slow", "ERROR disk full", "all good",
                                            "ERROR fine now"}));
  auto json = store_->FilterEvents({.group = "g", .pattern = "{ $.level = \"x\" }"});
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(LogsErrorName(json.error().code), "InvalidParameterException");
  auto missing = store_->FilterEvents({.group = "g", .stream_names = {"zz"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(LogsErrorName(missing.error().code), "ResourceNotFoundException");
}

TEST_F(LogStoreTest, RetentionDropsExpiredEventsAndIsKeptInTheCatalog) {
  Put("g", "old", {{kT0, "old"}});
  Put("g", "mixed", {{kT0, "old"}, {kT0 + 2 * kDay, "new"}});
  clock_.Set(kT0 + 2 * kDay + 1000);
  ASSERT_TRUE(store_->PutRetention("g", 1).ok());
  Open();
  auto groups = store_->DescribeGroups("g", "", 50);
  ASSERT_EQ(groups->groups.size(), 1u);
  EXPECT_EQ(groups->groups[0].retention_days, 1);
  auto streams = store_->DescribeStreams({.group = "g"});
  ASSERT_EQ(streams->streams.size(), 1u);  // "old" had nothing left
  EXPECT_EQ(streams->streams[0].name, "mixed");
  auto events = store_->GetEvents({.group = "g", .stream = "mixed"});
  EXPECT_EQ(Messages(events->events), (std::vector<std::string>{"new"}));
  // Events expiring later are hidden at once, before Expire rewrites the file.
  clock_.Advance(3 * kDay);
  EXPECT_TRUE(store_->GetEvents({.group = "g", .stream = "mixed"})->events.empty());
  ASSERT_TRUE(store_->DeleteRetention("g").ok());
  Open();
  EXPECT_FALSE(store_->DescribeGroups("g", "", 50)->groups[0].retention_days.has_value());
}

TEST_F(LogStoreTest, TornLastRecordIsSkipped) {
  Put("g", "s", {{kT0, "whole"}});
  std::ofstream(dir_.File("logs/g/s.events"), std::ios::app) << "{\"s\":1,\"t\":17";
  Open();
  auto events = store_->GetEvents({.group = "g", .stream = "s"});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(Messages(events->events), (std::vector<std::string>{"whole"}));
}

TEST(LogStreamNameTest, IsLambdasFormat) {
  EXPECT_EQ(LambdaLogStreamName(kT0 + 1000, "0123456789abcdef0123456789abcdef"),
            "2025/12/01/[$LATEST]0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(IsAllowedRetentionDays(3653));
  EXPECT_FALSE(IsAllowedRetentionDays(2));
}

// A runtime process's output and Lambda's own lines land in one stream of the group.
TEST(ProcessPoolLogTest, ProcessOutputAndStartEndReportGoToItsStream) {
  TempDir dir;
  auto c = catalog::Catalog::Open(dir.File("catalog.db"));
  ASSERT_TRUE(c.ok());
  auto logs = LogStore::Open({.dir = dir.File("logs")}, **c);
  ASSERT_TRUE(logs.ok());
  ProcessPool pool(2);
  auto spec = std::make_shared<LaunchSpec>();
  spec->function_name = "sh";
  spec->timeout_ms = 60'000;
  spec->init_timeout_ms = 0;
  spec->spawn.argv = {"/bin/sh", "-c", "echo first; echo second; exit 3"};
  spec->logs = logs->get();
  spec->log_group = "/aws/lambda/sh";
  std::promise<LambdaResult<InvokeResult>> p;
  pool.Invoke(spec, "req-1", "{}", [&p](LambdaResult<InvokeResult> r) { p.set_value(std::move(r)); });
  ASSERT_TRUE(p.get_future().get().ok());
  auto streams = (*logs)->DescribeStreams({.group = "/aws/lambda/sh"});
  ASSERT_TRUE(streams.ok());
  ASSERT_EQ(streams->streams.size(), 1u);
  const std::string name = streams->streams[0].name;
  ASSERT_EQ(name.size(), 11 + 9 + 32u) << name;
  EXPECT_EQ(name.substr(11, 9), "[$LATEST]");
  auto events = (*logs)->GetEvents({.group = "/aws/lambda/sh", .stream = name, .start_from_head = true});
  ASSERT_TRUE(events.ok());
  std::vector<std::string> got;
  for (const LogEvent& e : events->events) got.push_back(e.message);
  ASSERT_GE(got.size(), 6u);
  EXPECT_EQ(got[0], "first\n");
  EXPECT_EQ(got[1], "second\n");
  EXPECT_EQ(got[2], "START RequestId: req-1 Version: $LATEST\n");
  EXPECT_EQ(got[3], "END RequestId: req-1\n");
  EXPECT_TRUE(got[4].starts_with("REPORT RequestId: req-1\tDuration: ")) << got[4];
  EXPECT_NE(got[4].find(" ms\tBilled Duration: "), std::string::npos);
  EXPECT_NE(got[4].find("\tMemory Size: 128 MB\tMax Memory Used: "), std::string::npos);
  EXPECT_TRUE(got[4].ends_with(" MB\t\n")) << got[4];  // never initialised: no Init Duration
}

TEST(LambdaMetricsTest, ReportsPerFunctionAndAcrossAllFunctions) {
  metrics::testing::RecordingRegistry registry;
  LambdaMetrics m(registry);
  m.Started("f");
  m.Started("g");
  m.Finished("f", 12.5, false);
  m.Finished("g", 3, true);
  m.Started("f");
  m.Throttled("f");
  m.IteratorAge("f", "a1b2", 250);
  m.IteratorAge("f", "", 50);  // no mapping: the function's series only
  auto id = [](const char* name, std::vector<metrics::Dimension> d) {
    return metrics::MakeId("AWS/Lambda", name, std::move(d));
  };
  const std::vector<metrics::Dimension> f = {{"FunctionName", "f"}};
  EXPECT_EQ(registry.Samples(id("Invocations", f)), (std::vector<double>{1}));
  EXPECT_EQ(registry.Samples(id("Errors", f)), (std::vector<double>{0}));
  EXPECT_EQ(registry.Samples(id("Duration", f)), (std::vector<double>{12.5}));
  EXPECT_EQ(registry.Samples(id("Throttles", f)), (std::vector<double>{1}));
  EXPECT_EQ(registry.Samples(id("ConcurrentExecutions", f)), (std::vector<double>{1, 1}));
  EXPECT_EQ(registry.Samples(id("IteratorAge", f)), (std::vector<double>{250, 50}));
  EXPECT_EQ(registry.Samples(id("IteratorAge", {{"EventSourceMappingUUID", "a1b2"}})), (std::vector<double>{250}));
  EXPECT_EQ(registry.Samples(id("Invocations", {})), (std::vector<double>{1, 1}));
  EXPECT_EQ(registry.Samples(id("Errors", {})), (std::vector<double>{0, 1}));
  EXPECT_EQ(registry.Samples(id("ConcurrentExecutions", {})), (std::vector<double>{1, 2, 1}));
  EXPECT_EQ(registry.UnitOf(id("Duration", {})), metrics::Unit::kMilliseconds);
  EXPECT_EQ(registry.UnitOf(id("Invocations", f)), metrics::Unit::kCount);
}

}  // namespace
}  // namespace sluice::functions
