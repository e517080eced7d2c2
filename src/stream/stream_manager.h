// StreamManager: Kinesis Data Streams semantics over per-shard logs and the catalog.
// It owns every stream's shard logs; the API layer validates request shapes and calls
// these methods; in-process consumers (delivery, functions) use them directly.
//
// Threading: every method is thread-safe. Control-plane calls serialize among
// themselves and run their catalog commits and log opens without blocking data-plane
// calls; data-plane calls on a stream wait only for a reshard of that same stream
// (which fixes the ends of the shards it closes), never for work on other streams.
//
// Durability: control-plane changes are catalog transactions, durable on return.
// PutRecords completes only after the records are durable under the fsync policy.
// Sequence numbers and iterators are derived from durable state, so both stay valid
// across restarts.
//
// Lifetime: the catalog must outlive the manager. Close() (or the destructor) stops the
// maintenance thread and closes every log.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "stream/errors.h"
#include "stream/hash_key.h"
#include "stream/sequence_number.h"

namespace sluice::stream {

struct StreamManagerOptions {
  std::string dir;  // <data dir>/streams
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // How long a new stream stays CREATING and a deleted one DELETING (AWS takes seconds;
  // tests and local runs want 0).
  int64_t create_delay_ms = 0;
  int64_t delete_delay_ms = 0;
  // AWS's default per-account, per-region open shard limit.
  int64_t shard_limit = 500;
  log::FsyncPolicy fsync = log::FsyncPolicy::kAlways;
  int64_t fsync_interval_ms = 1000;
  uint64_t segment_bytes = 128ull << 20;
  // Shard iterators and pagination tokens expire this long after they are issued
  // (AWS: 5 minutes); shorter only to test expiry.
  int64_t iterator_lifetime_ms = 300'000;
  // How long a stream stays UPDATING after a reshard (AWS takes seconds).
  int64_t update_delay_ms = 0;
  // Enforce AWS's per-shard throughput limits on every stream (a stream's tag
  // "sluice.shard-limits" = "on" / "off" overrides this).
  bool shard_limits = false;
  // Fault injection for clients' retry tests: this fraction of PutRecords records fails
  // with InternalFailure, written nowhere.
  double put_failure_rate = 0.0;
  // How often retention runs over every shard.
  int64_t retention_check_ms = 60'000;
  Clock* clock = nullptr;  // nullptr: the real clock
  // Where the shard logs' files live and who syncs them; nullptr: the log module's
  // defaults (POSIX files, the process-wide flusher pool). Tests inject faults and
  // gates through the file system.
  FileSystem* log_file_system = nullptr;
  log::FlusherPool* flusher_pool = nullptr;
  // Read handles of segments kept open across all shard logs (log/file_cache.h);
  // 0: a quarter of the process's descriptor limit (RLIMIT_NOFILE).
  size_t segment_file_cache = 0;
  // AWS's rule: UpdateShardCount may reshard a stream at most this many times per
  // rolling 24 hours (LimitExceededException past it); 0 turns the rule off (tests).
  int update_shard_count_limit = 10;
  // Where the streams report their AWS/Kinesis metrics; nullptr: nowhere.
  metrics::Registry* metrics = nullptr;
};

struct ShardInfo {
  std::string shard_id;
  std::optional<std::string> parent_shard_id;
  std::optional<std::string> adjacent_parent_shard_id;
  std::string starting_hash_key;  // decimal
  std::string ending_hash_key;
  std::string starting_sequence_number;
  std::optional<std::string> ending_sequence_number;  // closed shards only
  int64_t created_ms = 0;
  std::optional<int64_t> closed_ms;
};

struct StreamInfo {
  std::string name;
  std::string arn;
  std::string status;  // CREATING | ACTIVE | DELETING | UPDATING
  std::string mode;    // PROVISIONED | ON_DEMAND
  int64_t created_ms = 0;
  int64_t retention_hours = 24;
  int64_t max_record_kib = 1024;
  std::vector<ShardInfo> shards;  // every shard still within retention, by index
  int open_shard_count = 0;
  std::vector<std::pair<std::string, std::string>> tags;  // by key
  // Shard-level metrics on (EnableEnhancedMonitoring), in AWS's documented order.
  std::vector<std::string> shard_level_metrics;
};

struct PutInput {
  std::string_view partition_key;
  std::optional<uint128> explicit_hash_key;
  std::string_view data;
};

struct PutOutcome {
  std::string shard_id;
  std::string sequence_number;
  // Non-empty when this record failed: e.g. "InternalFailure".
  std::string error_code;
  std::string error_message;
};

enum class IteratorType { kTrimHorizon, kLatest, kAtSequenceNumber, kAfterSequenceNumber, kAtTimestamp };

struct IteratorRequest {
  std::string stream_name;
  std::string shard_id;
  IteratorType type = IteratorType::kTrimHorizon;
  std::string sequence_number;  // AT_/AFTER_SEQUENCE_NUMBER
  int64_t timestamp_ms = 0;     // AT_TIMESTAMP
};

struct ReadRecord {
  SequenceText sequence_number;
  int64_t arrival_ms = 0;
  std::string_view partition_key;  // views into `batch`
  std::string_view data;
};

struct ChildShard {
  std::string shard_id;
  std::vector<std::string> parent_shards;
  std::string starting_hash_key;
  std::string ending_hash_key;
};

struct GetRecordsOutput {
  std::vector<ReadRecord> records;
  std::optional<std::string> next_iterator;  // absent at the end of a closed shard
  std::vector<ChildShard> child_shards;       // set with an absent next_iterator
  int64_t millis_behind_latest = 0;
  log::ReadResult batch;  // owns the bytes the records point into
};

class StreamManager {
 public:
  // Loads every stream from the catalog and opens its shard logs (recovering them).
  static Result<std::unique_ptr<StreamManager>> Open(StreamManagerOptions options,
                                                     catalog::Catalog& catalog);
  ~StreamManager();

  KResult<Done> CreateStream(const std::string& name, int shard_count, const std::string& mode,
                             const std::vector<std::pair<std::string, std::string>>& tags,
                             int64_t max_record_kib = 1024);
  KResult<Done> DeleteStream(const std::string& name);
  KResult<StreamInfo> DescribeStream(const std::string& name) const;
  // Names of streams that exist (any status), sorted.
  std::vector<std::string> ListStreamNames() const;
  std::string ArnFor(const std::string& name) const;
  // "" if `arn` is not this region's and account's stream ARN shape; else the name.
  std::string NameFromArn(std::string_view arn) const;

  // Resharding. Parents close (readable until retention expires them) and children
  // take over their hash ranges; open shards always cover the hash space exactly once.
  KResult<Done> SplitShard(const std::string& name, const std::string& shard_id,
                           uint128 new_starting_hash_key);
  KResult<Done> MergeShards(const std::string& name, const std::string& shard_id,
                            const std::string& adjacent_shard_id);
  // UNIFORM_SCALING through splits and merges (intermediate shards close at once, empty);
  // returns the open shard count before the change.
  KResult<int> UpdateShardCount(const std::string& name, int target);

  struct ShardMetricsSnapshot {
    std::string shard_id;
    int64_t incoming_bytes = 0;
    int64_t incoming_records = 0;
    int64_t write_provisioned_throughput_exceeded = 0;
    int64_t read_provisioned_throughput_exceeded = 0;
    int64_t iterator_age_ms = 0;
  };
  KResult<std::vector<ShardMetricsSnapshot>> ShardMetrics(const std::string& name) const;

  // EnableEnhancedMonitoring / DisableEnhancedMonitoring: turns shard-level metrics on
  // or off ("ALL": every one); persisted. Answers the metrics on before and after.
  struct ShardLevelChange {
    std::vector<std::string> current;
    std::vector<std::string> desired;
  };
  KResult<ShardLevelChange> SetShardLevelMetrics(const std::string& name,
                                                 std::span<const std::string> metrics, bool enable);

  KResult<Done> ChangeRetention(const std::string& name, int64_t hours, bool increase);
  KResult<Done> AddTags(const std::string& name,
                        const std::vector<std::pair<std::string, std::string>>& tags);
  KResult<Done> RemoveTags(const std::string& name, const std::vector<std::string>& keys);
  int64_t OpenShardCount() const;  // across all streams, for DescribeLimits
  int64_t shard_limit() const;
  int64_t iterator_lifetime_ms() const;

  // Appends to the shards the keys hash to; `done` runs once, on any thread, with one
  // outcome per input in order. Fails as a whole only if the stream cannot take writes.
  using PutCallback = std::function<void(KResult<std::vector<PutOutcome>>)>;
  // Which API a put came through, for its PutRecord.* / PutRecords.* metrics
  // (in-process writers report only IncomingBytes and IncomingRecords).
  enum class PutApi { kInProcess, kPutRecord, kPutRecords };
  void PutRecords(const std::string& stream_name, std::span<const PutInput> records,
                  PutCallback done, PutApi api = PutApi::kInProcess);

  KResult<std::string> GetShardIterator(const IteratorRequest& request) const;
  // limit: 1..10000 records; max_bytes bounds the data returned (10 MiB in AWS).
  KResult<GetRecordsOutput> GetRecords(std::string_view iterator, int limit,
                                       size_t max_bytes) const;

  // Runs retention and finishes deferred deletions now (the maintenance thread does
  // this periodically); for tests.
  void RunMaintenance();
  Status Close();

  struct Impl;
  // Only Open constructs; the key keeps the constructor usable by make_unique.
  class PassKey {
    friend class StreamManager;
    PassKey() = default;
  };
  StreamManager(PassKey, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::stream
