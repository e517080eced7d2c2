#include "catalog/log_groups.h"

namespace sluice::catalog {
namespace {

// Rows the last statement on `db` changed.
Result<int64_t> Changes(Database& db) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT changes()"));
  ASSIGN_OR_RETURN(const StepResult r, st.Step());
  return r == StepResult::kRow ? st.ColumnInt64(0) : 0;
}

}  // namespace

Status InsertLogGroup(Catalog& catalog, const LogGroupRow& row) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT INTO log_groups (name, created_ms, retention_days) "
                                              "VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING"));
    RETURN_IF_ERROR(st.BindText(1, row.name));
    RETURN_IF_ERROR(st.BindInt64(2, row.created_ms));
    if (row.retention_days) {
      RETURN_IF_ERROR(st.BindInt64(3, *row.retention_days));
    } else {
      RETURN_IF_ERROR(st.BindNull(3));
    }
    RETURN_IF_ERROR(st.Run());
    ASSIGN_OR_RETURN(const int64_t changed, Changes(db));
    if (changed == 0) return Status::AlreadyExists("log group " + row.name);
    return Status::OK();
  });
}

Status SetLogGroupRetention(Catalog& catalog, std::string_view name, std::optional<int64_t> days) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("UPDATE log_groups SET retention_days = ? WHERE name = ?"));
    if (days) {
      RETURN_IF_ERROR(st.BindInt64(1, *days));
    } else {
      RETURN_IF_ERROR(st.BindNull(1));
    }
    RETURN_IF_ERROR(st.BindText(2, name));
    RETURN_IF_ERROR(st.Run());
    ASSIGN_OR_RETURN(const int64_t changed, Changes(db));
    if (changed == 0) return Status::NotFound("log group " + std::string(name));
    return Status::OK();
  });
}

Status RemoveLogGroup(Catalog& catalog, std::string_view name) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("DELETE FROM log_groups WHERE name = ?"));
    RETURN_IF_ERROR(st.BindText(1, name));
    RETURN_IF_ERROR(st.Run());
    ASSIGN_OR_RETURN(const int64_t changed, Changes(db));
    if (changed == 0) return Status::NotFound("log group " + std::string(name));
    return Status::OK();
  });
}

Result<std::vector<LogGroupRow>> LoadLogGroups(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<LogGroupRow>> {
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("SELECT name, created_ms, retention_days FROM log_groups ORDER BY name"));
    std::vector<LogGroupRow> rows;
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, st.Step());
      if (r == StepResult::kDone) break;
      LogGroupRow row{st.ColumnText(0), st.ColumnInt64(1), std::nullopt};
      if (!st.ColumnIsNull(2)) row.retention_days = st.ColumnInt64(2);
      rows.push_back(std::move(row));
    }
    return rows;
  });
}

}  // namespace sluice::catalog
