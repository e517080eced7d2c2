// The SQLite virtual-table module "lake": one table per catalog table, scanning the
// objects under its LOCATION (or its registered partitions' locations) through the
// object store. Columns: the data columns, then the partition keys, then the hidden
// "$path". Equality constraints on partition keys prune partitions before anything is
// listed. Objects are fetched, decoded and parsed on the scan pool, `read_ahead` at a
// time, and their rows handed to SQLite in key order.
// Threading: a ScanContext belongs to one connection (one statement at a time); the
// pool jobs it starts are waited for before a cursor closes.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "base/work_pool.h"
#include "catalog/lake.h"
#include "internal/rows.h"
#include "internal/types.h"
#include "objects/object_store.h"

struct sqlite3;

namespace sluice::query {

struct TableBinding {
  catalog::LakeTableRow row;
  std::vector<catalog::LakePartitionRow> partitions;  // registered ones
  RowSpec spec;
  std::vector<ColumnType> partition_types;
};

struct ScanContext {
  objects::ObjectStore* store = nullptr;
  WorkPool* pool = nullptr;
  int read_ahead = 4;
  std::atomic<uint64_t>* bytes_scanned = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  std::vector<TableBinding> tables;
};

// Registers the module on `db`; `ctx` must outlive the connection.
int RegisterLakeModule(sqlite3* db, ScanContext* ctx);

// Builds the binding (column types, key map, SerDe properties) for a catalog table.
TableBinding BindTable(catalog::LakeTableRow row, std::vector<catalog::LakePartitionRow> partitions);

// Splits "s3://bucket/prefix/" into bucket and prefix; false when not s3://.
bool SplitLocation(std::string_view location, std::string& bucket, std::string& prefix);

// Whether a key below a table location is skipped as Athena skips it: a segment of
// `relative` starting with '_' or '.', or a folder marker.
bool IsHiddenKey(std::string_view relative);

}  // namespace sluice::query
