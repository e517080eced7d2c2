// Groups records into PutRecords requests within the service's limits: at most 500
// records and 5 MiB (data plus partition keys) per request, at most 1 MiB per record
// and 256 characters per partition key. Not thread-safe; the reader thread owns it.
#pragma once

#include <cstddef>
#include <vector>

#include "aws/kinesis_client.h"
#include "base/status.h"

namespace sluice::producer {

struct BatchLimits {
  size_t max_records = aws::KinesisLimits::kMaxRecordsPerPutRecords;
  size_t max_bytes = aws::KinesisLimits::kMaxPutRecordsRequestBytes;
  size_t max_record_bytes = aws::KinesisLimits::kMaxRecordBytes;
};

struct Batch {
  std::vector<aws::PutRecordsEntry> records;
  size_t bytes = 0;  // data + partition keys, as the service counts them
};

// The bytes a record counts for against the limits.
size_t RecordCost(const aws::PutRecordsEntry& e);

class Batcher {
 public:
  explicit Batcher(BatchLimits limits = {}) : limits_(limits) {}

  // Whether a record can be sent at all: non-empty key of at most 256 characters and
  // a cost within max_record_bytes. InvalidArgument says which limit it breaks.
  Status Check(const aws::PutRecordsEntry& e) const;
  // Whether `e` fits in the current batch without breaking a limit.
  bool Fits(const aws::PutRecordsEntry& e) const;
  // Appends; the caller has made sure it Fits (else the batch is taken first).
  void Add(aws::PutRecordsEntry e);
  bool full() const { return current_.records.size() >= limits_.max_records; }
  bool empty() const { return current_.records.empty(); }
  size_t size() const { return current_.records.size(); }
  // Hands over the current batch and starts a new one.
  Batch Take();

 private:
  BatchLimits limits_;
  Batch current_;
};

}  // namespace sluice::producer
