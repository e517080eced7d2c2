#include "catalog/query_executions.h"

#include <gtest/gtest.h>

#include "catalog/testing/test_util.h"

namespace sluice::catalog {
namespace {

using testing::TempDir;

QueryExecutionRow Row(std::string id, int64_t seq, std::string state) {
  return {.id = std::move(id),
          .seq = seq,
          .query = "SELECT 1",
          .database = "default",
          .workgroup = "primary",
          .output_location = "s3://out/q/",
          .statement_type = "DML",
          .state = std::move(state),
          .state_change_reason = "",
          .error_category = 0,
          .submitted_ms = 10 + seq,
          .completed_ms = 0,
          .engine_ms = 0,
          .queued_ms = 0,
          .bytes_scanned = 0,
          .client_request_token = "tok",
          .columns = "_col0\tinteger\n"};
}

TEST(QueryExecutionsStoreTest, RowsSurviveReopenInSubmissionOrderAndReplaceById) {
  TempDir dir;
  {
    auto c = Catalog::Open(dir.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE(PutQueryExecution(**c, Row("b", 2, "QUEUED")).ok());
    ASSERT_TRUE(PutQueryExecution(**c, Row("a", 1, "RUNNING")).ok());
    QueryExecutionRow done = Row("b", 2, "SUCCEEDED");
    done.output_location = "s3://out/q/b.csv";
    done.bytes_scanned = 1234;
    ASSERT_TRUE(PutQueryExecution(**c, done).ok());
    ASSERT_TRUE(PutQueryExecution(**c, Row("c", 3, "FAILED")).ok());
    ASSERT_TRUE(RemoveQueryExecution(**c, "c").ok());
    ASSERT_TRUE(RemoveQueryExecution(**c, "absent").ok());
  }
  auto c = Catalog::Open(dir.File("catalog.db"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto rows = LoadQueryExecutions(**c);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0], Row("a", 1, "RUNNING"));
  EXPECT_EQ((*rows)[1].id, "b");
  EXPECT_EQ((*rows)[1].state, "SUCCEEDED");
  EXPECT_EQ((*rows)[1].output_location, "s3://out/q/b.csv");
  EXPECT_EQ((*rows)[1].bytes_scanned, 1234);
}

}  // namespace
}  // namespace sluice::catalog
