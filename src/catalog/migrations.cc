#include "catalog/migrations.h"

#include <string>

namespace sluice::catalog {
namespace {

// Milliseconds since the Unix epoch, in SQL; 2440587.5 is the Julian day of 1970-01-01.
#define SLUICE_SQL_NOW_MS "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"

constexpr std::string_view kSchemaVersionAndMeta = R"sql(
CREATE TABLE schema_version (
  version       INTEGER PRIMARY KEY,
  description   TEXT    NOT NULL,
  applied_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES
  ('server_id', lower(hex(randomblob(16)))),
  ('created_at_ms', CAST()sql" SLUICE_SQL_NOW_MS R"sql( AS TEXT));
)sql";

// Kinesis streams, their shards (with resharding lineage) and tags. Hash keys are
// decimal text: they are 128-bit and only ever compared in C++.
constexpr std::string_view kStreams = R"sql(
CREATE TABLE streams (
  id              INTEGER PRIMARY KEY,
  name            TEXT    NOT NULL UNIQUE,
  created_ms      INTEGER NOT NULL,
  retention_hours INTEGER NOT NULL,
  mode            TEXT    NOT NULL,
  max_record_kib  INTEGER NOT NULL,
  deleted_ms      INTEGER
) STRICT;
CREATE TABLE shards (
  stream_id             INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  shard_index           INTEGER NOT NULL,
  start_hash            TEXT    NOT NULL,
  end_hash              TEXT    NOT NULL,
  parent_index          INTEGER,
  adjacent_parent_index INTEGER,
  created_ms            INTEGER NOT NULL,
  end_offset            INTEGER,
  closed_ms             INTEGER,
  PRIMARY KEY (stream_id, shard_index)
) STRICT, WITHOUT ROWID;
CREATE TABLE stream_tags (
  stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  key       TEXT    NOT NULL,
  value     TEXT    NOT NULL,
  PRIMARY KEY (stream_id, key)
) STRICT, WITHOUT ROWID;
)sql";

// When UpdateShardCount resharded each stream: AWS allows ten per rolling 24 hours,
// and a restart must not reset that count. Rows older than a day are pruned as new
// ones are written.
constexpr std::string_view kShardCountUpdates = R"sql(
CREATE TABLE shard_count_updates (
  stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  at_ms     INTEGER NOT NULL
) STRICT;
CREATE INDEX shard_count_updates_by_stream ON shard_count_updates (stream_id, at_ms);
)sql";

// Firehose delivery streams: the configuration is a JSON document the delivery module
// owns; the checkpoint row holds the first log offset not yet delivered in full, and one
// partition row per buffer (the whole stream, or one dynamic partition) holds how far
// that buffer is delivered and the object being written (range and key), so a replay
// after a crash rewrites that same key.
constexpr std::string_view kDeliveryStreams = R"sql(
CREATE TABLE delivery_streams (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  type        TEXT    NOT NULL,
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL,
  version     INTEGER NOT NULL,
  config_json TEXT    NOT NULL,
  deleted_ms  INTEGER
) STRICT;
CREATE TABLE delivery_stream_tags (
  stream_id INTEGER NOT NULL REFERENCES delivery_streams(id) ON DELETE CASCADE,
  key       TEXT    NOT NULL,
  value     TEXT    NOT NULL,
  PRIMARY KEY (stream_id, key)
) STRICT, WITHOUT ROWID;
CREATE TABLE delivery_checkpoints (
  stream_id       INTEGER PRIMARY KEY REFERENCES delivery_streams(id) ON DELETE CASCADE,
  next_offset     INTEGER NOT NULL,
  source_position TEXT    NOT NULL
) STRICT;
CREATE TABLE delivery_partitions (
  stream_id      INTEGER NOT NULL REFERENCES delivery_streams(id) ON DELETE CASCADE,
  partition      TEXT    NOT NULL,
  watermark      INTEGER NOT NULL,
  pending_first  INTEGER,
  pending_last   INTEGER,
  pending_bucket TEXT,
  pending_key    TEXT,
  PRIMARY KEY (stream_id, partition)
) STRICT, WITHOUT ROWID;
)sql";

// The query module's lake catalog (Hive/Athena databases, external tables, their
// columns and properties, registered partitions). Names are lower-case, as Hive keeps them.
constexpr std::string_view kLake = R"sql(
CREATE TABLE lake_databases (
  name       TEXT    PRIMARY KEY,
  created_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE lake_tables (
  database   TEXT    NOT NULL REFERENCES lake_databases(name) ON DELETE CASCADE,
  name       TEXT    NOT NULL,
  location   TEXT    NOT NULL,
  serde      TEXT    NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (database, name)
) STRICT, WITHOUT ROWID;
CREATE TABLE lake_columns (
  database   TEXT    NOT NULL,
  table_name TEXT    NOT NULL,
  kind       INTEGER NOT NULL,  -- 0 data column, 1 partition key
  position   INTEGER NOT NULL,
  name       TEXT    NOT NULL,
  type       TEXT    NOT NULL,
  PRIMARY KEY (database, table_name, kind, position),
  FOREIGN KEY (database, table_name) REFERENCES lake_tables(database, name) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE TABLE lake_properties (
  database   TEXT    NOT NULL,
  table_name TEXT    NOT NULL,
  kind       INTEGER NOT NULL,  -- 0 SERDEPROPERTIES, 1 TBLPROPERTIES
  key        TEXT    NOT NULL,
  value      TEXT    NOT NULL,
  PRIMARY KEY (database, table_name, kind, key),
  FOREIGN KEY (database, table_name) REFERENCES lake_tables(database, name) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE TABLE lake_partitions (
  database         TEXT NOT NULL,
  table_name       TEXT NOT NULL,
  partition_values TEXT NOT NULL,  -- the values in key order, joined by U+001F
  location         TEXT NOT NULL,
  PRIMARY KEY (database, table_name, partition_values),
  FOREIGN KEY (database, table_name) REFERENCES lake_tables(database, name) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
)sql";

// CloudFormation stacks: each stack's record and each change set's are JSON documents
// the stacks module owns; events are kept in order per stack.
constexpr std::string_view kStacks = R"sql(
CREATE TABLE cfn_stacks (
  stack_id   TEXT    PRIMARY KEY,
  name       TEXT    NOT NULL,
  deleted    INTEGER NOT NULL,
  record     TEXT    NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE cfn_stack_events (
  stack_id TEXT    NOT NULL,
  seq      INTEGER NOT NULL,
  event    TEXT    NOT NULL,
  PRIMARY KEY (stack_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE cfn_change_sets (
  change_set_id TEXT PRIMARY KEY,
  stack_id      TEXT NOT NULL,
  name          TEXT NOT NULL,
  record        TEXT NOT NULL
) STRICT;
)sql";

// Lambda functions: the configuration as a JSON document the functions module owns
// (docs/formats/catalog.md lists its fields).
constexpr std::string_view kFunctions = R"sql(
CREATE TABLE functions (
  name       TEXT    PRIMARY KEY,
  config     TEXT    NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// Lambda event-source mappings: settings as a JSON document the functions module owns,
// and one checkpoint per (mapping, shard): the last sequence number done with, so a
// restart resumes after it (at-least-once).
constexpr std::string_view kEventSourceMappings = R"sql(
CREATE TABLE event_source_mappings (
  uuid                   TEXT    PRIMARY KEY,
  function_arn           TEXT    NOT NULL,
  event_source_arn       TEXT    NOT NULL,
  config_json            TEXT    NOT NULL,
  state                  TEXT    NOT NULL,
  created_ms             INTEGER NOT NULL,
  last_modified_ms       INTEGER NOT NULL,
  last_processing_result TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE mapping_checkpoints (
  uuid            TEXT    NOT NULL REFERENCES event_source_mappings(uuid) ON DELETE CASCADE,
  shard_id        TEXT    NOT NULL,
  sequence_number TEXT    NOT NULL,
  finished        INTEGER NOT NULL,
  PRIMARY KEY (uuid, shard_id)
) STRICT, WITHOUT ROWID;
)sql";

// CloudWatch alarms: one JSON record per alarm (configuration and state, owned by the
// metrics module) and their history items, oldest first by seq.
constexpr std::string_view kAlarms = R"sql(
CREATE TABLE cw_alarms (
  name   TEXT NOT NULL PRIMARY KEY,
  record TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE cw_alarm_history (
  seq          INTEGER PRIMARY KEY,
  alarm_name   TEXT    NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  item         TEXT    NOT NULL
) STRICT;
CREATE INDEX cw_alarm_history_by_alarm ON cw_alarm_history (alarm_name, seq);
)sql";

// CloudWatch Logs groups (function logs): retention in days, NULL for "never expire".
// The events are files the functions module owns (docs/formats/function-logs.md).
constexpr std::string_view kLogGroups = R"sql(
CREATE TABLE log_groups (
  name           TEXT    PRIMARY KEY,
  created_ms     INTEGER NOT NULL,
  retention_days INTEGER
) STRICT, WITHOUT ROWID;
)sql";

// Athena query executions: one row per execution the query module remembers (the
// newest 1000), written on every state change; `columns` is the result's column info
// as "name\ttype" lines; `seq` orders them (ListQueryExecutions is newest first).
constexpr std::string_view kQueryExecutions = R"sql(
CREATE TABLE query_executions (
  id                   TEXT    PRIMARY KEY,
  seq                  INTEGER NOT NULL UNIQUE,
  query                TEXT    NOT NULL,
  database             TEXT    NOT NULL,
  workgroup            TEXT    NOT NULL,
  output_location      TEXT    NOT NULL,
  statement_type       TEXT    NOT NULL,
  state                TEXT    NOT NULL,
  state_change_reason  TEXT    NOT NULL,
  error_category       INTEGER NOT NULL,
  submitted_ms         INTEGER NOT NULL,
  completed_ms         INTEGER NOT NULL,
  engine_ms            INTEGER NOT NULL,
  queued_ms            INTEGER NOT NULL,
  bytes_scanned        INTEGER NOT NULL,
  client_request_token TEXT    NOT NULL,
  columns              TEXT    NOT NULL
) STRICT;
)sql";

// Lambda tumbling windows: the window a mapping has open in a shard and the state the
// function last returned for it, kept with the checkpoint it belongs to so both move
// in one transaction. NULL bounds: no window open.
constexpr std::string_view kMappingWindows = R"sql(
ALTER TABLE mapping_checkpoints ADD COLUMN window_start_ms INTEGER;
ALTER TABLE mapping_checkpoints ADD COLUMN window_end_ms INTEGER;
ALTER TABLE mapping_checkpoints ADD COLUMN window_state TEXT;
)sql";

// The schema history. Append only; see migrations.h.
constexpr Migration kMigrations[] = {
    {1, "schema_version and meta", kSchemaVersionAndMeta},
    {2, "kinesis streams, shards and tags", kStreams},
    {3, "kinesis UpdateShardCount history", kShardCountUpdates},
    {4, "firehose delivery streams, tags, checkpoints and partitions", kDeliveryStreams},
    {5, "lambda functions", kFunctions},
    {6, "lambda event-source mappings and checkpoints", kEventSourceMappings},
    {7, "query: lake databases, tables, columns, properties and partitions", kLake},
    {8, "cloudformation stacks, events and change sets", kStacks},
    {9, "cloudwatch alarms and alarm history", kAlarms},
    {10, "cloudwatch logs groups and retention", kLogGroups},
    {11, "athena query executions", kQueryExecutions},
    {12, "lambda event-source mapping tumbling windows", kMappingWindows},
};

Status ApplyOne(Database& db, const Migration& m) {
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
  // Re-read under the write lock: another process may have migrated since we looked.
  ASSIGN_OR_RETURN(const int64_t current, ReadSchemaVersion(db));
  if (current >= m.version) return Status::OK();

  RETURN_IF_ERROR(db.Exec(m.sql));

  ASSIGN_OR_RETURN(Statement fk_check, db.Prepare("PRAGMA foreign_key_check"));
  ASSIGN_OR_RETURN(const StepResult violation, fk_check.Step());
  if (violation == StepResult::kRow) {
    return Status::FailedPrecondition(db.path() + ": leaves a foreign key violation in table " +
                                      fk_check.ColumnText(0));
  }

  ASSIGN_OR_RETURN(Statement record,
                   db.Prepare("INSERT INTO schema_version (version, description, applied_at_ms) "
                              "VALUES (?, ?, " SLUICE_SQL_NOW_MS ")"));
  RETURN_IF_ERROR(record.BindInt64(1, m.version));
  RETURN_IF_ERROR(record.BindText(2, m.description));
  RETURN_IF_ERROR(record.Run());
  return txn.Commit();
}

Result<int64_t> ApplyAll(Database& db, std::span<const Migration> migrations) {
  for (const Migration& m : migrations) {
    const Status st = ApplyOne(db, m);
    if (!st.ok()) {
      return st.WithContext("migration " + std::to_string(m.version) + " (" +
                            std::string(m.description) + ")");
    }
  }
  return ReadSchemaVersion(db);
}

#undef SLUICE_SQL_NOW_MS

}  // namespace

std::span<const Migration> CatalogMigrations() { return kMigrations; }

Status ValidateMigrations(std::span<const Migration> migrations) {
  if (migrations.empty()) return Status::InvalidArgument("migration list is empty");
  for (size_t i = 0; i < migrations.size(); ++i) {
    const int64_t want = static_cast<int64_t>(i) + 1;
    if (migrations[i].version != want) {
      return Status::InvalidArgument("migration list: entry " + std::to_string(i) +
                                     " has version " + std::to_string(migrations[i].version) +
                                     ", expected " + std::to_string(want));
    }
  }
  return Status::OK();
}

Result<int64_t> ReadSchemaVersion(Database& db) {
  // The first read of the file: this is where SQLite notices it is not a database.
  Result<Statement> probe = db.Prepare(
      "SELECT count(*) FILTER (WHERE type = 'table' AND name = 'schema_version'), count(*) "
      "FROM sqlite_schema");
  if (!probe.ok() && probe.status().code() == StatusCode::kCorruption) {
    return Status::Corruption(db.path() + ": not an SQLite database, or its header is damaged");
  }
  if (!probe.ok()) return probe.status();
  ASSIGN_OR_RETURN(const StepResult r, probe->Step());
  if (r != StepResult::kRow) return Status::Internal(db.path() + ": empty count(*)");
  const bool has_version_table = probe->ColumnInt64(0) > 0;
  const bool has_anything = probe->ColumnInt64(1) > 0;
  if (!has_version_table) {
    if (!has_anything) return int64_t{0};
    return Status::FailedPrecondition(db.path() +
                                      ": an SQLite database but not a sluice catalog "
                                      "(no schema_version table)");
  }
  ASSIGN_OR_RETURN(Statement max, db.Prepare("SELECT coalesce(max(version), 0) FROM schema_version"));
  ASSIGN_OR_RETURN(const StepResult r2, max.Step());
  if (r2 != StepResult::kRow) return Status::Internal(db.path() + ": empty max(version)");
  return max.ColumnInt64(0);
}

Result<int64_t> ApplyMigrations(Database& db, std::span<const Migration> migrations) {
  RETURN_IF_ERROR(ValidateMigrations(migrations));
  RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = OFF"));
  Result<int64_t> reached = ApplyAll(db, migrations);
  RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  return reached;
}

}  // namespace sluice::catalog
