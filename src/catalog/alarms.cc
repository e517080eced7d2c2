#include "catalog/alarms.h"

#include "catalog/sqlite.h"

namespace sluice::catalog {

Status PutAlarm(Catalog& catalog, const AlarmRow& row) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT INTO cw_alarms (name, record) VALUES (?, ?) "
                                              "ON CONFLICT (name) DO UPDATE SET record = excluded.record"));
    RETURN_IF_ERROR(st.BindText(1, row.name));
    RETURN_IF_ERROR(st.BindText(2, row.record));
    return st.Run();
  });
}

Status DeleteAlarms(Catalog& catalog, const std::vector<std::string>& names) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement del, db.Prepare("DELETE FROM cw_alarms WHERE name = ?"));
    ASSIGN_OR_RETURN(Statement hist, db.Prepare("DELETE FROM cw_alarm_history WHERE alarm_name = ?"));
    for (const std::string& name : names) {
      RETURN_IF_ERROR(del.BindText(1, name));
      RETURN_IF_ERROR(del.Run());
      del.Reset();
      RETURN_IF_ERROR(hist.BindText(1, name));
      RETURN_IF_ERROR(hist.Run());
      hist.Reset();
    }
    return txn.Commit();
  });
}

Result<std::vector<AlarmRow>> LoadAlarms(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<AlarmRow>> {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT name, record FROM cw_alarms ORDER BY name"));
    std::vector<AlarmRow> rows;
    while (true) {
      ASSIGN_OR_RETURN(StepResult r, st.Step());
      if (r == StepResult::kDone) break;
      rows.push_back({st.ColumnText(0), st.ColumnText(1)});
    }
    return rows;
  });
}

Status AppendAlarmHistory(Catalog& catalog, const std::vector<AlarmHistoryRow>& rows, int64_t keep_per_alarm) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT INTO cw_alarm_history (alarm_name, timestamp_ms, item) "
                                              "VALUES (?, ?, ?)"));
    ASSIGN_OR_RETURN(Statement prune,
                     db.Prepare("DELETE FROM cw_alarm_history WHERE alarm_name = ?1 AND seq NOT IN "
                                "(SELECT seq FROM cw_alarm_history WHERE alarm_name = ?1 "
                                "ORDER BY seq DESC LIMIT ?2)"));
    for (const AlarmHistoryRow& row : rows) {
      RETURN_IF_ERROR(st.BindText(1, row.alarm_name));
      RETURN_IF_ERROR(st.BindInt64(2, row.timestamp_ms));
      RETURN_IF_ERROR(st.BindText(3, row.item));
      RETURN_IF_ERROR(st.Run());
      st.Reset();
      RETURN_IF_ERROR(prune.BindText(1, row.alarm_name));
      RETURN_IF_ERROR(prune.BindInt64(2, keep_per_alarm));
      RETURN_IF_ERROR(prune.Run());
      prune.Reset();
    }
    return txn.Commit();
  });
}

Result<std::vector<AlarmHistoryRow>> LoadAlarmHistory(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<AlarmHistoryRow>> {
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("SELECT alarm_name, timestamp_ms, item FROM cw_alarm_history ORDER BY seq"));
    std::vector<AlarmHistoryRow> rows;
    while (true) {
      ASSIGN_OR_RETURN(StepResult r, st.Step());
      if (r == StepResult::kDone) break;
      rows.push_back({st.ColumnText(0), st.ColumnInt64(1), st.ColumnText(2)});
    }
    return rows;
  });
}

}  // namespace sluice::catalog
