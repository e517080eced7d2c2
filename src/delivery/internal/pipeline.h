// Internal to the delivery module: a destination's processing of one log record, from
// the bytes PutRecord gave to the pieces delivered and the buffer each goes to.
// Order, as Firehose applies them: RecordDeAggregation, the Lambda processor,
// MetadataExtraction (dynamic partitioning); AppendDelimiterToRecord acts on the object (a delimiter between its
// records, processing.h), so it is not applied here; neither is the Lambda processor,
// which runs on an object's records as a batch (lambda_processor.h). A record that fails
// de-aggregation or partitioning goes whole to the error output, wrapped as Firehose
// wraps it.
//
// Deterministic: the same record and configuration always give the same pieces and
// partitions, so an object can be rebuilt from the log after a crash.
// Immutable after Build; Process may run on several threads, each with its own
// JqExtractor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "delivery/delivery.h"
#include "delivery/jq_extract.h"
#include "delivery/partition_keys.h"
#include "delivery/prefix.h"
#include "internal/lambda_processor.h"

namespace sluice::delivery {

// Error output types, as Firehose writes them into `!{firehose:error-output-type}`.
inline constexpr std::string_view kPartitioningFailed = "partitioning-failed";
inline constexpr std::string_view kProcessingFailed = "processing-failed";
inline constexpr std::string_view kActivePartitionExceeded = "activePartitionExceeded";
// The errorCode and errorMessage of a record sent there (AWS's quota is 500 partitions;
// DeliveryOptions::max_active_partitions).
inline constexpr std::string_view kActivePartitionsExceededCode = "DynamicPartitioning.ActivePartitionsLimitExceeded";
inline constexpr std::string_view kActivePartitionsExceededMessage =
    "The number of active partitions exceeds the limit of 500.";

struct Routed {
  // The buffer: "" without dynamic partitioning, the key set as JSON with it, or
  // "!" + an error output type.
  std::string partition;
  std::string data;  // the bytes as delivered
};

// "!" + type: the partition of an error output type.
std::string ErrorPartition(std::string_view error_type);
// The error type of an error partition, or "" for a data partition.
std::string_view ErrorTypeOf(std::string_view partition);
// The key set of a data partition (its JSON); empty for "" and error partitions.
PartitionKeys KeysOf(std::string_view partition);

class RecordPipeline {
 public:
  // Checks what can only be checked by running it (the JQ query compiles, a delimiter
  // is valid base64): kInvalidArgument with the message for InvalidArgumentException.
  static Result<RecordPipeline> Build(const S3Destination& d, std::string stream_arn);

  // No routing: one piece per record, the record's bytes, partition "".
  bool trivial() const { return trivial_; }
  // AppendDelimiterToRecord: data objects get a delimiter between their records.
  bool delimiter() const { return delimiter_; }
  bool dynamic_partitioning() const { return dynamic_partitioning_; }
  // The Lambda processor, or nullptr. It runs when an object is built (the engine calls
  // RunLambdaProcessor on the object's records, split by Split first): the log's records
  // are not routed (trivial).
  const LambdaProcessorConfig* lambda() const { return lambda_ ? &*lambda_ : nullptr; }
  const PrefixTemplate& prefix() const { return prefix_; }
  // MetadataExtractionQuery ("" without one); with the Lambda processor it runs on the
  // records the function returned.
  const std::string& query() const { return query_; }

  void Process(std::string_view data, int64_t arrival_ms, JqExtractor& jq, std::vector<Routed>& out) const;
  // RecordDeAggregation alone: the record's sub-records (the record itself without it),
  // or why it does not split. Views into `data`.
  Result<std::vector<std::string_view>> Split(std::string_view data) const;
  // The bytes of a record sent to the error output: one JSON line as Firehose writes it.
  std::string ErrorRecord(std::string_view data, int64_t arrival_ms, std::string_view error_code,
                          std::string_view message) const;

 private:
  bool trivial_ = true;
  bool dynamic_partitioning_ = false;
  bool delimiter_ = false;
  std::string deaggregation_;  // "", "JSON" or "DELIMITED"
  std::string split_delimiter_;
  std::string query_;  // MetadataExtractionQuery
  PrefixTemplate prefix_;
  std::string stream_arn_;
  std::optional<LambdaProcessorConfig> lambda_;
};

}  // namespace sluice::delivery
