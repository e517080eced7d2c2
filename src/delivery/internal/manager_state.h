// Internal to the delivery module: the state behind DeliveryManager.
//
// Locks: `Impl::mu` maps names to streams (held briefly); each stream's `mu` guards its
// configuration and buffer accounting. Neither is held across a sync, a catalog commit
// or an object write: the delivery thread copies what it needs, writes, then publishes
// the result under the stream's lock. `delivery_mu` serializes deliveries of one stream
// (the delivery thread, Flush and Delete may all want to deliver it).
#pragma once

#include <cstdint>
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>

#include "base/mutex.h"
#include "catalog/delivery_streams.h"
#include "delivery/delivery.h"
#include "internal/pipeline.h"
#include "internal/source.h"
#include "internal/stream_metrics.h"
#include "log/log.h"
#include "stream/throughput.h"

namespace sluice::delivery {

// Arrival times that never go backwards, so the log's records are ordered by arrival
// (within the few milliseconds between a stamp and its append): retention by arrival
// time then trims only records below the checkpoint.
class MonotonicClock final : public Clock {
 public:
  explicit MonotonicClock(const Clock& base) : base_(base) {}
  int64_t NowMillis() const override;

 private:
  const Clock& base_;
  mutable std::atomic<int64_t> last_{0};
};

// What is buffered in one partition: runs of log records whose pieces go to it, in
// offset order, counted by the delivery side when it scans records the log acknowledged
// (a Put's callback may run after a reader already sees its records, so the puts
// cannot count exactly). A run covers consecutive log records that all sent pieces to
// this partition; `moved_from` is set for a record refused by a full partition table
// (its pieces come from that partition's routing).
struct BufferRun {
  uint64_t first = 0;
  uint64_t end = 0;  // exclusive
  uint64_t bytes = 0;
  uint64_t records = 0;
  int64_t oldest_arrival_ms = 0;
  std::string moved_from;
};

struct Partition {
  std::string id;  // see Routed::partition
  std::deque<BufferRun> runs;
  uint64_t bytes = 0;
  uint64_t watermark = 0;  // this partition's records below it are delivered
  std::optional<catalog::PendingObject> pending;
  int64_t retry_at_ms = 0;
  int64_t backoff_ms = 0;
  bool active() const { return !runs.empty() || pending.has_value(); }
};

// AWS's Direct PUT quota of one delivery stream, by region: the three largest regions
// get 2,000 requests, 500,000 records and 5 MiB per second; the others 1,000, 100,000
// and 1 MiB. Each bucket holds one second's worth, the bytes at least one maximal call.
class PutQuota {
 public:
  explicit PutQuota(const std::string& region);
  // Takes one request, `records` and `bytes`, or refuses (taking what it took so far).
  bool Admit(uint64_t records, uint64_t bytes, int64_t now_ms) EXCLUDES(mu_);

 private:
  Mutex mu_;
  stream::TokenBucket requests_ GUARDED_BY(mu_);
  stream::TokenBucket records_ GUARDED_BY(mu_);
  stream::TokenBucket bytes_ GUARDED_BY(mu_);
};

// Records one Put appended that no scan has routed yet: offsets [first, end), `bytes`
// of record data.
struct UnscannedBatch {
  uint64_t first = 0;
  uint64_t end = 0;
  uint64_t bytes = 0;
  int64_t arrival_ms = 0;
  uint64_t records() const { return end - first; }
};

struct DeliveryStream {
  DeliveryStream(int64_t id_, std::string name_, int64_t created_ms_)
      : id(id_), name(std::move(name_)), created_ms(created_ms_) {}
  const int64_t id;
  const std::string name;
  const int64_t created_ms;
  std::unique_ptr<MonotonicClock> log_clock;
  std::unique_ptr<log::Log> log;
  std::unique_ptr<PutQuota> quota;  // set when DeliveryOptions::rate_limits
  std::unique_ptr<StreamMetrics> metrics;

  Mutex delivery_mu;  // one delivery of this stream at a time
  mutable Mutex mu ACQUIRED_AFTER(delivery_mu);
  DeliveryStreamConfig config GUARDED_BY(mu);
  int64_t version GUARDED_BY(mu) = 1;
  int64_t updated_ms GUARDED_BY(mu) = 0;
  Tags tags GUARDED_BY(mu);
  bool deleting GUARDED_BY(mu) = false;

  // The buffer: log offsets [next_offset, log end), scanned (routed into partitions)
  // up to scanned_end.
  uint64_t next_offset GUARDED_BY(mu) = 0;
  uint64_t scanned_end GUARDED_BY(mu) = 0;
  std::map<std::string, Partition> partitions GUARDED_BY(mu);
  // Batches acknowledged to a Put and not yet scanned, in log order. A delivery pass
  // scans the log once, then delivers; what arrives meanwhile waits for the next pass,
  // which under load may start minutes later. Stats counts these as buffered, and the
  // log's trim cutoff never passes the oldest of them. The tail a restart finds is not
  // here: the first pass scans it before it delivers anything.
  std::deque<UnscannedBatch> unscanned GUARDED_BY(mu);
  // The processing of the current configuration (rebuilt when it changes).
  std::shared_ptr<const RecordPipeline> pipeline GUARDED_BY(mu);
  DeliveryStats stats GUARDED_BY(mu);
  // KinesisStreamAsSource: the saved position, and the reader (made on first poll).
  std::string source_position GUARDED_BY(mu);
  int64_t source_start_ms GUARDED_BY(mu) = 0;
  std::unique_ptr<KinesisSourceReader> source GUARDED_BY(delivery_mu);
};

// Firehose's RecordId: opaque to clients; here the stream's creation time and the
// record's log offset, so it is unique and stable (the Lambda processor's recordId too).
std::string RecordId(int64_t created_ms, uint64_t offset);

// One object a delivery writes.
struct ObjectWrite {
  std::string bucket;
  std::string key;
  std::string body;
};

// A record of an object being built: where it is in the log and when it arrived.
struct RecordPlace {
  uint64_t offset = 0;
  int64_t arrival_ms = 0;
  // The log record's key: a Kinesis source's record names its origin there (source.h).
  std::string_view key;
};

// The key of an object: the prefix evaluated for it (the ErrorOutputPrefix for an
// error type), then AWS's object name with the compression's extension or the
// destination's FileExtension.
Result<std::string> ObjectKey(const S3Destination& d, const std::string& stream_name, int64_t version,
                              std::string_view error_type, PrefixContext ctx, bool dynamic_partitioning,
                              std::string_view id);

// The delivering thread's JQ state (libjq is not thread-safe).
JqExtractor& ThreadJq();

// The name of a ZIP object's single entry: the key's last segment without extension.
std::string ZipEntryName(std::string_view key);

// The first offset some partition still needs, or `scanned_end` when none does.
uint64_t CheckpointOf(const DeliveryStream& s) REQUIRES(s.mu);
// The arrival time of the oldest buffered record (scanned or not), or -1.
int64_t OldestArrival(const DeliveryStream& s) REQUIRES(s.mu);
// A Put's batch [first, end) is acknowledged: it counts as buffered until scanned. The
// part a scan already routed is left out (its bytes in proportion: the sizes of single
// records are not kept).
void NoteAcknowledged(DeliveryStream& s, UnscannedBatch batch) REQUIRES(s.mu);
// A scan routed `records`: they no longer count as unscanned.
void NoteScanned(DeliveryStream& s, std::span<const log::Record> records) REQUIRES(s.mu);

struct DeliveryManager::Impl {
  DeliveryOptions opts;
  Clock& clock;
  catalog::Catalog& catalog;
  objects::ObjectStore& store;
  metrics::Registry& metrics;

  Mutex control_mu;  // serializes control-plane calls
  mutable Mutex mu ACQUIRED_AFTER(control_mu);
  std::map<std::string, std::shared_ptr<DeliveryStream>> streams GUARDED_BY(mu);

  Mutex loop_mu;
  CondVar loop_cv;
  bool stop GUARDED_BY(loop_mu) = false;
  bool wake GUARDED_BY(loop_mu) = false;
  std::thread thread;

  Impl(DeliveryOptions o, catalog::Catalog& c, objects::ObjectStore& s, metrics::Registry& m)
      : opts(std::move(o)), clock(opts.clock ? *opts.clock : Clock::Real()), catalog(c), store(s), metrics(m) {}

  std::shared_ptr<DeliveryStream> Find(const std::string& name) const EXCLUDES(mu);
  Error NotFound(const std::string& name) const;
  std::string Arn(const std::string& name) const;
  Result<std::unique_ptr<log::Log>> OpenLog(DeliveryStream& s) const;
  // The stream's processing, built from its configuration on first use.
  std::shared_ptr<const RecordPipeline> PipelineOf(DeliveryStream& s) EXCLUDES(s.mu);
  // Routes the records acknowledged since the last scan into `s.partitions`.
  Status Scan(DeliveryStream& s) REQUIRES(s.delivery_mu) EXCLUDES(s.mu);

  // Delivers one object of partition `partition` of `s` if it is due (or `force`);
  // returns true when an object was written, false when nothing was due, an error when
  // the destination failed.
  Result<bool> DeliverOne(DeliveryStream& s, const std::string& partition, bool force) REQUIRES(s.delivery_mu)
      EXCLUDES(s.mu);
  // The Lambda processor on the records of one object of data partition `partition`
  // (log range [first, last]): the objects to write (data by partition key set, then
  // processing-failed and partitioning-failed error outputs), keys derived from the range.
  Result<std::vector<ObjectWrite>> TransformedObjects(DeliveryStream& s, const RecordPipeline& pipeline,
                                                      const S3Destination& d, int64_t version,
                                                      const std::string& partition, uint64_t first, uint64_t last,
                                                      std::span<const std::string_view> records,
                                                      std::span<const RecordPlace> places);
  // Delivers every due partition of `s` (all of them with `force`, each until empty).
  Status DeliverPartitions(DeliveryStream& s, bool force) REQUIRES(s.delivery_mu) EXCLUDES(s.mu);
  // Delivers every record below `end` (Flush, Delete, UpdateDestination), giving up
  // after `attempts` failed writes of one object (0: retry with backoff, never give up).
  Status DeliverUpTo(DeliveryStream& s, uint64_t end, int attempts) EXCLUDES(s.mu, s.delivery_mu);
  // A Kinesis source: appends what the stream has beyond the position to the log.
  void PollSource(DeliveryStream& s) REQUIRES(s.delivery_mu) EXCLUDES(s.mu);
  // One pass over every stream: delivers what is due (the delivery thread's work).
  void RunDue() EXCLUDES(mu);
  void DeliverDue(DeliveryStream& s) REQUIRES(s.delivery_mu) EXCLUDES(s.mu);
  void Wake() EXCLUDES(loop_mu);
  void Loop() EXCLUDES(loop_mu);
};

}  // namespace sluice::delivery
