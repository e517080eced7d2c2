#include "catalog/delivery_streams.h"

#include <functional>
#include <map>

namespace sluice::catalog {
namespace {

Status RunInTransaction(Catalog& catalog, std::string_view sql,
                        const std::function<Status(Statement&)>& bind) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
    RETURN_IF_ERROR(bind(st));
    return st.Run();
  });
}

Status InsertTags(Database& db, int64_t id, const std::vector<std::pair<std::string, std::string>>& tags) {
  ASSIGN_OR_RETURN(Statement put,
                   db.Prepare("INSERT INTO delivery_stream_tags (stream_id, key, value) VALUES (?, ?, ?) "
                              "ON CONFLICT (stream_id, key) DO UPDATE SET value = excluded.value"));
  for (const auto& [key, value] : tags) {
    RETURN_IF_ERROR(put.BindInt64(1, id));
    RETURN_IF_ERROR(put.BindText(2, key));
    RETURN_IF_ERROR(put.BindText(3, value));
    RETURN_IF_ERROR(put.Run());
    put.Reset();
  }
  return Status::OK();
}

}  // namespace

Result<int64_t> InsertDeliveryStream(Catalog& catalog, const DeliveryStreamRow& row,
                                     const std::vector<std::pair<std::string, std::string>>& tags) {
  return catalog.WithDatabase([&](Database& db) -> Result<int64_t> {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement ins,
                     db.Prepare("INSERT INTO delivery_streams (name, type, created_ms, updated_ms, version, "
                                "config_json) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"));
    RETURN_IF_ERROR(ins.BindText(1, row.name));
    RETURN_IF_ERROR(ins.BindText(2, row.type));
    RETURN_IF_ERROR(ins.BindInt64(3, row.created_ms));
    RETURN_IF_ERROR(ins.BindInt64(4, row.updated_ms));
    RETURN_IF_ERROR(ins.BindInt64(5, row.version));
    RETURN_IF_ERROR(ins.BindText(6, row.config_json));
    ASSIGN_OR_RETURN(const StepResult r, ins.Step());
    if (r != StepResult::kRow) return Status::Internal("INSERT ... RETURNING gave no row");
    const int64_t id = ins.ColumnInt64(0);
    ins.Reset();
    ASSIGN_OR_RETURN(Statement cp, db.Prepare("INSERT INTO delivery_checkpoints (stream_id, next_offset, "
                                              "source_position) VALUES (?, 0, '')"));
    RETURN_IF_ERROR(cp.BindInt64(1, id));
    RETURN_IF_ERROR(cp.Run());
    RETURN_IF_ERROR(InsertTags(db, id, tags));
    RETURN_IF_ERROR(txn.Commit());
    return id;
  });
}

Status MarkDeliveryStreamDeleted(Catalog& catalog, int64_t id, int64_t deleted_ms) {
  return RunInTransaction(catalog, "UPDATE delivery_streams SET deleted_ms = ? WHERE id = ?", [&](Statement& st) {
    RETURN_IF_ERROR(st.BindInt64(1, deleted_ms));
    return st.BindInt64(2, id);
  });
}

Status RemoveDeliveryStream(Catalog& catalog, int64_t id) {
  // ON DELETE CASCADE removes the tags and the checkpoint in the same statement.
  return RunInTransaction(catalog, "DELETE FROM delivery_streams WHERE id = ?",
                          [&](Statement& st) { return st.BindInt64(1, id); });
}

Status UpdateDeliveryStreamConfig(Catalog& catalog, int64_t id, int64_t version, int64_t updated_ms,
                                  const std::string& config_json) {
  return RunInTransaction(catalog,
                          "UPDATE delivery_streams SET version = ?, updated_ms = ?, config_json = ? WHERE id = ?",
                          [&](Statement& st) {
                            RETURN_IF_ERROR(st.BindInt64(1, version));
                            RETURN_IF_ERROR(st.BindInt64(2, updated_ms));
                            RETURN_IF_ERROR(st.BindText(3, config_json));
                            return st.BindInt64(4, id);
                          });
}

Status PutDeliveryStreamTags(Catalog& catalog, int64_t id,
                             const std::vector<std::pair<std::string, std::string>>& tags) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    RETURN_IF_ERROR(InsertTags(db, id, tags));
    return txn.Commit();
  });
}

Status RemoveDeliveryStreamTags(Catalog& catalog, int64_t id, const std::vector<std::string>& keys) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement del, db.Prepare("DELETE FROM delivery_stream_tags WHERE stream_id = ? AND key = ?"));
    for (const auto& key : keys) {
      RETURN_IF_ERROR(del.BindInt64(1, id));
      RETURN_IF_ERROR(del.BindText(2, key));
      RETURN_IF_ERROR(del.Run());
      del.Reset();
    }
    return txn.Commit();
  });
}

Status SetPendingObject(Catalog& catalog, int64_t id, const std::string& partition, const PendingObject& p) {
  return RunInTransaction(catalog,
                          "INSERT INTO delivery_partitions (stream_id, partition, watermark, pending_first, "
                          "pending_last, pending_bucket, pending_key) VALUES (?, ?, 0, ?, ?, ?, ?) "
                          "ON CONFLICT (stream_id, partition) DO UPDATE SET pending_first = excluded.pending_first, "
                          "pending_last = excluded.pending_last, pending_bucket = excluded.pending_bucket, "
                          "pending_key = excluded.pending_key",
                          [&](Statement& st) {
                            RETURN_IF_ERROR(st.BindInt64(1, id));
                            RETURN_IF_ERROR(st.BindText(2, partition));
                            RETURN_IF_ERROR(st.BindInt64(3, p.first));
                            RETURN_IF_ERROR(st.BindInt64(4, p.last));
                            RETURN_IF_ERROR(st.BindText(5, p.bucket));
                            return st.BindText(6, p.key);
                          });
}

Status CommitDelivery(Catalog& catalog, int64_t id, const std::string& partition, int64_t watermark,
                      int64_t next_offset, const std::vector<std::string>& forget) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement up,
                     db.Prepare("INSERT INTO delivery_partitions (stream_id, partition, watermark) VALUES (?, ?, ?) "
                                "ON CONFLICT (stream_id, partition) DO UPDATE SET watermark = excluded.watermark, "
                                "pending_first = NULL, pending_last = NULL, pending_bucket = NULL, "
                                "pending_key = NULL"));
    RETURN_IF_ERROR(up.BindInt64(1, id));
    RETURN_IF_ERROR(up.BindText(2, partition));
    RETURN_IF_ERROR(up.BindInt64(3, watermark));
    RETURN_IF_ERROR(up.Run());
    ASSIGN_OR_RETURN(Statement cp, db.Prepare("UPDATE delivery_checkpoints SET next_offset = ? WHERE stream_id = ?"));
    RETURN_IF_ERROR(cp.BindInt64(1, next_offset));
    RETURN_IF_ERROR(cp.BindInt64(2, id));
    RETURN_IF_ERROR(cp.Run());
    ASSIGN_OR_RETURN(Statement del, db.Prepare("DELETE FROM delivery_partitions WHERE stream_id = ? AND partition = ?"));
    for (const std::string& f : forget) {
      RETURN_IF_ERROR(del.BindInt64(1, id));
      RETURN_IF_ERROR(del.BindText(2, f));
      RETURN_IF_ERROR(del.Run());
      del.Reset();
    }
    return txn.Commit();
  });
}

Status SetSourcePosition(Catalog& catalog, int64_t id, const std::string& position) {
  return RunInTransaction(catalog, "UPDATE delivery_checkpoints SET source_position = ? WHERE stream_id = ?",
                          [&](Statement& st) {
                            RETURN_IF_ERROR(st.BindText(1, position));
                            return st.BindInt64(2, id);
                          });
}

Result<std::vector<DeliveryStreamRecord>> LoadDeliveryStreams(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<DeliveryStreamRecord>> {
    std::vector<DeliveryStreamRecord> out;
    std::map<int64_t, size_t> by_id;
    ASSIGN_OR_RETURN(Statement q,
                     db.Prepare("SELECT d.id, d.name, d.type, d.created_ms, d.updated_ms, d.version, "
                                "d.config_json, d.deleted_ms, c.next_offset, c.source_position "
                                "FROM delivery_streams d JOIN delivery_checkpoints c ON c.stream_id = d.id "
                                "ORDER BY d.name"));
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, q.Step());
      if (r == StepResult::kDone) break;
      DeliveryStreamRecord rec;
      rec.stream.id = q.ColumnInt64(0);
      rec.stream.name = q.ColumnText(1);
      rec.stream.type = q.ColumnText(2);
      rec.stream.created_ms = q.ColumnInt64(3);
      rec.stream.updated_ms = q.ColumnInt64(4);
      rec.stream.version = q.ColumnInt64(5);
      rec.stream.config_json = q.ColumnText(6);
      if (!q.ColumnIsNull(7)) rec.stream.deleted_ms = q.ColumnInt64(7);
      rec.checkpoint.next_offset = q.ColumnInt64(8);
      rec.checkpoint.source_position = q.ColumnText(9);
      by_id[rec.stream.id] = out.size();
      out.push_back(std::move(rec));
    }
    ASSIGN_OR_RETURN(Statement tq, db.Prepare("SELECT stream_id, key, value FROM delivery_stream_tags "
                                              "ORDER BY stream_id, key"));
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, tq.Step());
      if (r == StepResult::kDone) break;
      const auto it = by_id.find(tq.ColumnInt64(0));
      if (it == by_id.end()) continue;
      out[it->second].tags.emplace_back(tq.ColumnText(1), tq.ColumnText(2));
    }
    ASSIGN_OR_RETURN(Statement pq, db.Prepare("SELECT stream_id, partition, watermark, pending_first, pending_last, "
                                              "pending_bucket, pending_key FROM delivery_partitions "
                                              "ORDER BY stream_id, partition"));
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, pq.Step());
      if (r == StepResult::kDone) break;
      const auto it = by_id.find(pq.ColumnInt64(0));
      if (it == by_id.end()) continue;
      PartitionRow row;
      row.partition = pq.ColumnText(1);
      row.watermark = pq.ColumnInt64(2);
      if (!pq.ColumnIsNull(3)) {
        row.pending = PendingObject{pq.ColumnInt64(3), pq.ColumnInt64(4), pq.ColumnText(5), pq.ColumnText(6)};
      }
      out[it->second].checkpoint.partitions.push_back(std::move(row));
    }
    return out;
  });
}

}  // namespace sluice::catalog
