// The catalog's Kinesis tables: one row per stream, per shard (with its lineage) and per
// tag. Every mutation is one SQLite transaction, durable when the call returns; the
// `stream` module keeps the live state in memory and writes through these calls.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"

namespace sluice::catalog {

struct StreamRow {
  int64_t id = 0;  // assigned by InsertStream
  std::string name;
  int64_t created_ms = 0;
  int64_t retention_hours = 24;
  std::string mode = "PROVISIONED";  // or ON_DEMAND
  int64_t max_record_kib = 1024;
  std::optional<int64_t> deleted_ms;  // set once DeleteStream was accepted
};

struct ShardRow {
  int64_t shard_index = 0;
  std::string start_hash;  // decimal
  std::string end_hash;    // decimal, inclusive
  std::optional<int64_t> parent_index;
  std::optional<int64_t> adjacent_parent_index;
  int64_t created_ms = 0;
  std::optional<int64_t> end_offset;  // set when the shard is closed: one past its last record
  std::optional<int64_t> closed_ms;
};

using Tags = std::vector<std::pair<std::string, std::string>>;

struct StreamRecord {
  StreamRow stream;
  std::vector<ShardRow> shards;  // by shard_index
  Tags tags;                     // by key
  // When UpdateShardCount resharded the stream (within the last day or so), oldest first.
  std::vector<int64_t> shard_count_updates;
};

// Inserts a stream with its first shards and tags; returns the new id. AlreadyExists if
// the name is taken (including by a stream still being deleted).
Result<int64_t> InsertStream(Catalog& catalog, const StreamRow& stream,
                             const std::vector<ShardRow>& shards, const Tags& tags);
Status MarkStreamDeleted(Catalog& catalog, int64_t id, int64_t deleted_ms);
// Removes the stream and its shards and tags.
Status RemoveStream(Catalog& catalog, int64_t id);
Status SetRetentionHours(Catalog& catalog, int64_t id, int64_t hours);
// Inserts or replaces each tag.
Status PutTags(Catalog& catalog, int64_t id, const Tags& tags);
Status RemoveTags(Catalog& catalog, int64_t id, const std::vector<std::string>& keys);
struct ShardClose {
  int64_t shard_index = 0;
  int64_t end_offset = 0;
  int64_t closed_ms = 0;
};

// An UpdateShardCount call to remember, and the history older than `forget_before_ms`
// that no rate check needs any more.
struct ShardCountUpdate {
  int64_t at_ms = 0;
  int64_t forget_before_ms = 0;
};

// One resharding step, atomically: closes shards and inserts their children (and, for
// UpdateShardCount, records the call in the stream's history).
Status ApplyReshard(Catalog& catalog, int64_t stream_id, const std::vector<ShardClose>& closes,
                    const std::vector<ShardRow>& inserts,
                    const std::optional<ShardCountUpdate>& update = std::nullopt);
// Forgets closed shards that retention has expired.
Status RemoveShards(Catalog& catalog, int64_t stream_id, const std::vector<int64_t>& indexes);
// Every stream, ordered by name, with its shards and tags.
Result<std::vector<StreamRecord>> LoadStreams(Catalog& catalog);

}  // namespace sluice::catalog
