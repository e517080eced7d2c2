#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "catalog/testing/test_util.h"
#include "objects/local_store.h"
#include "internal/result_metadata.h"
#include "query/query.h"

namespace sluice::query {
namespace {

using objects::ObjectStore;

// The local store, with Get held at a gate so a test can act while a scan is inside
// it: `entered` is set when the first Get arrives, Get returns once `open` is set.
class GatedStore final : public ObjectStore {
 public:
  explicit GatedStore(ObjectStore& inner) : inner_(inner), open_(gate_.get_future().share()) {}
  void Open() { gate_.set_value(); }
  std::future<void> Entered() { return entered_.get_future(); }

  objects::ObjResult<objects::GetResult> Get(std::string_view b, std::string_view k,
                                             const std::optional<objects::RangeSpec>& r) override {
    if (!signalled_.exchange(true)) entered_.set_value();
    open_.wait();
    return inner_.Get(b, k, r);
  }
  objects::ObjStatus CreateBucket(std::string_view b) override { return inner_.CreateBucket(b); }
  objects::ObjStatus DeleteBucket(std::string_view b) override { return inner_.DeleteBucket(b); }
  objects::ObjStatus HeadBucket(std::string_view b) override { return inner_.HeadBucket(b); }
  objects::ObjResult<std::vector<objects::BucketInfo>> ListBuckets() override { return inner_.ListBuckets(); }
  objects::ObjResult<objects::ObjectInfo> Put(std::string_view b, std::string_view k, std::string_view d,
                                              const objects::ObjectMeta& m) override {
    return inner_.Put(b, k, d, m);
  }
  objects::ObjResult<objects::ObjectInfo> Head(std::string_view b, std::string_view k) override { return inner_.Head(b, k); }
  objects::ObjStatus Delete(std::string_view b, std::string_view k) override { return inner_.Delete(b, k); }
  objects::ObjResult<objects::ObjectInfo> Copy(std::string_view sb, std::string_view sk, std::string_view db,
                                               std::string_view dk, const std::optional<objects::ObjectMeta>& m) override {
    return inner_.Copy(sb, sk, db, dk, m);
  }
  objects::ObjResult<objects::ListResult> List(std::string_view b, const objects::ListRequest& r) override {
    return inner_.List(b, r);
  }
  objects::ObjResult<std::string> CreateMultipartUpload(std::string_view b, std::string_view k,
                                                        const objects::ObjectMeta& m,
                                                        const objects::ObjectChecksum& c) override {
    return inner_.CreateMultipartUpload(b, k, m, c);
  }
  objects::ObjResult<objects::PartInfo> UploadPart(std::string_view b, std::string_view k, std::string_view u, int n,
                                                   std::string_view d) override {
    return inner_.UploadPart(b, k, u, n, d);
  }
  objects::ObjResult<objects::ObjectInfo> CompleteMultipartUpload(std::string_view b, std::string_view k,
                                                                  std::string_view u,
                                                                  const std::vector<objects::CompletedPart>& p,
                                                                  const objects::ObjectChecksum& e) override {
    return inner_.CompleteMultipartUpload(b, k, u, p, e);
  }
  objects::ObjStatus AbortMultipartUpload(std::string_view b, std::string_view k, std::string_view u) override {
    return inner_.AbortMultipartUpload(b, k, u);
  }
  objects::ObjResult<std::vector<objects::PartInfo>> ListParts(std::string_view b, std::string_view k,
                                                               std::string_view u, int m, int n) override {
    return inner_.ListParts(b, k, u, m, n);
  }
  objects::ObjResult<std::vector<objects::UploadInfo>> ListMultipartUploads(std::string_view b,
                                                                           std::string_view p) override {
    return inner_.ListMultipartUploads(b, p);
  }

 private:
  ObjectStore& inner_;
  std::promise<void> gate_;
  std::shared_future<void> open_;
  std::promise<void> entered_;
  std::atomic<bool> signalled_{false};
};

class ExecutionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = catalog::Catalog::Open(dir_.File("catalog.db")).value();
    std::filesystem::create_directories(dir_.File("data"));
    local_ = objects::LocalObjectStore::Open({.dir = dir_.File("data"), .sync = false}).value();
    ASSERT_TRUE(local_->CreateBucket("lake").ok());
    ASSERT_TRUE(local_->CreateBucket("results").ok());
    ASSERT_TRUE(local_->Put("lake", "t/a", "{\"a\":1}\n{\"a\":2}\n", {}).ok());
    gated_ = std::make_unique<GatedStore>(*local_);
    engine_ = std::make_unique<Engine>(*catalog_, *gated_);
    executions_ = Executions::Open(*engine_, *gated_, *catalog_, clock_).value();
    ASSERT_EQ(Finish(Start("CREATE DATABASE d")).state, QueryState::kSucceeded);
    ASSERT_EQ(Finish(Start("CREATE EXTERNAL TABLE d.t (a int) ROW FORMAT SERDE "
                           "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake/t/'"))
                  .state,
              QueryState::kSucceeded);
  }
  void TearDown() override {
    if (!opened_) gated_->Open();
    executions_.reset();
  }
  std::string Start(const std::string& sql) {
    auto id = executions_->Start({.query = sql, .database = "d", .output_location = "s3://results/x/"});
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : "";
  }
  // Waits for a final state; the pool always gets there once nothing is gated.
  ExecutionInfo Finish(const std::string& id) {
    for (;;) {
      auto info = executions_->Get(id);
      EXPECT_TRUE(info.ok());
      if (!info.ok()) return {};
      if (info->state != QueryState::kQueued && info->state != QueryState::kRunning) return *info;
      std::this_thread::yield();
    }
  }

  catalog::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<objects::LocalObjectStore> local_;
  std::unique_ptr<GatedStore> gated_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Executions> executions_;
  bool opened_ = false;
};

TEST_F(ExecutionsTest, RunningUntilTheScanFinishesThenSucceededWithResultsAndFiles) {
  const std::string id = Start("SELECT sum(a) AS s FROM t");
  gated_->Entered().wait();
  EXPECT_EQ(executions_->Get(id)->state, QueryState::kRunning);
  EXPECT_EQ(executions_->Results(id, "", 10).error().message, "Query has not yet finished. Current state: RUNNING");
  gated_->Open();
  opened_ = true;
  const ExecutionInfo info = Finish(id);
  ASSERT_EQ(info.state, QueryState::kSucceeded) << info.state_change_reason;
  EXPECT_EQ(info.output_location, "s3://results/x/" + id + ".csv");
  EXPECT_EQ(info.bytes_scanned, 16u);
  auto page = executions_->Results(id, "", 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0][0], "s");  // the header row
  auto next = executions_->Results(id, page->next_token, 10);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->rows[0][0], "3");
  EXPECT_TRUE(next->next_token.empty());
  EXPECT_EQ(local_->Get("results", "x/" + id + ".csv", std::nullopt)->data, "\"s\"\n\"3\"\n");
  // Athena's protobuf layout (result_metadata.h): the id, then one ColumnInfo.
  const auto meta = local_->Get("results", "x/" + id + ".csv.metadata", std::nullopt);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->data, EncodeResultMetadata(id, {ColumnInfo{"s", "bigint", 0, 0}}));
  EXPECT_EQ(meta->data.substr(0, 2 + id.size()), std::string("\x0a") + static_cast<char>(id.size()) + id);
}

TEST_F(ExecutionsTest, StopCancelsARunningScan) {
  const std::string id = Start("SELECT count(*) FROM t");
  gated_->Entered().wait();
  ASSERT_TRUE(executions_->Stop(id).ok());
  gated_->Open();
  opened_ = true;
  EXPECT_EQ(Finish(id).state, QueryState::kCancelled);
  EXPECT_NE(executions_->Results(id, "", 10).error().message.find("Final query state: CANCELLED"), std::string::npos);
}

TEST_F(ExecutionsTest, StartRefusesAMissingOrBadOutputLocation) {
  auto r = executions_->Start({.query = "SELECT 1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, QueryErrorType::kInvalidRequest);
  EXPECT_EQ(executions_->Start({.query = "SELECT 1", .output_location = "results/x"}).error().athena_error_code,
            "INVALID_INPUT");
  EXPECT_EQ(executions_->Get("nope").error().message, "QueryExecution nope was not found");
}

TEST_F(ExecutionsTest, FailedStatementKeepsTheReasonAndItsCategory) {
  gated_->Open();
  opened_ = true;
  const ExecutionInfo info = Finish(Start("SELEC 1"));
  EXPECT_EQ(info.state, QueryState::kFailed);
  EXPECT_EQ(info.error_category, 2);
  EXPECT_EQ(info.state_change_reason.substr(0, 9), "line 1:1:");
}

TEST_F(ExecutionsTest, TheSameClientTokenIsTheSameExecution) {
  gated_->Open();
  opened_ = true;
  StartRequest r{.query = "SELECT 1", .database = "d", .output_location = "s3://results/x/",
                 .client_request_token = "0123456789abcdef0123456789abcdef"};
  const auto a = executions_->Start(r);
  const auto b = executions_->Start(r);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(executions_->List("primary").front(), *a);
}

TEST_F(ExecutionsTest, FinishedExecutionsAndTheirResultsSurviveARestart) {
  gated_->Open();
  opened_ = true;
  ASSERT_EQ(Finish(Start("CREATE EXTERNAL TABLE d.m (x decimal(10,2)) ROW FORMAT SERDE "
                         "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake/t/'"))
                .state,
            QueryState::kSucceeded);
  const std::string select = Start("SELECT a, CAST(NULL AS varchar) AS n, 'x,\"y\"' || char(10) || 'z' AS q, '' AS e, "
                                   "m.x FROM t LEFT JOIN m ON 0 ORDER BY a");
  const ExecutionInfo before = Finish(select);
  ASSERT_EQ(before.state, QueryState::kSucceeded) << before.state_change_reason;
  const std::string failed = Start("SELEC 1");
  const ExecutionInfo failed_before = Finish(failed);
  const std::string ddl = Start("SHOW TABLES IN d");
  ASSERT_EQ(Finish(ddl).state, QueryState::kSucceeded);
  const std::vector<std::string> listed = executions_->List("primary");
  const auto page_before = executions_->Results(select, "", 10);
  ASSERT_TRUE(page_before.ok());

  executions_.reset();
  executions_ = Executions::Open(*engine_, *gated_, *catalog_, clock_).value();

  EXPECT_EQ(executions_->List("primary"), listed);
  const auto after = executions_->Get(select);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->state, QueryState::kSucceeded);
  EXPECT_EQ(after->output_location, before.output_location);
  EXPECT_EQ(after->bytes_scanned, before.bytes_scanned);
  EXPECT_EQ(after->statement_type, "DML");
  EXPECT_EQ(after->submitted_ms, before.submitted_ms);
  const auto failed_after = executions_->Get(failed);
  EXPECT_EQ(failed_after->state, QueryState::kFailed);
  EXPECT_EQ(failed_after->state_change_reason, failed_before.state_change_reason);
  EXPECT_EQ(failed_after->error_category, 2);

  const auto page = executions_->Results(select, "", 10);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->rows, page_before->rows);
  ASSERT_EQ(page->rows.size(), 3u);
  EXPECT_EQ(page->rows[1][1], std::nullopt);
  EXPECT_EQ(page->rows[1][2], "x,\"y\"\nz");
  EXPECT_EQ(page->rows[1][3], "");
  ASSERT_EQ(page->columns->size(), 5u);
  EXPECT_EQ(*page->columns, *page_before->columns);
  EXPECT_EQ((*page->columns)[4], (ColumnInfo{"x", "decimal", 10, 2}));
  EXPECT_EQ((*page->columns)[0].name, "a");
  EXPECT_EQ((*page->columns)[0].type, (*page_before->columns)[0].type);
  const auto ddl_page = executions_->Results(ddl, "", 10);
  ASSERT_TRUE(ddl_page.ok()) << ddl_page.error().message;
  ASSERT_EQ(ddl_page->rows.size(), 2u);  // SHOW TABLES: m and t
  EXPECT_EQ(ddl_page->rows[1][0], "t");

  // A result file deleted while the server was down: the execution is known, its rows are not.
  executions_.reset();
  ASSERT_TRUE(local_->Delete("results", "x/" + select + ".csv").ok());
  executions_ = Executions::Open(*engine_, *gated_, *catalog_, clock_).value();
  EXPECT_EQ(executions_->Get(select)->state, QueryState::kSucceeded);
  const auto gone = executions_->Results(select, "", 10);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, QueryErrorType::kInternalServer);
  EXPECT_TRUE(gone.error().message.starts_with("Unable to read query results from s3://results/x/" + select + ".csv"))
      << gone.error().message;
}

TEST_F(ExecutionsTest, AnExecutionRunningWhenTheServerDiedComesBackFailed) {
  const std::string id = Start("SELECT count(*) FROM t");
  gated_->Entered().wait();
  ASSERT_EQ(executions_->Get(id)->state, QueryState::kRunning);
  // What a new process sees after kill -9: the catalog as the dead one left it.
  clock_.Advance(5000);
  auto reopened = Executions::Open(*engine_, *local_, *catalog_, clock_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  const auto info = (*reopened)->Get(id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, QueryState::kFailed);
  EXPECT_EQ(info->error_category, 1);
  EXPECT_TRUE(info->state_change_reason.starts_with(
      "[ErrorCode: INTERNAL_ERROR_QUERY_ENGINE] Amazon Athena experienced an internal error while executing"))
      << info->state_change_reason;
  EXPECT_EQ(info->completed_ms, clock_.NowMillis());
  EXPECT_NE((*reopened)->Results(id, "", 10).error().message.find("Final query state: FAILED"), std::string::npos);
}

TEST(ParseResultCsvTest, ReadsBackWhatCsvFieldWrites) {
  const std::vector<std::optional<std::string>> row = {"a\"b", std::nullopt, "", "1,2\n3"};
  std::string csv;
  for (size_t i = 0; i < row.size(); ++i) csv += (i ? "," : "") + CsvField(row[i]);
  csv += "\n";
  EXPECT_EQ(ParseResultCsv(csv + csv), (std::vector<std::vector<std::optional<std::string>>>{row, row}));
  EXPECT_TRUE(ParseResultCsv("").empty());
}

}  // namespace
}  // namespace sluice::query
