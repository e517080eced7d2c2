#include "catalog/query_executions.h"

namespace sluice::catalog {

Status PutQueryExecution(Catalog& catalog, const QueryExecutionRow& r) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("INSERT OR REPLACE INTO query_executions (id, seq, query, database, "
                                "workgroup, output_location, statement_type, state, state_change_reason, "
                                "error_category, submitted_ms, completed_ms, engine_ms, queued_ms, "
                                "bytes_scanned, client_request_token, columns) VALUES (?, ?, ?, ?, ?, ?, "
                                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    int i = 0;
    RETURN_IF_ERROR(st.BindText(++i, r.id));
    RETURN_IF_ERROR(st.BindInt64(++i, r.seq));
    for (const std::string* text : {&r.query, &r.database, &r.workgroup, &r.output_location,
                                    &r.statement_type, &r.state, &r.state_change_reason}) {
      RETURN_IF_ERROR(st.BindText(++i, *text));
    }
    for (const int64_t v : {r.error_category, r.submitted_ms, r.completed_ms, r.engine_ms, r.queued_ms,
                            r.bytes_scanned}) {
      RETURN_IF_ERROR(st.BindInt64(++i, v));
    }
    RETURN_IF_ERROR(st.BindText(++i, r.client_request_token));
    RETURN_IF_ERROR(st.BindText(++i, r.columns));
    return st.Run();
  });
}

Status RemoveQueryExecution(Catalog& catalog, const std::string& id) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("DELETE FROM query_executions WHERE id = ?"));
    RETURN_IF_ERROR(st.BindText(1, id));
    return st.Run();
  });
}

Result<std::vector<QueryExecutionRow>> LoadQueryExecutions(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<QueryExecutionRow>> {
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("SELECT id, seq, query, database, workgroup, output_location, "
                                "statement_type, state, state_change_reason, error_category, submitted_ms, "
                                "completed_ms, engine_ms, queued_ms, bytes_scanned, client_request_token, "
                                "columns FROM query_executions ORDER BY seq"));
    std::vector<QueryExecutionRow> out;
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult step, st.Step());
      if (step == StepResult::kDone) return out;
      QueryExecutionRow r;
      int i = 0;
      r.id = st.ColumnText(i++);
      r.seq = st.ColumnInt64(i++);
      for (std::string* text : {&r.query, &r.database, &r.workgroup, &r.output_location, &r.statement_type,
                                &r.state, &r.state_change_reason}) {
        *text = st.ColumnText(i++);
      }
      for (int64_t* v : {&r.error_category, &r.submitted_ms, &r.completed_ms, &r.engine_ms, &r.queued_ms,
                         &r.bytes_scanned}) {
        *v = st.ColumnInt64(i++);
      }
      r.client_request_token = st.ColumnText(i++);
      r.columns = st.ColumnText(i++);
      out.push_back(std::move(r));
    }
  });
}

}  // namespace sluice::catalog
