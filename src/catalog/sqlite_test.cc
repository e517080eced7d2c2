#include "catalog/sqlite.h"

#include <gtest/gtest.h>

#include <string>

#include "catalog/testing/test_util.h"

namespace sluice::catalog {
namespace {

using testing::TempDir;

class SqliteTest : public ::testing::Test {
 protected:
  Database OpenDb() {
    Result<Database> db = Database::Open(path_, OpenMode::kReadWriteCreate);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }

  TempDir dir_;
  const std::string path_ = dir_.File("test.db");
};

TEST_F(SqliteTest, BindsAndReadsBackEveryColumnType) {
  Database db = OpenDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n TEXT)").ok());
  Result<Statement> insert = db.Prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  const std::string blob("\0\x01\xff", 3);
  ASSERT_TRUE(insert->BindInt64(1, -(int64_t{1} << 62)).ok());
  ASSERT_TRUE(insert->BindText(2, "héllo").ok());
  ASSERT_TRUE(insert->BindBlob(3, blob).ok());
  ASSERT_TRUE(insert->BindNull(4).ok());
  ASSERT_TRUE(insert->Run().ok());

  Result<Statement> select = db.Prepare("SELECT i, s, b, n FROM t");
  ASSERT_TRUE(select.ok());
  Result<StepResult> row = select->Step();
  ASSERT_TRUE(row.ok());
  ASSERT_EQ(*row, StepResult::kRow);
  EXPECT_EQ(select->ColumnInt64(0), -(int64_t{1} << 62));
  EXPECT_EQ(select->ColumnText(1), "héllo");
  EXPECT_EQ(select->ColumnBlob(2), blob);
  EXPECT_TRUE(select->ColumnIsNull(3));
  EXPECT_FALSE(select->ColumnIsNull(0));
  Result<StepResult> end = select->Step();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, StepResult::kDone);
}

TEST_F(SqliteTest, EmptyBlobIsNotNull) {
  Database db = OpenDb();
  Result<Statement> select = db.Prepare("SELECT ? IS NULL, length(?1)");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(select->BindBlob(1, "").ok());
  ASSERT_EQ(*select->Step(), StepResult::kRow);
  EXPECT_EQ(select->ColumnInt64(0), 0);
  EXPECT_EQ(select->ColumnInt64(1), 0);
}

TEST_F(SqliteTest, ResetAllowsRunningAgainWithNewBindings) {
  Database db = OpenDb();
  Result<Statement> square = db.Prepare("SELECT ? * ?1");
  ASSERT_TRUE(square.ok());
  for (int64_t x : {3, 7}) {
    ASSERT_TRUE(square->BindInt64(1, x).ok());
    ASSERT_EQ(*square->Step(), StepResult::kRow);
    EXPECT_EQ(square->ColumnInt64(0), x * x);
    square->Reset();
  }
  // Reset cleared the binding, so the parameter is NULL.
  ASSERT_EQ(*square->Step(), StepResult::kRow);
  EXPECT_TRUE(square->ColumnIsNull(0));
}

TEST_F(SqliteTest, PrepareErrorNamesFileAndSqliteMessage) {
  Database db = OpenDb();
  Result<Statement> bad = db.Prepare("SELECT * FROM no_such_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
  EXPECT_NE(bad.status().message().find(path_), std::string::npos) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("no such table: no_such_table"), std::string::npos)
      << bad.status().ToString();
}

TEST_F(SqliteTest, PrepareRefusesASecondStatement) {
  Database db = OpenDb();
  EXPECT_EQ(db.Prepare("SELECT 1; SELECT 2").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(db.Prepare("SELECT 1; ").ok());
}

TEST_F(SqliteTest, UniqueViolationIsAlreadyExists) {
  Database db = OpenDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (k TEXT PRIMARY KEY); INSERT INTO t VALUES ('a')").ok());
  const Status st = db.Exec("INSERT INTO t VALUES ('a')");
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
  EXPECT_NE(st.message().find("UNIQUE constraint failed"), std::string::npos) << st.ToString();
}

TEST_F(SqliteTest, OpenInMissingDirectoryFailsNamingThePath) {
  const std::string missing = dir_.File("no/such/dir/test.db");
  Result<Database> db = Database::Open(missing, OpenMode::kReadWriteCreate);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kIOError);
  EXPECT_NE(db.status().message().find(missing), std::string::npos) << db.status().ToString();
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  Database db = OpenDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (x INTEGER)").ok());
  {
    Result<Transaction> txn = Transaction::Begin(db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (1)").ok());
    EXPECT_FALSE(db.InAutocommit());
  }  // dropped without Commit
  EXPECT_TRUE(db.InAutocommit());
  {
    Result<Transaction> txn = Transaction::Begin(db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  Result<Statement> sum = db.Prepare("SELECT coalesce(sum(x), 0) FROM t");
  ASSERT_TRUE(sum.ok());
  ASSERT_EQ(*sum->Step(), StepResult::kRow);
  EXPECT_EQ(sum->ColumnInt64(0), 2);
}

TEST_F(SqliteTest, SecondWriterGivesUpAsUnavailableAfterBusyTimeout) {
  Database first = OpenDb();
  Database second = OpenDb();
  ASSERT_TRUE(second.SetBusyTimeout(std::chrono::milliseconds(10)).ok());
  Result<Transaction> holding = Transaction::Begin(first);
  ASSERT_TRUE(holding.ok());
  Result<Transaction> waiting = Transaction::Begin(second);
  ASSERT_FALSE(waiting.ok());
  EXPECT_EQ(waiting.status().code(), StatusCode::kUnavailable) << waiting.status().ToString();
}

}  // namespace
}  // namespace sluice::catalog
