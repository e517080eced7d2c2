// The Hive/Athena DDL the query module answers itself (CREATE/DROP DATABASE, CREATE
// EXTERNAL TABLE, DROP TABLE, SHOW, DESCRIBE, MSCK REPAIR TABLE), parsed by hand in one
// linear pass; anything that starts with SELECT or WITH is left to SQLite.
// Errors carry the position as Hive's parser words them:
//   "line 1:7: mismatched input 'TABEL'. Expecting: 'TABLE'"  (line and column 1-based).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/status.h"
#include "catalog/lake.h"
#include "query/query.h"

namespace sluice::query {

struct QualifiedName {
  std::string database;  // empty: the query's default database
  std::string name;
};

struct CreateDatabase {
  std::string name;
  bool if_not_exists = false;
};
struct DropDatabase {
  std::string name;
  bool if_exists = false;
  bool cascade = false;
};
struct CreateTable {
  QualifiedName table;
  bool if_not_exists = false;
  catalog::LakeTableRow row;  // database left to resolve; created_ms unset
};
struct DropTable {
  QualifiedName table;
  bool if_exists = false;
};
struct ShowDatabases {
  std::string like;  // empty: all; else a Hive pattern ('*' any, '|' or)
};
struct ShowTables {
  std::string database;  // empty: the default database
  std::string like;
};
struct Describe {
  QualifiedName table;
};
struct RepairTable {
  QualifiedName table;
};
// ALTER TABLE t ADD [IF NOT EXISTS] PARTITION (k='v', ...) [LOCATION '...'] ...
struct AddPartitions {
  QualifiedName table;
  bool if_not_exists = false;
  struct Spec {
    std::vector<std::pair<std::string, std::string>> values;  // key (lower-case), value
    std::string location;                                      // empty: under the table's
  };
  std::vector<Spec> partitions;
};
struct SelectStatement {
  std::string sql;
};

using Statement = std::variant<CreateDatabase, DropDatabase, CreateTable, DropTable, ShowDatabases,
                               ShowTables, Describe, RepairTable, AddPartitions, SelectStatement>;

// Parses one statement (a trailing ';' allowed). InvalidArgument with the position on
// bad input; NotSupported (with the position) for DDL this build refuses, e.g. another
// SerDe or file format.
Result<Statement> ParseStatement(std::string_view sql);

// The JSON SerDes tables may name.
inline constexpr std::string_view kOpenxJsonSerde = "org.openx.data.jsonserde.JsonSerDe";
inline constexpr std::string_view kHiveJsonSerde = "org.apache.hive.hcatalog.data.JsonSerDe";

}  // namespace sluice::query
