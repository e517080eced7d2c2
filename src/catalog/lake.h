// The catalog's query tables: the Hive/Athena databases, external tables (columns,
// partition keys, location, SerDe and table properties) and registered partitions the
// `query` module reads the lake through. Names are stored lower-case, as Hive keeps
// them. Every mutation is one SQLite transaction, durable when the call returns.
// Threading: as Catalog (calls are serialized by its lock).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"

namespace sluice::catalog {

using LakeProperties = std::vector<std::pair<std::string, std::string>>;

struct LakeColumn {
  std::string name;  // lower-case
  std::string type;  // Hive type text, lower-case: "string", "array<struct<a:int>>"
  bool operator==(const LakeColumn&) const = default;
};

struct LakeTableRow {
  std::string database;
  std::string name;
  std::vector<LakeColumn> columns;
  std::vector<LakeColumn> partition_keys;
  std::string location;  // s3://bucket/prefix/
  std::string serde;     // the SerDe class name
  LakeProperties serde_properties;
  LakeProperties table_properties;
  int64_t created_ms = 0;
};

struct LakePartitionRow {
  std::vector<std::string> values;  // one per partition key, in key order
  std::string location;             // s3://bucket/prefix/k=v/
};

// AlreadyExists when the database is there.
Status InsertLakeDatabase(Catalog& catalog, const std::string& name, int64_t created_ms);
// Removes the database with its tables and partitions; NotFound when absent.
Status RemoveLakeDatabase(Catalog& catalog, const std::string& name);
// Databases by name.
Result<std::vector<std::string>> ListLakeDatabases(Catalog& catalog);
// AlreadyExists when the table is there; NotFound when its database is not.
Status InsertLakeTable(Catalog& catalog, const LakeTableRow& table);
// Removes the table and its partitions; NotFound when absent.
Status RemoveLakeTable(Catalog& catalog, const std::string& database, const std::string& name);
// Every table of `database` (by name), with columns and properties; empty when none.
Result<std::vector<LakeTableRow>> LoadLakeTables(Catalog& catalog, const std::string& database);
// Adds the partitions not yet registered (by values); returns how many were added.
Result<int64_t> AddLakePartitions(Catalog& catalog, const std::string& database,
                                  const std::string& table,
                                  const std::vector<LakePartitionRow>& partitions);
// The table's partitions, ordered by location.
Result<std::vector<LakePartitionRow>> LoadLakePartitions(Catalog& catalog, const std::string& database,
                                                         const std::string& table);

}  // namespace sluice::catalog
