#include "catalog/functions.h"

namespace sluice::catalog {

Status PutFunction(Catalog& catalog, const FunctionRow& row) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT INTO functions (name, config, updated_ms) VALUES (?, ?, ?) "
                                              "ON CONFLICT (name) DO UPDATE SET config = excluded.config, "
                                              "updated_ms = excluded.updated_ms"));
    RETURN_IF_ERROR(st.BindText(1, row.name));
    RETURN_IF_ERROR(st.BindText(2, row.config_json));
    RETURN_IF_ERROR(st.BindInt64(3, row.updated_ms));
    return st.Run();
  });
}

Status RemoveFunction(Catalog& catalog, std::string_view name) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("DELETE FROM functions WHERE name = ?"));
    RETURN_IF_ERROR(st.BindText(1, name));
    return st.Run();
  });
}

Result<std::vector<FunctionRow>> LoadFunctions(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<FunctionRow>> {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT name, config, updated_ms FROM functions ORDER BY name"));
    std::vector<FunctionRow> rows;
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, st.Step());
      if (r == StepResult::kDone) break;
      rows.push_back({st.ColumnText(0), st.ColumnText(1), st.ColumnInt64(2)});
    }
    return rows;
  });
}

}  // namespace sluice::catalog
