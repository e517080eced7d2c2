// The catalog schema as an ordered list of migrations, and the code that applies them.
//
// To change the schema, append one entry to the list in migrations.cc:
//   {2, "streams and shards", kStreamsAndShards},
// with the next version number and its SQL beside it. Never edit or reorder an entry that
// has shipped: files in the field already carry it. docs/formats/catalog.md describes the
// tables each version creates; update it in the same change.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/status.h"
#include "catalog/sqlite.h"

namespace sluice::catalog {

struct Migration {
  int64_t version;               // 1, 2, 3, ... with no gaps
  std::string_view description;  // recorded in schema_version; shown in errors
  std::string_view sql;          // one or more statements, run in one transaction
};

// The schema history of this build, oldest first. Its last version is the newest schema
// this build can read.
std::span<const Migration> CatalogMigrations();

// Fails InvalidArgument unless versions run 1, 2, ... N in order.
Status ValidateMigrations(std::span<const Migration> migrations);

// The highest applied migration: 0 for an empty database. Only reads, so it is safe on a
// file that turns out to be too new or not a catalog at all: a file that is not SQLite
// fails Corruption, an SQLite file without a schema_version table fails
// FailedPrecondition.
Result<int64_t> ReadSchemaVersion(Database& db);

// Applies every migration above the file's version, in order, each in its own
// transaction together with its schema_version row, so a failure leaves the file at the
// previous version. Runs with foreign keys off (SQLite cannot toggle them inside a
// transaction, and table rebuilds need them off) and checks them before each commit;
// turns them on before returning. Returns the version reached.
Result<int64_t> ApplyMigrations(Database& db, std::span<const Migration> migrations);

}  // namespace sluice::catalog
