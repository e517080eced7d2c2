// A Kinesis Data Streams client over the AWS JSON 1.1 protocol
// (POST /, X-Amz-Target: Kinesis_20131202.<Action>, SigV4-signed).
//
// Threading: a KinesisClient owns one HttpClient (one kept-alive connection) and is
// used by one thread at a time; make one per sender thread. Calls block. No call
// retries on its own: the caller decides, from KinesisError::retryable, because only
// the caller knows whether a repeat is safe (PutRecords may duplicate on a timeout).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "base/expected.h"
#include "aws/http_client.h"
#include "aws/kinesis_errors.h"
#include "base/clock.h"

namespace sluice::aws {

// Service limits from the Kinesis API reference, with the reason each matters here.
struct KinesisLimits {
  static constexpr size_t kMaxRecordsPerPutRecords = 500;              // per request
  static constexpr size_t kMaxPutRecordsRequestBytes = 5 * 1024 * 1024; // data + keys, before base64
  static constexpr size_t kMaxRecordBytes = 1024 * 1024;                // data + partition key
  static constexpr size_t kMaxPartitionKeyChars = 256;                  // Unicode characters
};

struct KinesisClientOptions {
  std::string endpoint;  // e.g. from EndpointFor("kinesis", region, --endpoint)
  std::string region;    // signing region; "us-east-1" if empty (local servers ignore it)
  Credentials credentials;
  HttpClientOptions http;
  const Clock* clock = nullptr;  // signing time; the real clock if null
};

template <typename T>
using KinesisResult = Expected<T, KinesisError>;

struct PutRecordsEntry {
  std::string data;           // raw bytes; base64 happens on the wire
  std::string partition_key;
  std::string explicit_hash_key;  // optional decimal 128-bit value
};

struct PutRecordsResultEntry {
  std::string sequence_number;
  std::string shard_id;
  std::string error_code;     // empty on success
  std::string error_message;
  bool ok() const { return error_code.empty(); }
};

struct PutRecordsOutput {
  int failed_record_count = 0;
  std::vector<PutRecordsResultEntry> records;  // same order and size as the request
};

struct PutRecordOutput {
  std::string sequence_number;
  std::string shard_id;
};

struct StreamSummary {
  std::string name;
  std::string arn;
  std::string status;  // CREATING | ACTIVE | UPDATING | DELETING
  int open_shard_count = 0;
  int retention_period_hours = 0;
};

struct ShardInfo {
  std::string shard_id;
  std::string parent_shard_id;
  std::string starting_hash_key;
  std::string ending_hash_key;
  std::string starting_sequence_number;
  std::string ending_sequence_number;  // empty while the shard is open
};

enum class ShardIteratorType { kTrimHorizon, kLatest, kAtSequenceNumber, kAfterSequenceNumber, kAtTimestamp };

struct KinesisRecord {
  std::string sequence_number;
  std::string partition_key;
  std::string data;  // decoded bytes
  double approximate_arrival_timestamp = 0;
};

struct GetRecordsOutput {
  std::vector<KinesisRecord> records;
  std::string next_shard_iterator;  // empty once a closed shard is fully read
  int64_t millis_behind_latest = 0;
};

class KinesisClient {
 public:
  explicit KinesisClient(KinesisClientOptions options);

  KinesisResult<PutRecordsOutput> PutRecords(std::string_view stream, std::span<const PutRecordsEntry> records);
  KinesisResult<PutRecordOutput> PutRecord(std::string_view stream, std::string_view data,
                                           std::string_view partition_key);
  KinesisResult<Done> CreateStream(std::string_view stream, int shard_count);
  KinesisResult<Done> DeleteStream(std::string_view stream);
  KinesisResult<StreamSummary> DescribeStreamSummary(std::string_view stream);
  // Follows NextToken until every shard is listed.
  KinesisResult<std::vector<ShardInfo>> ListShards(std::string_view stream);
  KinesisResult<std::string> GetShardIterator(std::string_view stream, std::string_view shard_id,
                                              ShardIteratorType type, std::string_view sequence_number = {},
                                              double timestamp = 0);
  KinesisResult<GetRecordsOutput> GetRecords(std::string_view shard_iterator, int limit = 10000);

  // Polls DescribeStreamSummary until the stream is ACTIVE or `timeout_ms` passes.
  KinesisResult<Done> WaitForActive(std::string_view stream, int64_t timeout_ms);

  // One signed call: `action` without the target prefix, `body` a JSON object text.
  // Returns the response body of a 2xx answer.
  KinesisResult<std::string> Call(std::string_view action, std::string body);

  // The PutRecords request body, exposed for tests and size accounting.
  static std::string EncodePutRecordsBody(std::string_view stream, std::span<const PutRecordsEntry> records);

 private:
  KinesisClientOptions options_;
  HttpClient http_;
};

}  // namespace sluice::aws
