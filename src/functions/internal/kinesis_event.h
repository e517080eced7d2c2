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
// What a tumbling window (TumblingWindowInSeconds > 0) adds after "Records", as Lambda's
// KinesisTimeWindowEvent has it:
//   ,"window":{"start":"2020-12-09T07:04:00Z","end":"2020-12-09T07:06:00Z"},"state":{…},
//   "shardId":"shardId-…","eventSourceARN":"…","isFinalInvokeForWindow":false,
//   "isWindowTerminatedEarly":false
struct WindowFields {
  int64_t start_ms = 0;    // whole seconds: windows are aligned to the epoch
  int64_t end_ms = 0;
  std::string_view state;  // a JSON object's text, inserted as it is
  std::string_view shard_id;
  bool final_invoke = false;
  bool terminated_early = false;
};
// Exactly the bytes those members add for `window` (its state included) and `src`.
size_t WindowFieldsSize(const WindowFields& window, const EventSource& src);

// The event of `records`; with `window`, a tumbling window's event.
std::string BuildKinesisEvent(std::span<const KinesisRecordView> records, const EventSource& src,
                              const WindowFields* window = nullptr);

// "2020-12-09T07:04:00Z": epoch milliseconds to UTC, whole seconds.
std::string FormatIsoSeconds(int64_t ms);

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
