// The catalog's Lambda event-source mapping tables: one row per mapping (its settings as
// a JSON document the `functions` module owns, plus the columns the module lists and
// filters by) and one checkpoint row per (mapping, shard). Every call is one SQLite
// transaction, durable when it returns: a checkpoint written here survives kill -9.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"

namespace sluice::catalog {

struct MappingRow {
  std::string uuid;
  std::string function_arn;
  std::string event_source_arn;
  std::string config_json;  // the functions module's format (docs/formats/catalog.md)
  std::string state;        // Creating | Enabled | Updating | Disabling | Disabled | ...
  int64_t created_ms = 0;
  int64_t last_modified_ms = 0;
  std::string last_processing_result;
};

// Where a mapping stands in one shard.
struct MappingCheckpointRow {
  std::string shard_id;
  // The last record done with (delivered, filtered out or sent to the on-failure
  // destination); empty: none yet.
  std::string sequence_number;
  bool finished = false;  // the shard is closed and was read to its end
  // The tumbling window open in this shard (TumblingWindowInSeconds > 0), as of the
  // checkpoint: its bounds (Unix epoch ms) and the state, a JSON object's text, the
  // function returned for the records up to `sequence_number`. nullopt: none open.
  struct Window {
    int64_t start_ms = 0;
    int64_t end_ms = 0;
    std::string state;
  };
  std::optional<Window> window;
};

// AlreadyExists if the uuid is taken.
Status InsertMapping(Catalog& catalog, const MappingRow& row);
// Replaces every column but uuid and created_ms; NotFound if the row is gone.
Status UpdateMapping(Catalog& catalog, const MappingRow& row);
// Removes the mapping and its checkpoints (nothing if it does not exist).
Status RemoveMapping(Catalog& catalog, std::string_view uuid);
// Every mapping, by uuid.
Result<std::vector<MappingRow>> LoadMappings(Catalog& catalog);

// Inserts or replaces the checkpoint of (uuid, shard), its window with it.
Status SaveMappingCheckpoint(Catalog& catalog, std::string_view uuid,
                             const MappingCheckpointRow& checkpoint);
// The mapping's checkpoints, by shard id.
Result<std::vector<MappingCheckpointRow>> LoadMappingCheckpoints(Catalog& catalog,
                                                                 std::string_view uuid);

}  // namespace sluice::catalog
