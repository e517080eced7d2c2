#include "catalog/lake.h"

namespace sluice::catalog {
namespace {

// Column kinds in lake_columns.
constexpr int64_t kDataColumn = 0;
constexpr int64_t kPartitionKey = 1;
// Property kinds in lake_properties.
constexpr int64_t kSerdeProperty = 0;
constexpr int64_t kTableProperty = 1;

Status Exists(Database& db, std::string_view sql, const std::string& a, const std::string& b,
              bool& found) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
  RETURN_IF_ERROR(st.BindText(1, a));
  if (!b.empty()) RETURN_IF_ERROR(st.BindText(2, b));
  ASSIGN_OR_RETURN(const StepResult r, st.Step());
  found = r == StepResult::kRow;
  return Status::OK();
}

Status InsertColumns(Database& db, const LakeTableRow& t, int64_t kind,
                     const std::vector<LakeColumn>& columns) {
  ASSIGN_OR_RETURN(Statement ins, db.Prepare("INSERT INTO lake_columns (database, table_name, kind, "
                                             "position, name, type) VALUES (?, ?, ?, ?, ?, ?)"));
  int64_t position = 0;
  for (const LakeColumn& c : columns) {
    RETURN_IF_ERROR(ins.BindText(1, t.database));
    RETURN_IF_ERROR(ins.BindText(2, t.name));
    RETURN_IF_ERROR(ins.BindInt64(3, kind));
    RETURN_IF_ERROR(ins.BindInt64(4, position++));
    RETURN_IF_ERROR(ins.BindText(5, c.name));
    RETURN_IF_ERROR(ins.BindText(6, c.type));
    RETURN_IF_ERROR(ins.Run());
    ins.Reset();
  }
  return Status::OK();
}

Status InsertProperties(Database& db, const LakeTableRow& t, int64_t kind, const LakeProperties& props) {
  ASSIGN_OR_RETURN(Statement ins, db.Prepare("INSERT OR REPLACE INTO lake_properties (database, "
                                             "table_name, kind, key, value) VALUES (?, ?, ?, ?, ?)"));
  for (const auto& [key, value] : props) {
    RETURN_IF_ERROR(ins.BindText(1, t.database));
    RETURN_IF_ERROR(ins.BindText(2, t.name));
    RETURN_IF_ERROR(ins.BindInt64(3, kind));
    RETURN_IF_ERROR(ins.BindText(4, key));
    RETURN_IF_ERROR(ins.BindText(5, value));
    RETURN_IF_ERROR(ins.Run());
    ins.Reset();
  }
  return Status::OK();
}

Status LoadDetails(Database& db, LakeTableRow& t) {
  ASSIGN_OR_RETURN(Statement cols, db.Prepare("SELECT kind, name, type FROM lake_columns WHERE "
                                              "database = ? AND table_name = ? ORDER BY kind, position"));
  RETURN_IF_ERROR(cols.BindText(1, t.database));
  RETURN_IF_ERROR(cols.BindText(2, t.name));
  for (;;) {
    ASSIGN_OR_RETURN(const StepResult r, cols.Step());
    if (r == StepResult::kDone) break;
    LakeColumn c{cols.ColumnText(1), cols.ColumnText(2)};
    (cols.ColumnInt64(0) == kPartitionKey ? t.partition_keys : t.columns).push_back(std::move(c));
  }
  ASSIGN_OR_RETURN(Statement props, db.Prepare("SELECT kind, key, value FROM lake_properties WHERE "
                                               "database = ? AND table_name = ? ORDER BY kind, key"));
  RETURN_IF_ERROR(props.BindText(1, t.database));
  RETURN_IF_ERROR(props.BindText(2, t.name));
  for (;;) {
    ASSIGN_OR_RETURN(const StepResult r, props.Step());
    if (r == StepResult::kDone) break;
    (props.ColumnInt64(0) == kSerdeProperty ? t.serde_properties : t.table_properties)
        .emplace_back(props.ColumnText(1), props.ColumnText(2));
  }
  return Status::OK();
}

}  // namespace

Status InsertLakeDatabase(Catalog& catalog, const std::string& name, int64_t created_ms) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement ins, db.Prepare("INSERT INTO lake_databases (name, created_ms) VALUES (?, ?)"));
    RETURN_IF_ERROR(ins.BindText(1, name));
    RETURN_IF_ERROR(ins.BindInt64(2, created_ms));
    return ins.Run();
  });
}

Status RemoveLakeDatabase(Catalog& catalog, const std::string& name) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    bool found = false;
    RETURN_IF_ERROR(Exists(db, "SELECT 1 FROM lake_databases WHERE name = ?", name, "", found));
    if (!found) return Status::NotFound("database " + name);
    ASSIGN_OR_RETURN(Statement del, db.Prepare("DELETE FROM lake_databases WHERE name = ?"));
    RETURN_IF_ERROR(del.BindText(1, name));
    RETURN_IF_ERROR(del.Run());
    return txn.Commit();
  });
}

Result<std::vector<std::string>> ListLakeDatabases(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT name FROM lake_databases ORDER BY name"));
    std::vector<std::string> out;
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, st.Step());
      if (r == StepResult::kDone) return out;
      out.push_back(st.ColumnText(0));
    }
  });
}

Status InsertLakeTable(Catalog& catalog, const LakeTableRow& t) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    bool found = false;
    RETURN_IF_ERROR(Exists(db, "SELECT 1 FROM lake_databases WHERE name = ?", t.database, "", found));
    if (!found) return Status::NotFound("database " + t.database);
    ASSIGN_OR_RETURN(Statement ins, db.Prepare("INSERT INTO lake_tables (database, name, location, "
                                               "serde, created_ms) VALUES (?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(ins.BindText(1, t.database));
    RETURN_IF_ERROR(ins.BindText(2, t.name));
    RETURN_IF_ERROR(ins.BindText(3, t.location));
    RETURN_IF_ERROR(ins.BindText(4, t.serde));
    RETURN_IF_ERROR(ins.BindInt64(5, t.created_ms));
    RETURN_IF_ERROR(ins.Run());
    RETURN_IF_ERROR(InsertColumns(db, t, kDataColumn, t.columns));
    RETURN_IF_ERROR(InsertColumns(db, t, kPartitionKey, t.partition_keys));
    RETURN_IF_ERROR(InsertProperties(db, t, kSerdeProperty, t.serde_properties));
    RETURN_IF_ERROR(InsertProperties(db, t, kTableProperty, t.table_properties));
    return txn.Commit();
  });
}

Status RemoveLakeTable(Catalog& catalog, const std::string& database, const std::string& name) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    bool found = false;
    RETURN_IF_ERROR(Exists(db, "SELECT 1 FROM lake_tables WHERE database = ? AND name = ?", database,
                           name, found));
    if (!found) return Status::NotFound("table " + database + "." + name);
    ASSIGN_OR_RETURN(Statement del, db.Prepare("DELETE FROM lake_tables WHERE database = ? AND name = ?"));
    RETURN_IF_ERROR(del.BindText(1, database));
    RETURN_IF_ERROR(del.BindText(2, name));
    RETURN_IF_ERROR(del.Run());
    return txn.Commit();
  });
}

Result<std::vector<LakeTableRow>> LoadLakeTables(Catalog& catalog, const std::string& database) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<LakeTableRow>> {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT name, location, serde, created_ms FROM "
                                              "lake_tables WHERE database = ? ORDER BY name"));
    RETURN_IF_ERROR(st.BindText(1, database));
    std::vector<LakeTableRow> out;
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, st.Step());
      if (r == StepResult::kDone) break;
      LakeTableRow t;
      t.database = database;
      t.name = st.ColumnText(0);
      t.location = st.ColumnText(1);
      t.serde = st.ColumnText(2);
      t.created_ms = st.ColumnInt64(3);
      out.push_back(std::move(t));
    }
    for (LakeTableRow& t : out) RETURN_IF_ERROR(LoadDetails(db, t));
    return out;
  });
}

Result<int64_t> AddLakePartitions(Catalog& catalog, const std::string& database, const std::string& table,
                                  const std::vector<LakePartitionRow>& partitions) {
  return catalog.WithDatabase([&](Database& db) -> Result<int64_t> {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    bool found = false;
    RETURN_IF_ERROR(Exists(db, "SELECT 1 FROM lake_tables WHERE database = ? AND name = ?", database,
                           table, found));
    if (!found) return Status::NotFound("table " + database + "." + table);
    ASSIGN_OR_RETURN(Statement ins, db.Prepare("INSERT OR IGNORE INTO lake_partitions (database, "
                                               "table_name, partition_values, location) VALUES (?, ?, ?, ?)"));
    int64_t added = 0;
    for (const LakePartitionRow& p : partitions) {
      std::string joined;
      for (const std::string& v : p.values) {
        if (!joined.empty()) joined += '\x1f';
        joined += v;
      }
      RETURN_IF_ERROR(ins.BindText(1, database));
      RETURN_IF_ERROR(ins.BindText(2, table));
      RETURN_IF_ERROR(ins.BindText(3, joined));
      RETURN_IF_ERROR(ins.BindText(4, p.location));
      RETURN_IF_ERROR(ins.Run());
      ins.Reset();
      ASSIGN_OR_RETURN(Statement changes, db.Prepare("SELECT changes()"));
      ASSIGN_OR_RETURN(const StepResult r, changes.Step());
      if (r == StepResult::kRow) added += changes.ColumnInt64(0);
    }
    RETURN_IF_ERROR(txn.Commit());
    return added;
  });
}

Result<std::vector<LakePartitionRow>> LoadLakePartitions(Catalog& catalog, const std::string& database,
                                                         const std::string& table) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<LakePartitionRow>> {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT partition_values, location FROM lake_partitions "
                                              "WHERE database = ? AND table_name = ? ORDER BY location"));
    RETURN_IF_ERROR(st.BindText(1, database));
    RETURN_IF_ERROR(st.BindText(2, table));
    std::vector<LakePartitionRow> out;
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, st.Step());
      if (r == StepResult::kDone) return out;
      LakePartitionRow p;
      const std::string joined = st.ColumnText(0);
      size_t start = 0;
      for (;;) {
        const size_t sep = joined.find('\x1f', start);
        p.values.push_back(joined.substr(start, sep == std::string::npos ? sep : sep - start));
        if (sep == std::string::npos) break;
        start = sep + 1;
      }
      p.location = st.ColumnText(1);
      out.push_back(std::move(p));
    }
  });
}

}  // namespace sluice::catalog
