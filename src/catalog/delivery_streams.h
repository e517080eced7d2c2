// The catalog's Firehose tables: one row per delivery stream (its configuration as an
// opaque JSON document that the `delivery` module writes and reads), its tags, and its
// delivery checkpoint. Every mutation is one SQLite transaction, durable when the call
// returns; the `delivery` module keeps the live state in memory and writes through.
//
// The checkpoint is what makes delivery exactly-once across crashes. A stream's records
// go to one or more buffers ("partitions": the whole stream, a dynamic partition, an
// error output); each partition delivers its records in log order and keeps a
// watermark (its records below it are delivered). Before an object is written, its
// log range and key are recorded as the partition's `pending`; after the object is
// durable, the partition's watermark moves past the range, `pending` is cleared and the
// stream's checkpoint (below which every partition is delivered) moves, in one
// transaction. A restart rewrites each pending key first, then skips, per partition,
// the records below its watermark.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"

namespace sluice::catalog {

struct DeliveryStreamRow {
  int64_t id = 0;  // assigned by InsertDeliveryStream
  std::string name;
  std::string type;         // DirectPut | KinesisStreamAsSource
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t version = 1;      // DescribeDeliveryStream's VersionId
  std::string config_json;  // owned by the delivery module
  std::optional<int64_t> deleted_ms;
};

// An object being written: the log range [first, last] and the key it goes to.
struct PendingObject {
  int64_t first = 0;
  int64_t last = 0;
  std::string bucket;
  std::string key;
};

struct PartitionRow {
  std::string partition;  // "" for a stream without dynamic partitioning
  int64_t watermark = 0;  // the partition's records below this offset are delivered
  std::optional<PendingObject> pending;
};

struct DeliveryCheckpoint {
  int64_t next_offset = 0;  // every record below this offset is in a durable object
  std::vector<PartitionRow> partitions;  // by partition
  // For a Kinesis source: the source position (opaque to the catalog).
  std::string source_position;
};

struct DeliveryStreamRecord {
  DeliveryStreamRow stream;
  std::vector<std::pair<std::string, std::string>> tags;  // by key
  DeliveryCheckpoint checkpoint;
};

// AlreadyExists if the name is taken (including by a stream still being deleted).
Result<int64_t> InsertDeliveryStream(Catalog& catalog, const DeliveryStreamRow& row,
                                     const std::vector<std::pair<std::string, std::string>>& tags);
Status MarkDeliveryStreamDeleted(Catalog& catalog, int64_t id, int64_t deleted_ms);
// Removes the stream, its tags and its checkpoint.
Status RemoveDeliveryStream(Catalog& catalog, int64_t id);
// Replaces the configuration and version (UpdateDestination).
Status UpdateDeliveryStreamConfig(Catalog& catalog, int64_t id, int64_t version, int64_t updated_ms,
                                  const std::string& config_json);
Status PutDeliveryStreamTags(Catalog& catalog, int64_t id,
                             const std::vector<std::pair<std::string, std::string>>& tags);
Status RemoveDeliveryStreamTags(Catalog& catalog, int64_t id, const std::vector<std::string>& keys);
// Records the object about to be written (its range and key) for `partition`.
Status SetPendingObject(Catalog& catalog, int64_t id, const std::string& partition, const PendingObject& pending);
// The object is durable: the partition's watermark moves to `watermark` and its
// pending is cleared, the stream's checkpoint moves to `next_offset`, and the rows of
// partitions in `forget` (fully delivered below the checkpoint) go; one transaction.
Status CommitDelivery(Catalog& catalog, int64_t id, const std::string& partition, int64_t watermark,
                      int64_t next_offset, const std::vector<std::string>& forget = {});
Status SetSourcePosition(Catalog& catalog, int64_t id, const std::string& position);
// Every delivery stream, ordered by name, with tags and checkpoint.
Result<std::vector<DeliveryStreamRecord>> LoadDeliveryStreams(Catalog& catalog);

}  // namespace sluice::catalog
