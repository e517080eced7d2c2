// Internal to the Firehose front end: the per-call metrics CloudWatch reports for the
// data plane (AWS/Firehose, dimension DeliveryStreamName): PutRecord.Bytes / .Latency /
// .Requests and PutRecordBatch.Bytes / .Latency / .Records / .Requests, recorded for
// each call the delivery stream accepted. (IncomingBytes and the other stream-level
// series are the delivery module's.) Handles are taken once per stream name.
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "base/mutex.h"
#include "metrics/metrics.h"

namespace sluice::frontends::firehose {

struct CallMetrics {
  metrics::Counter* bytes = nullptr;             // <Action>.Bytes (Bytes)
  metrics::Distribution* latency = nullptr;      // <Action>.Latency (Milliseconds)
  metrics::Counter* requests = nullptr;          // <Action>.Requests (Count)
  metrics::Counter* records = nullptr;           // PutRecordBatch.Records (Count); null for PutRecord
};

class PutMetrics {
 public:
  explicit PutMetrics(metrics::Registry& registry) : registry_(registry) {}
  // The handles of `action` ("PutRecord" or "PutRecordBatch") for `stream`.
  const CallMetrics& For(const std::string& action, const std::string& stream) EXCLUDES(mu_);

 private:
  metrics::Registry& registry_;
  Mutex mu_;
  std::map<std::string, CallMetrics, std::less<>> handles_ GUARDED_BY(mu_);  // action + "/" + stream
};

}  // namespace sluice::frontends::firehose
