// The record Lambda writes to an S3 on-failure destination when it gives up on records
// of a Kinesis mapping (retries exhausted, record too old), and its object key:
//   aws/lambda/<mapping UUID>/<shardId>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>
// Body (JSON, members in this order):
//   {"requestContext":{"requestId","functionArn","condition","approximateInvokeCount"},
//    "responseContext":{"statusCode","executedVersion","functionError"},  (if invoked)
//    "version":"1.0","timestamp":"<ISO 8601 ms Z>",
//    "KinesisBatchInfo":{"shardId","startSequenceNumber","endSequenceNumber",
//      "approximateArrivalOfFirstRecord","approximateArrivalOfLastRecord","batchSize",
//      "streamArn"},
//    "payload":<the Kinesis event of those records>}
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "functions/builtins.h"
#include "internal/kinesis_event.h"
#include "objects/object_store.h"

namespace sluice::functions::internal {

// How the last invocation of the records ended, when there was one.
struct ResponseContext {
  int status_code = 200;
  std::string function_error;  // "Unhandled" / "Handled", or empty
};

struct FailureRecord {
  std::string mapping_uuid;
  std::string function_arn;
  std::string condition;  // RetryAttemptsExhausted | RecordAgeExceeded
  int64_t invoke_count = 0;
  std::optional<ResponseContext> response;
  int64_t now_ms = 0;
};

std::string FormatIsoMillis(int64_t ms);
std::string OnFailureKey(const FailureRecord& f, std::string_view shard_id, std::string_view request_uuid);
std::string OnFailureBody(const FailureRecord& f, std::span<const KinesisRecordView> records,
                          const EventSource& src, std::string_view request_uuid);
// A random RFC 4122 version 4 UUID, lower-case.
std::string RandomUuid();

// Writes the record for `records` (non-empty, one shard) to `bucket`.
objects::ObjStatus WriteOnFailure(objects::ObjectStore& store, std::string_view bucket,
                                  const FailureRecord& f, std::span<const KinesisRecordView> records,
                                  const EventSource& src);

}  // namespace sluice::functions::internal
