#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "catalog/testing/test_util.h"

namespace sluice::catalog {
namespace {

using testing::ReadAll;
using testing::TempDir;
using testing::WriteAll;

namespace fs = std::filesystem;

int64_t LatestVersion() { return CatalogMigrations().back().version; }

// Everything about a directory that opening a file in it could change.
struct DirSnapshot {
  std::set<std::string> names;
  std::string bytes;
  fs::file_time_type mtime;
  bool operator==(const DirSnapshot&) const = default;
};

class CatalogTest : public ::testing::Test {
 protected:
  // Backdates the file first, so a write in the same clock tick still shows as a change.
  DirSnapshot Snapshot(bool backdate) {
    if (backdate) fs::last_write_time(path_, fs::file_time_type::clock::now() - std::chrono::hours(1));
    DirSnapshot s;
    for (const fs::directory_entry& e : fs::directory_iterator(dir_.path())) {
      s.names.insert(e.path().filename().string());
    }
    s.bytes = ReadAll(path_);
    s.mtime = fs::last_write_time(path_);
    return s;
  }

  std::unique_ptr<Catalog> OpenOk() {
    Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path_);
    EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
    return catalog.ok() ? std::move(catalog).value() : nullptr;
  }

  // Runs `sql` on a separate connection and returns the first column of the first row.
  std::string QueryText(const std::string& sql) {
    Result<Database> db = Database::Open(path_, OpenMode::kReadWrite);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    Result<Statement> stmt = db->Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    Result<StepResult> row = stmt->Step();
    EXPECT_TRUE(row.ok() && *row == StepResult::kRow) << sql;
    return stmt->ColumnText(0);
  }

  TempDir dir_;
  const std::string path_ = dir_.File("catalog.db");
};

TEST_F(CatalogTest, FreshCatalogIsAtTheLatestVersion) {
  std::unique_ptr<Catalog> catalog = OpenOk();
  ASSERT_NE(catalog, nullptr);
  EXPECT_EQ(catalog->schema_version(), LatestVersion());
  EXPECT_EQ(catalog->path(), path_);
  EXPECT_EQ(QueryText("SELECT max(version) FROM schema_version"), std::to_string(LatestVersion()));
}

TEST_F(CatalogTest, FreshCatalogHasARandomServerIdAndCreationTime) {
  std::unique_ptr<Catalog> catalog = OpenOk();
  ASSERT_NE(catalog, nullptr);
  EXPECT_EQ(catalog->server_id().size(), 32u);
  EXPECT_EQ(catalog->server_id().find_first_not_of("0123456789abcdef"), std::string::npos)
      << catalog->server_id();
  Result<std::string> server_id = catalog->GetMeta(kMetaServerId);
  ASSERT_TRUE(server_id.ok());
  EXPECT_EQ(*server_id, catalog->server_id());

  Result<std::string> created = catalog->GetMeta(kMetaCreatedAtMs);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const int64_t created_ms = std::stoll(*created);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  EXPECT_LE(created_ms, now_ms);
  EXPECT_GT(created_ms, now_ms - 60'000);

  TempDir other_dir;
  Result<std::unique_ptr<Catalog>> other = Catalog::Open(other_dir.File("catalog.db"));
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->server_id(), catalog->server_id());
}

TEST_F(CatalogTest, ReopenIsIdempotentAndKeepsMetaValues) {
  std::string server_id;
  std::string created;
  {
    std::unique_ptr<Catalog> catalog = OpenOk();
    ASSERT_NE(catalog, nullptr);
    server_id = catalog->server_id();
    created = *catalog->GetMeta(kMetaCreatedAtMs);
  }
  for (int i = 0; i < 2; ++i) {
    std::unique_ptr<Catalog> catalog = OpenOk();
    ASSERT_NE(catalog, nullptr);
    EXPECT_EQ(catalog->schema_version(), LatestVersion());
    EXPECT_EQ(catalog->server_id(), server_id);
    EXPECT_EQ(*catalog->GetMeta(kMetaCreatedAtMs), created);
  }
  EXPECT_EQ(QueryText("SELECT count(*) FROM schema_version"), std::to_string(LatestVersion()));
}

TEST_F(CatalogTest, MetaValuesSurviveCloseAndReopen) {
  {
    std::unique_ptr<Catalog> catalog = OpenOk();
    ASSERT_NE(catalog, nullptr);
    ASSERT_TRUE(catalog->SetMeta("color", "blue").ok());
    ASSERT_TRUE(catalog->SetMeta("color", "green").ok());  // replaces
    ASSERT_TRUE(catalog->SetMeta("empty", "").ok());
  }
  std::unique_ptr<Catalog> catalog = OpenOk();
  ASSERT_NE(catalog, nullptr);
  EXPECT_EQ(*catalog->GetMeta("color"), "green");
  EXPECT_EQ(*catalog->GetMeta("empty"), "");
}

TEST_F(CatalogTest, MissingMetaKeyIsNotFound) {
  std::unique_ptr<Catalog> catalog = OpenOk();
  ASSERT_NE(catalog, nullptr);
  EXPECT_EQ(catalog->GetMeta("never-set").status().code(), StatusCode::kNotFound);
}

TEST_F(CatalogTest, FileIsInWalMode) {
  std::unique_ptr<Catalog> catalog = OpenOk();
  ASSERT_NE(catalog, nullptr);
  // journal_mode=WAL is stored in the file, so a second connection sees it.
  EXPECT_EQ(QueryText("PRAGMA journal_mode"), "wal");
}

TEST_F(CatalogTest, NewerSchemaVersionIsRejectedAndFileLeftUnmodified) {
  OpenOk();
  const int64_t future = LatestVersion() + 1;
  QueryText("INSERT INTO schema_version VALUES (" + std::to_string(future) +
            ", 'from the future', 0) RETURNING version");
  const DirSnapshot before = Snapshot(/*backdate=*/true);

  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path_);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), StatusCode::kNotSupported);
  const std::string& message = catalog.status().message();
  EXPECT_NE(message.find(path_), std::string::npos) << message;
  EXPECT_NE(message.find("schema version " + std::to_string(future)), std::string::npos)
      << message;
  EXPECT_NE(message.find("(" + std::to_string(LatestVersion()) + ")"), std::string::npos)
      << message;
  EXPECT_TRUE(Snapshot(/*backdate=*/false) == before);
}

TEST_F(CatalogTest, NewerVersionInRollbackJournalModeIsNotSwitchedToWal) {
  {
    Result<Database> db = Database::Open(path_, OpenMode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                         "description TEXT, applied_at_ms INTEGER);"
                         "INSERT INTO schema_version VALUES (1000, 'far future', 0)")
                    .ok());
  }
  const DirSnapshot before = Snapshot(/*backdate=*/true);
  EXPECT_EQ(Catalog::Open(path_).status().code(), StatusCode::kNotSupported);
  EXPECT_TRUE(Snapshot(/*backdate=*/false) == before);
  EXPECT_EQ(QueryText("PRAGMA journal_mode"), "delete");
}

TEST_F(CatalogTest, GarbageFileIsRejectedAndLeftUnmodified) {
  std::string garbage;
  for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<char>(i * 31 + 7));
  WriteAll(path_, garbage);
  const DirSnapshot before = Snapshot(/*backdate=*/true);

  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path_);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), StatusCode::kCorruption);
  EXPECT_NE(catalog.status().message().find(path_), std::string::npos)
      << catalog.status().ToString();
  EXPECT_NE(catalog.status().message().find("not an SQLite database"), std::string::npos)
      << catalog.status().ToString();
  EXPECT_TRUE(Snapshot(/*backdate=*/false) == before);
}

TEST_F(CatalogTest, ForeignSqliteDatabaseIsRejectedAndLeftUnmodified) {
  {
    Result<Database> db = Database::Open(path_, OpenMode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE photos (id INTEGER PRIMARY KEY)").ok());
  }
  const DirSnapshot before = Snapshot(/*backdate=*/true);
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path_);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(catalog.status().message().find("not a sluice catalog"), std::string::npos)
      << catalog.status().ToString();
  EXPECT_TRUE(Snapshot(/*backdate=*/false) == before);
}

TEST_F(CatalogTest, MissingDirectoryIsAnIOErrorNamingThePath) {
  const std::string missing = dir_.File("missing/catalog.db");
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(missing);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), StatusCode::kIOError);
  EXPECT_NE(catalog.status().message().find(missing), std::string::npos)
      << catalog.status().ToString();
  EXPECT_FALSE(fs::exists(dir_.path() / "missing"));
}

TEST_F(CatalogTest, DirectoryInPlaceOfTheFileIsAnIOErrorNamingThePath) {
  fs::create_directory(path_);
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path_);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), StatusCode::kIOError);
  EXPECT_NE(catalog.status().message().find(path_), std::string::npos)
      << catalog.status().ToString();
}

TEST_F(CatalogTest, ConcurrentMetaWritesFromManyThreadsAllLand) {
  std::unique_ptr<Catalog> catalog = OpenOk();
  ASSERT_NE(catalog, nullptr);
  constexpr int kThreads = 4;
  constexpr int kWritesPerThread = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&catalog, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        const std::string key = "k" + std::to_string(t) + "." + std::to_string(i);
        EXPECT_TRUE(catalog->SetMeta(key, key).ok());
        EXPECT_EQ(*catalog->GetMeta(key), key);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(QueryText("SELECT count(*) FROM meta WHERE key LIKE 'k%'"),
            std::to_string(kThreads * kWritesPerThread));
}

}  // namespace
}  // namespace sluice::catalog
