// Built-in native functions: Lambda functions that sluice runs in process, without a
// runtime process, because they are the reference pipeline's two consumers.
//
// Naming scheme: a function whose Handler is `sluice.builtin.<name>` is built-in; its
// Runtime is recorded but not used (any Runtime is accepted) and its code package may be
// any valid zip (it is not unpacked for running). Known names:
//
//   write_to_s3       One S3 object per batch holding a JSON array of the batch's
//                     records. Each record's data must be a JSON object; the element
//                     written is that object with "event_id" set to the record's
//                     sequence number. Key:
//                       context=write_to_s3/date=YYYY-MM-DD/YYYY_MM_DD_HH_<id>.json
//                     where the date and hour are the UTC approximate arrival time of
//                     the batch's first record and <id> is derived from the shard and
//                     the batch's first and last sequence numbers, so a retried batch
//                     overwrites its object instead of adding a duplicate.
//                     Environment: OUTPUT_BUCKET (required) names the bucket.
//   send_to_firehose  Each record's data (a JSON object) re-serialised as one line of
//                     JSON ending in "\n", sent to the delivery stream through the
//                     RecordSink in PutRecordBatch-sized groups (at most 500 records
//                     and 4 MiB per call). Environment: DELIVERY_STREAM_NAME (required).
//
// A record whose data is not a JSON object fails the batch as the reference's
// functions do (json.loads raises): an Unhandled function error naming the record.
//
// Schema validation (both built-ins): when the environment sets SCHEMA_S3_URI
// (s3://bucket/key of a JSON schema, drafts 4 to 7), each record is validated first.
// Invalid records (not JSON, or not satisfying the schema) are not passed on: they are
// written, one object per batch, as JSON lines {"function_name", "shard_id",
// "sequence_number", "partition_key", "approximate_arrival_timestamp", "reason",
// "data" (base64)} under
//   context=dead-letter/date=YYYY-MM-DD/YYYY_MM_DD_HH_<id>.json
// of DEAD_LETTER_BUCKET (default: OUTPUT_BUCKET; send_to_firehose needs it), and counted
// in the metric Sluice/Consumers InvalidRecords {FunctionName}. The valid records are
// handled as above. A schema that cannot be read fails the invocation (kInvalidRuntime).
//
// Threading: a BuiltinFunction may be called from several threads at once (mappings
// with a parallelization factor share one); it keeps no per-batch state.
// Durability: a batch succeeds only after the object store / sink acknowledged it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "base/status.h"
#include "functions/invoker.h"
#include "metrics/metrics.h"
#include "objects/object_store.h"

namespace sluice::functions {

// The handler prefix that selects a built-in function.
inline constexpr std::string_view kBuiltinHandlerPrefix = "sluice.builtin.";

// "write_to_s3" for "sluice.builtin.write_to_s3"; empty when `handler` does not start
// with the prefix (the function is not built-in).
std::string_view BuiltinNameFromHandler(std::string_view handler);

// Where send_to_firehose delivers: an interface so the functions module does not depend
// on how Firehose is wired (the delivery module, or a fake in tests).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Appends `records` (each one Firehose record's bytes) to the delivery stream, as
  // PutRecordBatch does; at most 500 records and 4 MiB per call. Succeeds only when
  // every record was accepted durably; a partial failure is returned as an error (the
  // caller retries the whole group; the batch is at-least-once anyway).
  virtual Status PutRecordBatch(std::string_view delivery_stream,
                                const std::vector<std::string>& records) = 0;
};

// PutRecordBatch's limits (Firehose API reference).
inline constexpr size_t kSinkMaxRecordsPerCall = 500;
inline constexpr size_t kSinkMaxBytesPerCall = 4u << 20;

// What a built-in needs from its function and from sluice.
struct BuiltinEnv {
  std::map<std::string, std::string> variables;  // the function's Environment.Variables
  objects::ObjectStore* store = nullptr;          // required by write_to_s3
  RecordSink* sink = nullptr;                     // required by send_to_firehose
  metrics::Registry* registry = nullptr;          // InvalidRecords (schema validation)
  std::string function_name;                      // the metric's FunctionName
};

// One Kinesis record as a mapping hands it to the fast path: the same fields as the
// Lambda event's record, with `data` raw (not base64). Views into the caller's batch;
// valid during the call only.
struct KinesisRecordView {
  std::string_view shard_id;         // "shardId-000000000000"
  std::string_view sequence_number;  // decimal digits
  std::string_view partition_key;
  std::string_view data;
  int64_t approximate_arrival_ms = 0;  // epoch milliseconds
};

class BuiltinFunction {
 public:
  virtual ~BuiltinFunction() = default;
  virtual std::string_view name() const = 0;

  // The Invoke path: `event_json` is a Lambda Kinesis event ({"Records":[...]} with
  // base64 data). A malformed event is an Unhandled function error, as a Python handler
  // raising on it would be.
  virtual InvokeOutcome HandleEvent(std::string_view event_json) = 0;

  // The mapping fast path: the same work on the batch's records directly, no JSON
  // event built or parsed. Same result as HandleEvent on the equivalent event.
  virtual InvokeOutcome HandleRecords(std::span<const KinesisRecordView> records) = 0;
};

// The built-in `name` (without the prefix) bound to `env`. kInvalidParameterValue-style
// problems (unknown name, a required environment variable or dependency missing) are
// reported as InvokeError kInvalidRuntime with a message naming what is missing, so a
// function created with a bad built-in fails when invoked, as a Lambda function with a
// bad handler does.
Expected<std::unique_ptr<BuiltinFunction>, InvokeError> MakeBuiltin(std::string_view name,
                                                                    BuiltinEnv env);

}  // namespace sluice::functions
