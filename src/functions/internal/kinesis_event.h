// Lambda's Kinesis event, byte for byte as Lambda sends it:
//   {"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"…",
//     "sequenceNumber":"…","data":"<base64>","approximateArrivalTimestamp":1545084650.987},
//     "eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"shardId-…:<seq>",
//     "eventName":"aws:kinesis:record","invokeIdentityArn":"<role ARN>",
//     "awsRegion":"<region>","eventSourceARN":"<stream ARN>"}, …]}
// approximateArrivalTimestamp is epoch seconds with the milliseconds as a fraction
// (trailing zeros dropped, at least one digit: 1545084650.9, 1545084650.0).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "functions/builtins.h"

namespace sluice::functions::internal {

struct EventSource {
  std::string_view event_source_arn;
  std::string_view region;
  std::string_view invoke_identity_arn;
};

// The bytes {"Records":[ and ]} add around the records (and one comma between two).
inline constexpr size_t kEventEnvelopeBytes = 14;

// Appends one record's JSON object (no separator).
void AppendRecordJson(std::string& out, const KinesisRecordView& r, const EventSource& src);
// Exactly the size AppendRecordJson appends, without building it.
size_t RecordJsonSize(const KinesisRecordView& r, const EventSource& src);
// The part of that size `src`'s members make, the same for every record of an event:
// computed once per batch, RecordJsonSize(r, SourceJsonSize(src)) is the size above.
size_t SourceJsonSize(const EventSource& src);
size_t RecordJsonSize(const KinesisRecordView& r, size_t source_json_size);
std::string BuildKinesisEvent(std::span<const KinesisRecordView> records, const EventSource& src);

std::string FormatEpochSeconds(int64_t ms);

// A record of an event a function received (data decoded).
struct EventRecord {
  std::string shard_id;
  std::string sequence_number;
  std::string partition_key;
  std::string data;
  int64_t arrival_ms = 0;
};
// The records of a Lambda Kinesis event; InvalidArgument naming what is wrong.
Result<std::vector<EventRecord>> ParseKinesisEvent(std::string_view event_json);
std::vector<KinesisRecordView> Views(const std::vector<EventRecord>& records);

}  // namespace sluice::functions::internal
