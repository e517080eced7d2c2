#include "catalog/migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/testing/test_util.h"

namespace sluice::catalog {
namespace {

using testing::TempDir;

// The real first migration; test lists build on it because Catalog needs its tables.
Migration V1() { return CatalogMigrations()[0]; }

class MigrationsTest : public ::testing::Test {
 protected:
  // Runs `sql` on a separate connection and returns the first column of the first row.
  int64_t QueryInt64(const std::string& sql) {
    Result<Database> db = Database::Open(path_, OpenMode::kReadOnly);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    Result<Statement> stmt = db->Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    Result<StepResult> row = stmt->Step();
    EXPECT_TRUE(row.ok() && *row == StepResult::kRow) << sql;
    return stmt->ColumnInt64(0);
  }

  TempDir dir_;
  const std::string path_ = dir_.File("catalog.db");
};

TEST(ValidateMigrations, AcceptsTheBuiltInList) {
  EXPECT_TRUE(ValidateMigrations(CatalogMigrations()).ok());
}

TEST(ValidateMigrations, RejectsGapsDuplicatesAndEmptyLists) {
  const std::vector<Migration> gap = {V1(), {3, "three", "SELECT 1"}};
  const std::vector<Migration> duplicate = {V1(), {1, "one again", "SELECT 1"}};
  EXPECT_EQ(ValidateMigrations(gap).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMigrations(duplicate).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMigrations({}).code(), StatusCode::kInvalidArgument);
}

TEST_F(MigrationsTest, EmptyDatabaseIsVersionZero) {
  Result<Database> db = Database::Open(path_, OpenMode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  Result<int64_t> version = ReadSchemaVersion(*db);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 0);
}

TEST_F(MigrationsTest, RunInOrderEachRecordedOnce) {
  // 3 only works after 2: order matters.
  const std::vector<Migration> list = {
      V1(),
      {2, "create t", "CREATE TABLE t (x INTEGER NOT NULL)"},
      {3, "seed t", "INSERT INTO t VALUES (30); INSERT INTO t VALUES (31)"},
  };
  {
    Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path_, list);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    EXPECT_EQ((*catalog)->schema_version(), 3);
  }
  EXPECT_EQ(QueryInt64("SELECT count(*) FROM t"), 2);
  EXPECT_EQ(QueryInt64("SELECT group_concat(version, '') FROM "
                       "(SELECT version FROM schema_version ORDER BY version)"),
            123);
  EXPECT_EQ(QueryInt64("SELECT count(*) FROM schema_version WHERE description = 'seed t'"), 1);
}

TEST_F(MigrationsTest, ReopeningWithALongerListRunsOnlyTheNewOnes) {
  std::vector<Migration> list = {V1(), {2, "create t", "CREATE TABLE t (x INTEGER)"}};
  ASSERT_TRUE(Catalog::Open(path_, list).ok());
  // Re-running 2 would fail (table t exists); 3 must run exactly once.
  list.push_back({3, "seed t", "INSERT INTO t VALUES (3)"});
  {
    Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path_, list);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    EXPECT_EQ((*catalog)->schema_version(), 3);
  }
  ASSERT_TRUE(Catalog::Open(path_, list).ok());
  EXPECT_EQ(QueryInt64("SELECT count(*) FROM t"), 1);
}

TEST_F(MigrationsTest, FailingMigrationRollsBackToThePreviousVersion) {
  const std::vector<Migration> good = {V1(), {2, "create t", "CREATE TABLE t (x INTEGER)"}};
  std::vector<Migration> bad = good;
  // The first statement succeeds; the second fails, so the first must be undone too.
  bad.push_back({3, "half done", "CREATE TABLE u (y INTEGER); INSERT INTO no_such VALUES (1)"});

  Result<std::unique_ptr<Catalog>> failed = Catalog::Open(path_, bad);
  ASSERT_FALSE(failed.ok());
  const std::string message = failed.status().message();
  EXPECT_NE(message.find("migration 3 (half done)"), std::string::npos) << message;
  EXPECT_NE(message.find(path_), std::string::npos) << message;
  EXPECT_NE(message.find("no such table: no_such"), std::string::npos) << message;

  EXPECT_EQ(QueryInt64("SELECT max(version) FROM schema_version"), 2);
  EXPECT_EQ(QueryInt64("SELECT count(*) FROM sqlite_schema WHERE name = 'u'"), 0);
  Result<std::unique_ptr<Catalog>> reopened = Catalog::Open(path_, good);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->schema_version(), 2);
}

TEST_F(MigrationsTest, MigrationLeavingAForeignKeyViolationIsRolledBack) {
  const std::vector<Migration> list = {
      V1(),
      {2, "orphan", "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                    "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id));"
                    "INSERT INTO child VALUES (7)"},
  };
  Result<std::unique_ptr<Catalog>> failed = Catalog::Open(path_, list);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(failed.status().message().find("foreign key"), std::string::npos)
      << failed.status().ToString();
  EXPECT_EQ(QueryInt64("SELECT max(version) FROM schema_version"), 1);
}

TEST_F(MigrationsTest, ApplyMigrationsLeavesForeignKeysOn) {
  const std::vector<Migration> list = {
      V1(),
      {2, "parent and child", "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                              "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id))"},
  };
  ASSERT_TRUE(Catalog::Open(path_, list).ok());
  Result<Database> db = Database::Open(path_, OpenMode::kReadWrite);
  ASSERT_TRUE(db.ok());
  Result<int64_t> version = ApplyMigrations(*db, list);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  const Status st = db->Exec("INSERT INTO child VALUES (7)");
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
}

}  // namespace
}  // namespace sluice::catalog
