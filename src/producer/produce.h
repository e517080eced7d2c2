// `sluice produce`: stream a CSV into a Kinesis stream (sluice or AWS), fast and
// without loss.
//
// One thread reads and parses the CSV (never holding more than a read buffer and
// the batches in flight), turns rows into JSON records (see record_builder.h) and
// groups them into PutRecords requests of at most 500 records / 5 MiB. `concurrency`
// sender threads each keep one connection and one request in flight. A sender
// re-sends only the records a response marks failed (and a whole request after a
// retryable error), waiting with exponential backoff and full jitter between
// attempts. Delivery is at least once: a request that timed out may have been stored,
// and is sent again.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "base/status.h"
#include "producer/progress.h"
#include "producer/produce_stats.h"
#include "producer/rate_limiter.h"

namespace sluice::producer {

struct ProduceOptions {
  std::string stream;     // required
  std::string csv = "-";  // path, or "-" for standard input
  // --endpoint; empty: AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL, the profile's
  // endpoint settings (aws/endpoint.h), else the AWS endpoint of `region`.
  std::string endpoint;
  std::string region;     // --region; else the environment or profile
  std::string profile;    // --profile
  std::string access_key_id, secret_access_key, session_token;  // explicit credentials
  // "uuid": the record's event_id (spreads load evenly over shards); anything else
  // names a CSV column whose value becomes the key (keeps a key's records on one shard).
  std::string partition_key = "uuid";
  double rate = 0;          // records per second; 0 means unlimited
  int concurrency = 4;      // requests in flight (sender threads), 1..256
  std::string rejects;      // file for malformed rows; empty means none
  bool strict = false;      // stop at the first malformed row
  int max_attempts = 15;    // per record, counting the first send
  BackoffPolicy backoff;
  // A batch still filling waits at most this long under --rate before it is sent.
  int64_t linger_ms = 200;
  ProgressMode progress = ProgressMode::kAuto;
  int64_t progress_interval_ms = 5'000;  // between plain lines
  uint64_t seed = 0;        // 0: event ids from the OS entropy; else reproducible (tests)
  int64_t request_timeout_ms = 30'000;
  std::FILE* log = stderr;  // progress, rejected-row reports, summary
};

// Runs a produce to completion. Returns the counters; a Status only for failures
// before the first record (bad options, unreadable CSV, no credentials). Records
// that could not be delivered are counted in records_failed, not returned as errors.
Result<ProduceStats> Produce(const ProduceOptions& options);

// The CLI entry point: Produce, then the summary line on options.log. Exit code 0
// when every record was delivered (and, under --strict, no row was malformed), 1
// when any was not or the run stopped early, 2 for bad options or setup failures.
int RunProduce(const ProduceOptions& options);

}  // namespace sluice::producer
