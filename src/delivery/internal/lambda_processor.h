// Internal to the delivery module: Firehose's Lambda processor. Given the records of one
// object (in log order), invokes the function through a RecordTransformer in batches and
// answers, per record, what Firehose does with it: deliver the returned data (Ok), drop
// it (Dropped), or send it to the error output under processing-failed (ProcessingFailed,
// a missing or duplicated recordId, a response that is not the status model, or an
// invocation that still fails after NumberOfRetries retries).
//
// Batches: at most BufferSizeInMBs of record bytes (Firehose's Lambda buffer) and at
// most 6 MiB of event (Lambda's synchronous payload limit); one record is never split.
// The invocationId and recordIds are derived from the log offsets, so a replay sends the
// function the same event again. Stateless; thread-safe if the transformer is.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "delivery/delivery.h"
#include "delivery/partition_keys.h"

namespace sluice::delivery {

// Lambda's synchronous invocation payload limit.
inline constexpr size_t kMaxTransformEventBytes = 6u << 20;

struct LambdaProcessorConfig {
  std::string arn;                    // LambdaArn
  int64_t retries = 3;                // NumberOfRetries (0..300)
  uint64_t buffer_bytes = 1u << 20;   // BufferSizeInMBs (0.2..3), default 1
  int64_t buffer_interval_s = 60;     // BufferIntervalInSeconds (60..900), recorded
};

// Reads the processor's parameters with AWS's defaults; InvalidArgument with the message
// for InvalidArgumentException when one is not a number in its range or LambdaArn is
// missing.
Result<LambdaProcessorConfig> LambdaProcessorConfigOf(const Processor& processor);

// A record read from a Kinesis stream (KinesisStreamAsSource): the event's
// kinesisRecordMetadata.
struct KinesisRecordMetadata {
  std::string shard_id;           // shardId
  std::string partition_key;      // partitionKey
  int64_t arrival_ms = 0;         // approximateArrivalTimestamp: its arrival in the stream
  std::string sequence_number;    // sequenceNumber
  int64_t subsequence_number = 0;  // subsequenceNumber: 0, or the index of a de-aggregated sub-record
};

struct TransformInput {
  std::string_view data;
  int64_t arrival_ms = 0;
  uint64_t offset = 0;    // the record's log offset
  std::string record_id;  // the RecordId PutRecord answered for it
  std::optional<KinesisRecordMetadata> kinesis;  // a Kinesis source's record
};

enum class TransformOutcome { kOk, kDropped, kFailed };

struct TransformOutput {
  TransformOutcome outcome = TransformOutcome::kFailed;
  std::string data;         // kOk: the returned bytes (base64-decoded)
  PartitionKeys keys;       // kOk: metadata.partitionKeys, if the function gave them
  std::string error_code;   // kFailed: errorCode / errorMessage as Firehose writes them
  std::string error_message;
  int64_t attempts = 0;     // invocations made for the record's batch
};

struct TransformContext {
  std::string stream_arn;
  std::string region;
  std::string stream_identity;  // makes invocationIds unique per stream
  std::string source_stream_arn;  // KinesisStreamAsSource: the event's sourceKinesisStreamArn
};

// Told of each invocation: whether the function answered, and how long it took.
using InvocationObserver = std::function<void(bool answered, int64_t duration_ms)>;

// One output per input, same order. `clock` times the invocations for `observe`.
// Unavailable when the transformer is (nothing is decided about the records then).
Result<std::vector<TransformOutput>> RunLambdaProcessor(const LambdaProcessorConfig& config, RecordTransformer& transformer,
                                                const TransformContext& context,
                                                std::span<const TransformInput> inputs, const Clock& clock,
                                                const InvocationObserver& observe = {});

// Firehose's processing-failed error record: one JSON line.
std::string LambdaErrorRecord(std::string_view raw, int64_t arrival_ms, const TransformOutput& failure,
                              std::string_view lambda_arn);

}  // namespace sluice::delivery
