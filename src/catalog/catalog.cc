#include "catalog/catalog.h"

#include <utility>

namespace sluice::catalog {
namespace {

Status EnableWal(Database& db) {
  // WAL lets the CLI read while the server writes, and makes a commit one append + fsync.
  ASSIGN_OR_RETURN(Statement pragma, db.Prepare("PRAGMA journal_mode = WAL"));
  ASSIGN_OR_RETURN(const StepResult r, pragma.Step());
  const std::string mode = r == StepResult::kRow ? pragma.ColumnText(0) : "";
  if (mode != "wal") {
    return Status::IOError(db.path() + ": cannot switch to WAL journal mode (still '" + mode +
                           "'); is it on a file system without shared memory support?");
  }
  return Status::OK();
}

Result<std::string> ReadMeta(Database& db, std::string_view key) {
  ASSIGN_OR_RETURN(Statement get, db.Prepare("SELECT value FROM meta WHERE key = ?"));
  RETURN_IF_ERROR(get.BindText(1, key));
  ASSIGN_OR_RETURN(const StepResult r, get.Step());
  if (r == StepResult::kDone) {
    return Status::NotFound(db.path() + ": no meta value '" + std::string(key) + "'");
  }
  return get.ColumnText(0);
}

// What Open learns before it constructs the Catalog.
struct Opened {
  Database db;
  std::string server_id;
  int64_t schema_version;
};

Result<Opened> OpenAndMigrate(const std::string& path, std::span<const Migration> migrations) {
  RETURN_IF_ERROR(ValidateMigrations(migrations));
  const int64_t newest = migrations.back().version;

  ASSIGN_OR_RETURN(Database db, Database::Open(path, OpenMode::kReadWriteCreate));
  RETURN_IF_ERROR(db.SetBusyTimeout(Catalog::kBusyTimeout));

  // Nothing so far has written to the file. Decide whether we may, before the journal
  // mode switch or a migration does: a newer build's file, or someone else's database,
  // must be left exactly as it was.
  ASSIGN_OR_RETURN(const int64_t found, ReadSchemaVersion(db));
  if (found > newest) {
    return Status::NotSupported(path + ": schema version " + std::to_string(found) +
                                " is newer than this build supports (" +
                                std::to_string(newest) + "); upgrade sluice to open it");
  }
  if (db.IsReadOnly()) return Status::IOError(path + ": file is read-only");

  RETURN_IF_ERROR(EnableWal(db));
  RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));  // per connection, not stored
  ASSIGN_OR_RETURN(const int64_t version, ApplyMigrations(db, migrations));
  ASSIGN_OR_RETURN(std::string server_id, ReadMeta(db, kMetaServerId));
  return Opened{std::move(db), std::move(server_id), version};
}

}  // namespace

Catalog::Catalog(PassKey, Database db, std::string server_id, int64_t schema_version)
    : db_(std::move(db)),
      path_(db_.path()),
      server_id_(std::move(server_id)),
      schema_version_(schema_version) {}

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path) {
  return Open(path, CatalogMigrations());
}

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path,
                                               std::span<const Migration> migrations) {
  Result<Opened> opened = OpenAndMigrate(path, migrations);
  if (!opened.ok()) return opened.status().WithContext("open catalog");
  return std::make_unique<Catalog>(PassKey(), std::move(opened->db), std::move(opened->server_id),
                                   opened->schema_version);
}

Result<std::string> Catalog::GetMeta(std::string_view key) const {
  const MutexLock lock(mu_);
  return ReadMeta(db_, key);
}

Status Catalog::SetMeta(std::string_view key, std::string_view value) {
  const MutexLock lock(mu_);
  ASSIGN_OR_RETURN(Statement set,
                   db_.Prepare("INSERT INTO meta (key, value) VALUES (?, ?) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  RETURN_IF_ERROR(set.BindText(1, key));
  RETURN_IF_ERROR(set.BindText(2, value));
  return set.Run();
}

}  // namespace sluice::catalog
