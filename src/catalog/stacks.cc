#include "catalog/stacks.h"

#include "catalog/sqlite.h"

namespace sluice::catalog {

Status PutStack(Catalog& catalog, const StackRow& row) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("INSERT INTO cfn_stacks (stack_id, name, deleted, record, updated_ms) "
                                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (stack_id) DO UPDATE SET "
                                "name = excluded.name, deleted = excluded.deleted, "
                                "record = excluded.record, updated_ms = excluded.updated_ms"));
    RETURN_IF_ERROR(st.BindText(1, row.stack_id));
    RETURN_IF_ERROR(st.BindText(2, row.name));
    RETURN_IF_ERROR(st.BindInt64(3, row.deleted ? 1 : 0));
    RETURN_IF_ERROR(st.BindText(4, row.record));
    RETURN_IF_ERROR(st.BindInt64(5, row.updated_ms));
    return st.Run();
  });
}

Result<std::vector<StackRow>> LoadStacks(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<StackRow>> {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT stack_id, name, deleted, record, updated_ms "
                                              "FROM cfn_stacks ORDER BY rowid"));
    std::vector<StackRow> rows;
    while (true) {
      ASSIGN_OR_RETURN(StepResult r, st.Step());
      if (r == StepResult::kDone) break;
      rows.push_back({st.ColumnText(0), st.ColumnText(1), st.ColumnInt64(2) != 0, st.ColumnText(3),
                      st.ColumnInt64(4)});
    }
    return rows;
  });
}

Status AppendStackEvents(Catalog& catalog, const std::string& stack_id, int64_t first_seq,
                         const std::vector<std::string>& events) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("INSERT INTO cfn_stack_events (stack_id, seq, event) VALUES (?, ?, ?)"));
    int64_t seq = first_seq;
    for (const std::string& e : events) {
      RETURN_IF_ERROR(st.BindText(1, stack_id));
      RETURN_IF_ERROR(st.BindInt64(2, seq++));
      RETURN_IF_ERROR(st.BindText(3, e));
      RETURN_IF_ERROR(st.Run());
      st.Reset();
    }
    return txn.Commit();
  });
}

Result<std::vector<std::string>> LoadStackEvents(Catalog& catalog, const std::string& stack_id) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("SELECT event FROM cfn_stack_events WHERE stack_id = ? ORDER BY seq"));
    RETURN_IF_ERROR(st.BindText(1, stack_id));
    std::vector<std::string> out;
    while (true) {
      ASSIGN_OR_RETURN(StepResult r, st.Step());
      if (r == StepResult::kDone) break;
      out.push_back(st.ColumnText(0));
    }
    return out;
  });
}

Status PutChangeSet(Catalog& catalog, const ChangeSetRow& row) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("INSERT INTO cfn_change_sets (change_set_id, stack_id, name, record) "
                                "VALUES (?, ?, ?, ?) ON CONFLICT (change_set_id) DO UPDATE SET "
                                "record = excluded.record"));
    RETURN_IF_ERROR(st.BindText(1, row.change_set_id));
    RETURN_IF_ERROR(st.BindText(2, row.stack_id));
    RETURN_IF_ERROR(st.BindText(3, row.name));
    RETURN_IF_ERROR(st.BindText(4, row.record));
    return st.Run();
  });
}

Status DeleteChangeSet(Catalog& catalog, const std::string& change_set_id) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("DELETE FROM cfn_change_sets WHERE change_set_id = ?"));
    RETURN_IF_ERROR(st.BindText(1, change_set_id));
    return st.Run();
  });
}

Result<std::vector<ChangeSetRow>> LoadChangeSets(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<ChangeSetRow>> {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT change_set_id, stack_id, name, record "
                                              "FROM cfn_change_sets ORDER BY rowid"));
    std::vector<ChangeSetRow> rows;
    while (true) {
      ASSIGN_OR_RETURN(StepResult r, st.Step());
      if (r == StepResult::kDone) break;
      rows.push_back({st.ColumnText(0), st.ColumnText(1), st.ColumnText(2), st.ColumnText(3)});
    }
    return rows;
  });
}

}  // namespace sluice::catalog
