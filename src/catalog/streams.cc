#include "catalog/streams.h"

#include <map>

namespace sluice::catalog {
namespace {

Status BindOptional(Statement& st, int index, const std::optional<int64_t>& v) {
  return v ? st.BindInt64(index, *v) : st.BindNull(index);
}

std::optional<int64_t> OptionalColumn(const Statement& st, int index) {
  if (st.ColumnIsNull(index)) return std::nullopt;
  return st.ColumnInt64(index);
}

Status InsertShards(Database& db, int64_t id, const std::vector<ShardRow>& shards) {
  ASSIGN_OR_RETURN(Statement shard,
                   db.Prepare("INSERT INTO shards (stream_id, shard_index, start_hash, end_hash, "
                              "parent_index, adjacent_parent_index, created_ms, end_offset, "
                              "closed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const ShardRow& s : shards) {
    RETURN_IF_ERROR(shard.BindInt64(1, id));
    RETURN_IF_ERROR(shard.BindInt64(2, s.shard_index));
    RETURN_IF_ERROR(shard.BindText(3, s.start_hash));
    RETURN_IF_ERROR(shard.BindText(4, s.end_hash));
    RETURN_IF_ERROR(BindOptional(shard, 5, s.parent_index));
    RETURN_IF_ERROR(BindOptional(shard, 6, s.adjacent_parent_index));
    RETURN_IF_ERROR(shard.BindInt64(7, s.created_ms));
    RETURN_IF_ERROR(BindOptional(shard, 8, s.end_offset));
    RETURN_IF_ERROR(BindOptional(shard, 9, s.closed_ms));
    RETURN_IF_ERROR(shard.Run());
    shard.Reset();
  }
  return Status::OK();
}

Status InsertTags(Database& db, int64_t id, const Tags& tags) {
  ASSIGN_OR_RETURN(Statement put,
                   db.Prepare("INSERT INTO stream_tags (stream_id, key, value) VALUES (?, ?, ?) "
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

// Runs one statement with a single int64 parameter list inside its own transaction.
Status RunOne(Catalog& catalog, std::string_view sql, std::initializer_list<int64_t> args) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
    int i = 1;
    for (const int64_t a : args) RETURN_IF_ERROR(st.BindInt64(i++, a));
    return st.Run();
  });
}

Status RecordShardCountUpdate(Database& db, int64_t stream_id, const ShardCountUpdate& u) {
  ASSIGN_OR_RETURN(Statement prune,
                   db.Prepare("DELETE FROM shard_count_updates WHERE stream_id = ? AND at_ms < ?"));
  RETURN_IF_ERROR(prune.BindInt64(1, stream_id));
  RETURN_IF_ERROR(prune.BindInt64(2, u.forget_before_ms));
  RETURN_IF_ERROR(prune.Run());
  ASSIGN_OR_RETURN(Statement ins, db.Prepare("INSERT INTO shard_count_updates (stream_id, at_ms) VALUES (?, ?)"));
  RETURN_IF_ERROR(ins.BindInt64(1, stream_id));
  RETURN_IF_ERROR(ins.BindInt64(2, u.at_ms));
  return ins.Run();
}

}  // namespace

Result<int64_t> InsertStream(Catalog& catalog, const StreamRow& stream,
                             const std::vector<ShardRow>& shards, const Tags& tags) {
  return catalog.WithDatabase([&](Database& db) -> Result<int64_t> {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement ins,
                     db.Prepare("INSERT INTO streams (name, created_ms, retention_hours, mode, "
                                "max_record_kib) VALUES (?, ?, ?, ?, ?) RETURNING id"));
    RETURN_IF_ERROR(ins.BindText(1, stream.name));
    RETURN_IF_ERROR(ins.BindInt64(2, stream.created_ms));
    RETURN_IF_ERROR(ins.BindInt64(3, stream.retention_hours));
    RETURN_IF_ERROR(ins.BindText(4, stream.mode));
    RETURN_IF_ERROR(ins.BindInt64(5, stream.max_record_kib));
    ASSIGN_OR_RETURN(const StepResult row, ins.Step());
    if (row != StepResult::kRow) return Status::Internal("INSERT ... RETURNING gave no row");
    const int64_t id = ins.ColumnInt64(0);
    ins.Reset();

    RETURN_IF_ERROR(InsertShards(db, id, shards));
    RETURN_IF_ERROR(InsertTags(db, id, tags));
    RETURN_IF_ERROR(txn.Commit());
    return id;
  });
}

Status MarkStreamDeleted(Catalog& catalog, int64_t id, int64_t deleted_ms) {
  return RunOne(catalog, "UPDATE streams SET deleted_ms = ? WHERE id = ?", {deleted_ms, id});
}

Status RemoveStream(Catalog& catalog, int64_t id) {
  // ON DELETE CASCADE removes the shards and tags in the same statement.
  return RunOne(catalog, "DELETE FROM streams WHERE id = ?", {id});
}

Status SetRetentionHours(Catalog& catalog, int64_t id, int64_t hours) {
  return RunOne(catalog, "UPDATE streams SET retention_hours = ? WHERE id = ?", {hours, id});
}

Status PutTags(Catalog& catalog, int64_t id, const Tags& tags) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    RETURN_IF_ERROR(InsertTags(db, id, tags));
    return txn.Commit();
  });
}

Status RemoveTags(Catalog& catalog, int64_t id, const std::vector<std::string>& keys) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement del,
                     db.Prepare("DELETE FROM stream_tags WHERE stream_id = ? AND key = ?"));
    for (const auto& key : keys) {
      RETURN_IF_ERROR(del.BindInt64(1, id));
      RETURN_IF_ERROR(del.BindText(2, key));
      RETURN_IF_ERROR(del.Run());
      del.Reset();
    }
    return txn.Commit();
  });
}

Status ApplyReshard(Catalog& catalog, int64_t stream_id, const std::vector<ShardClose>& closes,
                    const std::vector<ShardRow>& inserts, const std::optional<ShardCountUpdate>& update) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement close,
                     db.Prepare("UPDATE shards SET end_offset = ?, closed_ms = ? "
                                "WHERE stream_id = ? AND shard_index = ?"));
    for (const ShardClose& c : closes) {
      RETURN_IF_ERROR(close.BindInt64(1, c.end_offset));
      RETURN_IF_ERROR(close.BindInt64(2, c.closed_ms));
      RETURN_IF_ERROR(close.BindInt64(3, stream_id));
      RETURN_IF_ERROR(close.BindInt64(4, c.shard_index));
      RETURN_IF_ERROR(close.Run());
      close.Reset();
    }
    RETURN_IF_ERROR(InsertShards(db, stream_id, inserts));
    if (update) RETURN_IF_ERROR(RecordShardCountUpdate(db, stream_id, *update));
    return txn.Commit();
  });
}

Status RemoveShards(Catalog& catalog, int64_t stream_id, const std::vector<int64_t>& indexes) {
  return catalog.WithDatabase([&](Database& db) -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    ASSIGN_OR_RETURN(Statement del,
                     db.Prepare("DELETE FROM shards WHERE stream_id = ? AND shard_index = ?"));
    for (const int64_t index : indexes) {
      RETURN_IF_ERROR(del.BindInt64(1, stream_id));
      RETURN_IF_ERROR(del.BindInt64(2, index));
      RETURN_IF_ERROR(del.Run());
      del.Reset();
    }
    return txn.Commit();
  });
}

Result<std::vector<StreamRecord>> LoadStreams(Catalog& catalog) {
  return catalog.WithDatabase([&](Database& db) -> Result<std::vector<StreamRecord>> {
    std::vector<StreamRecord> out;
    std::map<int64_t, size_t> by_id;
    ASSIGN_OR_RETURN(Statement q,
                     db.Prepare("SELECT id, name, created_ms, retention_hours, mode, "
                                "max_record_kib, deleted_ms FROM streams ORDER BY name"));
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, q.Step());
      if (r == StepResult::kDone) break;
      StreamRecord rec;
      rec.stream.id = q.ColumnInt64(0);
      rec.stream.name = q.ColumnText(1);
      rec.stream.created_ms = q.ColumnInt64(2);
      rec.stream.retention_hours = q.ColumnInt64(3);
      rec.stream.mode = q.ColumnText(4);
      rec.stream.max_record_kib = q.ColumnInt64(5);
      rec.stream.deleted_ms = OptionalColumn(q, 6);
      by_id[rec.stream.id] = out.size();
      out.push_back(std::move(rec));
    }
    ASSIGN_OR_RETURN(Statement sq,
                     db.Prepare("SELECT stream_id, shard_index, start_hash, end_hash, "
                                "parent_index, adjacent_parent_index, created_ms, end_offset, "
                                "closed_ms FROM shards ORDER BY stream_id, shard_index"));
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, sq.Step());
      if (r == StepResult::kDone) break;
      const auto it = by_id.find(sq.ColumnInt64(0));
      if (it == by_id.end()) continue;
      ShardRow s;
      s.shard_index = sq.ColumnInt64(1);
      s.start_hash = sq.ColumnText(2);
      s.end_hash = sq.ColumnText(3);
      s.parent_index = OptionalColumn(sq, 4);
      s.adjacent_parent_index = OptionalColumn(sq, 5);
      s.created_ms = sq.ColumnInt64(6);
      s.end_offset = OptionalColumn(sq, 7);
      s.closed_ms = OptionalColumn(sq, 8);
      out[it->second].shards.push_back(std::move(s));
    }
    ASSIGN_OR_RETURN(Statement tq, db.Prepare("SELECT stream_id, key, value FROM stream_tags "
                                              "ORDER BY stream_id, key"));
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, tq.Step());
      if (r == StepResult::kDone) break;
      const auto it = by_id.find(tq.ColumnInt64(0));
      if (it == by_id.end()) continue;
      out[it->second].tags.emplace_back(tq.ColumnText(1), tq.ColumnText(2));
    }
    ASSIGN_OR_RETURN(Statement uq, db.Prepare("SELECT stream_id, at_ms FROM shard_count_updates "
                                              "ORDER BY stream_id, at_ms"));
    for (;;) {
      ASSIGN_OR_RETURN(const StepResult r, uq.Step());
      if (r == StepResult::kDone) break;
      const auto it = by_id.find(uq.ColumnInt64(0));
      if (it == by_id.end()) continue;
      out[it->second].shard_count_updates.push_back(uq.ColumnInt64(1));
    }
    return out;
  });
}

}  // namespace sluice::catalog
