// DeliveryManager: Kinesis Data Firehose semantics. A delivery stream owns one `log`
// (its durable buffer) and writes the records of that log into objects through an
// objects::ObjectStore, with AWS's buffering (SizeInMBs before compression or
// IntervalInSeconds from the oldest buffered record, whichever comes first; interval 0
// delivers as records arrive), key layout and compression.
//
// Exactly-once objects: an object holds a contiguous log range [first, last]. Before it
// is written, the range and its key are recorded in the catalog (pending); after the
// store has made it durable, the delivery checkpoint moves past `last` and pending is
// cleared in one transaction. A restart with a pending range rewrites exactly that key
// with exactly those records, so a crash at any point produces no duplicate and loses
// no acknowledged record. The delivery log is trimmed (whole segments) below the
// checkpoint.
//
// Failures of the destination (a missing or unwritable bucket) are retried with a
// capped exponential backoff; the records stay in the log and delivery resumes by
// itself. DeleteDeliveryStream first delivers what is buffered (AWS guarantees nothing
// for buffered data; sluice delivers it) unless AllowForceDelete is set or the
// destination keeps failing, then deletes the log.
//
// Threading: every method is thread-safe. Put appends asynchronously and calls back once
// the records are durable (never blocks on a sync). Control-plane calls commit to the
// catalog (blocking: run them off I/O threads). One delivery thread writes objects;
// Flush blocks until the stream's buffered records are delivered.
//
// Lifetime: the catalog, the object store and the stream manager (if given) must outlive
// the manager. Close() (or the destructor) stops the delivery thread and closes logs;
// what is buffered stays in the logs and is delivered after the next Open.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/expected.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "objects/object_store.h"

namespace sluice::stream {
class StreamManager;
}

namespace sluice::delivery {

// One enumerator per Firehose error `__type`.
enum class ErrorType {
  kResourceNotFound,
  kResourceInUse,
  kInvalidArgument,
  kLimitExceeded,
  kConcurrentModification,
  kServiceUnavailable,
  kInternalFailure,  // a storage failure; the detail goes to the server log
};
std::string_view ErrorName(ErrorType type);  // "ResourceNotFoundException", ...

using Error = sluice::Error<ErrorType>;
template <typename T>
using DResult = Expected<T, Error>;

// ------------------------------------------------------------------ configuration

struct BufferingHints {
  int64_t size_mb = 5;       // 1..128, bytes before compression
  int64_t interval_s = 300;  // 0..900; 0: deliver as records arrive
};

struct ProcessorParameter {
  std::string name;   // ParameterName
  std::string value;  // ParameterValue
};

struct Processor {
  std::string type;  // AppendDelimiterToRecord, MetadataExtraction, RecordDeAggregation, Lambda
  std::vector<ProcessorParameter> parameters;
};

struct ProcessingConfiguration {
  std::optional<bool> enabled;
  std::vector<Processor> processors;
};

struct CloudWatchLogging {
  std::optional<bool> enabled;
  std::string log_group_name;
  std::string log_stream_name;
};

// S3DestinationConfiguration, or ExtendedS3DestinationConfiguration (extended = true,
// and the fields only it has).
struct S3Destination {
  bool extended = false;
  std::string role_arn;
  std::string bucket_arn;  // arn:aws:s3:::bucket
  std::optional<std::string> prefix;
  std::optional<std::string> error_output_prefix;
  BufferingHints hints;
  std::string compression = "UNCOMPRESSED";
  std::optional<CloudWatchLogging> logging;
  std::optional<ProcessingConfiguration> processing;  // extended only
  std::optional<bool> dynamic_partitioning;           // extended only
  std::optional<int64_t> dynamic_partitioning_retry_s;
  std::string s3_backup_mode;                         // extended only; "" when not given
  std::string file_extension;
  std::string custom_time_zone;
};

struct KinesisSource {
  std::string stream_arn;
  std::string role_arn;
};

struct DeliveryStreamConfig {
  std::string name;
  std::string type = "DirectPut";  // or KinesisStreamAsSource
  std::optional<KinesisSource> source;
  S3Destination destination;
};

using Tags = std::vector<std::pair<std::string, std::string>>;

// Reads an S3DestinationConfiguration / ExtendedS3DestinationConfiguration given as JSON
// text with the API's member names (CloudFormation's properties use the same); absent
// members take the API's defaults, unknown ones are ignored. Ranges are checked by Create.
Result<S3Destination> S3DestinationFromJson(std::string_view json_text, bool extended);

struct DeliveryStreamInfo {
  DeliveryStreamConfig config;
  std::string arn;
  std::string status;  // CREATING | ACTIVE | DELETING
  int64_t version = 1;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  // For a Kinesis source: when delivery started reading it (LATEST at creation).
  int64_t source_start_ms = 0;
  Tags tags;  // by key
};

// What `sluice firehose ls` shows; counters named as CloudWatch names them.
struct DeliveryStats {
  std::string name;
  uint64_t buffered_bytes = 0;
  uint64_t buffered_records = 0;
  int64_t oldest_record_age_ms = -1;  // -1: nothing buffered
  uint64_t incoming_records = 0;      // IncomingRecords
  uint64_t incoming_bytes = 0;        // IncomingBytes
  uint64_t objects_written = 0;
  uint64_t delivered_records = 0;     // DeliveryToS3.Records
  uint64_t delivered_bytes = 0;       // DeliveryToS3.Bytes (before compression)
  uint64_t delivery_successes = 0;    // DeliveryToS3.Success (1 per object)
  uint64_t delivery_failures = 0;
  int64_t data_freshness_ms = -1;     // DeliveryToS3.DataFreshness of the last object
  std::string last_error;             // empty once a delivery succeeds again
};

// Firehose's Lambda processor (ProcessingConfiguration, Type Lambda) runs a function
// through this interface, so that delivery knows nothing of the functions module (which
// depends on delivery); src/cli implements it over functions::Invoker.
//
// The event is Firehose's transformation event (invocationId, deliveryStreamArn, region,
// records[recordId, approximateArrivalTimestamp, data in base64]; with a Kinesis source
// also sourceKinesisStreamArn and each record's kinesisRecordMetadata), at most 6 MiB; the
// answer is the function's response payload. Invoke blocks the delivery thread until the
// function answers (its Timeout bounds that). Thread-safe.
struct TransformResult {
  // "" when the function ran and returned; otherwise the errorCode Firehose writes for a
  // failed invocation ("Lambda.FunctionError", "Lambda.ResourceNotFound",
  // "Lambda.InvokeLimitExceeded", ...) and its errorMessage. Failed invocations are
  // retried NumberOfRetries times.
  std::string error_code;
  std::string error_message;
  std::string payload;  // the function's response (JSON text) when error_code is ""
  // The function cannot be called now (the server is starting or stopping): not an
  // attempt; the records stay buffered and delivery retries later with backoff.
  bool unavailable = false;
};

class RecordTransformer {
 public:
  virtual ~RecordTransformer() = default;
  virtual TransformResult Invoke(std::string_view function_arn, std::string event) = 0;
};

// Firehose's error logging (CloudWatchLoggingOptions): when a destination enables it,
// delivery writes each delivery error (a failed object write, a failed Lambda
// invocation, a record that fails processing or partitioning) as one JSON event to the
// log group and stream the options name; docs/compatibility.md lists the events. Through
// this interface delivery knows nothing of the functions module, which keeps the logs;
// src/cli implements it over functions::LogStore.
//
// Write is called from delivery's threads (never under a lock a Put needs) and may block
// on one file append. Best effort, as AWS's error log is: a failure is the sink's to
// report (in the server log), and delivery goes on. Thread-safe.
class ErrorLogSink {
 public:
  virtual ~ErrorLogSink() = default;
  virtual void Write(const std::string& group, const std::string& stream, int64_t timestamp_ms,
                     std::string message) = 0;
};

struct DeliveryOptions {
  std::string dir;  // <data dir>/delivery: one log per delivery stream
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  Clock* clock = nullptr;  // nullptr: Clock::Real()
  // false: no delivery thread; tests drive deliveries with RunDueDeliveries().
  bool start_thread = true;
  // The delivery thread's nice value, and so that of the threads it starts to write an
  // object: delivery is background work no request waits for, so it takes the CPU the
  // request threads leave instead of half of it (docs/benchmarks.md, firehose). 0 keeps
  // the server's priority.
  int thread_nice = 10;
  log::FsyncPolicy fsync = log::FsyncPolicy::kAlways;
  int64_t fsync_interval_ms = 1000;
  // Delivery logs are trimmed by whole segments below the checkpoint: small segments
  // that also roll by age keep the disk use near what is buffered.
  uint64_t segment_bytes = 8ull << 20;
  int64_t segment_max_age_ms = 60'000;
  // Backoff of a failing destination: doubles from the first value up to the cap.
  int64_t retry_initial_ms = 1'000;
  int64_t retry_max_ms = 30'000;
  // AWS's default quota of delivery streams per account and region.
  int64_t stream_limit = 5000;
  // AWS's per-delivery-stream quota for PutRecord and PutRecordBatch together
  // (requests/s, records/s, bytes/s; docs/compatibility.md): off by default; past it a
  // call is refused whole with ServiceUnavailableException.
  bool rate_limits = false;
  // Dynamic partitions of one stream holding buffered records at once (AWS's quota; with
  // the Lambda processor, the key sets of one delivery); records of further key sets go
  // to the error output as activePartitionExceeded.
  size_t max_active_partitions = 500;
  // The stream manager a KinesisStreamAsSource reads; nullptr refuses that type.
  stream::StreamManager* streams = nullptr;
  // Runs the Lambda processor's function; nullptr refuses a Lambda processor
  // (InvalidArgumentException). Must outlive the manager.
  RecordTransformer* transformer = nullptr;
  // Receives the error log of destinations with CloudWatchLoggingOptions enabled;
  // nullptr: the options are recorded and nothing is written. Must outlive the manager.
  ErrorLogSink* error_log = nullptr;
};

struct ListResult {
  std::vector<std::string> names;
  bool has_more = false;
};

class DeliveryManager {
 public:
  // Opens every delivery stream the catalog knows, reopens its log and resumes delivery
  // (a pending object first).
  // Metrics go to `metrics` in CloudWatch's AWS/Firehose namespace, dimension
  // DeliveryStreamName (docs/compatibility.md lists them); it must outlive the manager.
  static Result<std::unique_ptr<DeliveryManager>> Open(DeliveryOptions options, catalog::Catalog& catalog,
                                                       objects::ObjectStore& store,
                                                       metrics::Registry& metrics = metrics::NullRegistry());
  ~DeliveryManager();
  DeliveryManager(const DeliveryManager&) = delete;
  DeliveryManager& operator=(const DeliveryManager&) = delete;

  // Control plane (blocking: catalog commits, log opens). The configuration's shape has
  // been checked by the caller; the rules between fields are checked here
  // (InvalidArgumentException with AWS's messages).
  DResult<std::string> Create(const DeliveryStreamConfig& config, const Tags& tags);  // the ARN
  DResult<DeliveryStreamInfo> Describe(const std::string& name) const;
  ListResult List(std::optional<std::string> type, const std::string& exclusive_start, size_t limit) const;
  // Delivers what is buffered (unless allow_force_delete), then removes the stream.
  DResult<Done> Delete(const std::string& name, bool allow_force_delete);
  // Replaces the destination when `version_id` is current (ConcurrentModification
  // otherwise); what is buffered is delivered under the old configuration first.
  DResult<Done> UpdateDestination(const std::string& name, int64_t version_id, const S3Destination& destination);
  DResult<Done> Tag(const std::string& name, const Tags& tags);
  DResult<Done> Untag(const std::string& name, const std::vector<std::string>& keys);
  std::string ArnFor(const std::string& name) const;

  // Data plane. Appends `records` to the stream's log as one batch and calls `done` with
  // one RecordId per record once they are durable (on a log flusher thread, or inline
  // for an error found before the append).
  using PutCallback = std::function<void(DResult<std::vector<std::string>>)>;
  void Put(const std::string& name, std::span<const std::string_view> records, PutCallback done);

  // Operator action (sluice's extension): delivers everything buffered now, blocking
  // until it is durable in objects or the destination fails (the error is returned).
  DResult<DeliveryStats> Flush(const std::string& name);
  std::vector<DeliveryStats> Stats() const;

  // One pass of the delivery loop at the clock's time: delivers every stream whose
  // buffer is due. The delivery thread calls this; tests call it directly.
  void RunDueDeliveries();

  Status Close();

  struct Impl;

 private:
  explicit DeliveryManager(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::delivery
