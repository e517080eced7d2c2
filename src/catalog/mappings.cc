#include "catalog/mappings.h"

namespace sluice::catalog {
namespace {

Status BindInsert(Statement& st, const MappingRow& row) {
  RETURN_IF_ERROR(st.BindText(1, row.uuid));
  RETURN_IF_ERROR(st.BindText(2, row.function_arn));
  RETURN_IF_ERROR(st.BindText(3, row.event_source_arn));
  RETURN_IF_ERROR(st.BindText(4, row.config_json));
  RETURN_IF_ERROR(st.BindText(5, row.state));
  RETURN_IF_ERROR(st.BindInt64(6, row.created_ms));
  RETURN_IF_ERROR(st.BindInt64(7, row.last_modified_ms));
  return st.BindText(8, row.last_processing_result);
}

}  // namespace

Status InsertMapping(Catalog& catalog, const MappingRow& row) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement exists,
                     db.Prepare("SELECT 1 FROM event_source_mappings WHERE uuid = ?"));
    RETURN_IF_ERROR(exists.BindText(1, row.uuid));
    ASSIGN_OR_RETURN(const StepResult r, exists.Step());
    if (r == StepResult::kRow) return Status::AlreadyExists("event-source mapping " + row.uuid);
    ASSIGN_OR_RETURN(Statement ins,
                     db.Prepare("INSERT INTO event_source_mappings (uuid, function_arn, "
                                "event_source_arn, config_json, state, created_ms, "
                                "last_modified_ms, last_processing_result) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(BindInsert(ins, row));
    RETURN_IF_ERROR(ins.Run());
    return txn.Commit();
  });
}

Status UpdateMapping(Catalog& catalog, const MappingRow& row) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement exists,
                     db.Prepare("SELECT 1 FROM event_source_mappings WHERE uuid = ?"));
    RETURN_IF_ERROR(exists.BindText(1, row.uuid));
    ASSIGN_OR_RETURN(const StepResult r, exists.Step());
    if (r != StepResult::kRow) return Status::NotFound("event-source mapping " + row.uuid);
    ASSIGN_OR_RETURN(Statement up,
                     db.Prepare("UPDATE event_source_mappings SET function_arn = ?, "
                                "event_source_arn = ?, config_json = ?, state = ?, "
                                "last_modified_ms = ?, last_processing_result = ? WHERE uuid = ?"));
    RETURN_IF_ERROR(up.BindText(1, row.function_arn));
    RETURN_IF_ERROR(up.BindText(2, row.event_source_arn));
    RETURN_IF_ERROR(up.BindText(3, row.config_json));
    RETURN_IF_ERROR(up.BindText(4, row.state));
    RETURN_IF_ERROR(up.BindInt64(5, row.last_modified_ms));
    RETURN_IF_ERROR(up.BindText(6, row.last_processing_result));
    RETURN_IF_ERROR(up.BindText(7, row.uuid));
    RETURN_IF_ERROR(up.Run());
    return txn.Commit();
  });
}

Status RemoveMapping(Catalog& catalog, std::string_view uuid) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement del, db.Prepare("DELETE FROM event_source_mappings WHERE uuid = ?"));
    RETURN_IF_ERROR(del.BindText(1, uuid));
    RETURN_IF_ERROR(del.Run());
    return txn.Commit();
  });
}

Result<std::vector<MappingRow>> LoadMappings(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<MappingRow>> {
    ASSIGN_OR_RETURN(Statement sel,
                     db.Prepare("SELECT uuid, function_arn, event_source_arn, config_json, state, "
                                "created_ms, last_modified_ms, last_processing_result "
                                "FROM event_source_mappings ORDER BY uuid"));
    std::vector<MappingRow> rows;
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, sel.Step());
      if (r == StepResult::kDone) break;
      MappingRow row;
      row.uuid = sel.ColumnText(0);
      row.function_arn = sel.ColumnText(1);
      row.event_source_arn = sel.ColumnText(2);
      row.config_json = sel.ColumnText(3);
      row.state = sel.ColumnText(4);
      row.created_ms = sel.ColumnInt64(5);
      row.last_modified_ms = sel.ColumnInt64(6);
      row.last_processing_result = sel.ColumnText(7);
      rows.push_back(std::move(row));
    }
    return rows;
  });
}

Status SaveMappingCheckpoint(Catalog& catalog, std::string_view uuid,
                             const MappingCheckpointRow& checkpoint) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement put,
                     db.Prepare("INSERT INTO mapping_checkpoints (uuid, shard_id, sequence_number, "
                                "finished, window_start_ms, window_end_ms, window_state) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uuid, shard_id) DO "
                                "UPDATE SET sequence_number = excluded.sequence_number, "
                                "finished = excluded.finished, window_start_ms = excluded.window_start_ms, "
                                "window_end_ms = excluded.window_end_ms, window_state = excluded.window_state"));
    RETURN_IF_ERROR(put.BindText(1, uuid));
    RETURN_IF_ERROR(put.BindText(2, checkpoint.shard_id));
    RETURN_IF_ERROR(put.BindText(3, checkpoint.sequence_number));
    RETURN_IF_ERROR(put.BindInt64(4, checkpoint.finished ? 1 : 0));
    if (checkpoint.window) {
      RETURN_IF_ERROR(put.BindInt64(5, checkpoint.window->start_ms));
      RETURN_IF_ERROR(put.BindInt64(6, checkpoint.window->end_ms));
      RETURN_IF_ERROR(put.BindText(7, checkpoint.window->state));
    } else {
      RETURN_IF_ERROR(put.BindNull(5));
      RETURN_IF_ERROR(put.BindNull(6));
      RETURN_IF_ERROR(put.BindNull(7));
    }
    return put.Run();
  });
}

Result<std::vector<MappingCheckpointRow>> LoadMappingCheckpoints(Catalog& catalog,
                                                                 std::string_view uuid) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<MappingCheckpointRow>> {
    ASSIGN_OR_RETURN(Statement sel,
                     db.Prepare("SELECT shard_id, sequence_number, finished, window_start_ms, "
                                "window_end_ms, window_state FROM mapping_checkpoints WHERE uuid = ? "
                                "ORDER BY shard_id"));
    RETURN_IF_ERROR(sel.BindText(1, uuid));
    std::vector<MappingCheckpointRow> rows;
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, sel.Step());
      if (r == StepResult::kDone) break;
      MappingCheckpointRow row{sel.ColumnText(0), sel.ColumnText(1), sel.ColumnInt64(2) != 0, std::nullopt};
      if (!sel.ColumnIsNull(3)) {
        row.window = MappingCheckpointRow::Window{sel.ColumnInt64(3), sel.ColumnInt64(4), sel.ColumnText(5)};
      }
      rows.push_back(std::move(row));
    }
    return rows;
  });
}

}  // namespace sluice::catalog
