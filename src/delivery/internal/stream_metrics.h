// Internal to the delivery module: one delivery stream's handles into the metrics
// registry, in CloudWatch's AWS/Firehose namespace with dimension DeliveryStreamName and
// CloudWatch's names and units. Taken once when the stream is opened or created.
#pragma once

#include <string>
#include <string_view>

#include "metrics/metrics.h"

namespace sluice::delivery {

inline constexpr std::string_view kMetricsNamespace = "AWS/Firehose";

// The series of `metric` for delivery stream `name`.
metrics::MetricId FirehoseMetric(std::string_view metric, const std::string& name);

struct StreamMetrics {
  StreamMetrics(metrics::Registry& registry, const std::string& name);
  metrics::Counter& incoming_bytes;         // IncomingBytes (Bytes), per accepted call
  metrics::Counter& incoming_records;       // IncomingRecords (Count)
  metrics::Counter& incoming_put_requests;  // IncomingPutRequests (Count)
  metrics::Counter& throttled_records;      // ThrottledRecords (Count), per refused call
  metrics::Counter& s3_bytes;               // DeliveryToS3.Bytes (Bytes), per object
  metrics::Counter& s3_records;             // DeliveryToS3.Records (Count)
  metrics::Counter& s3_success;             // DeliveryToS3.Success: 1 per object, 0 per failed write
  metrics::Distribution& s3_freshness;      // DeliveryToS3.DataFreshness (Seconds)
  metrics::Distribution& processing_duration;  // ExecuteProcessing.Duration (Milliseconds), per invocation
  metrics::Counter& processing_success;        // ExecuteProcessing.Success: 1 or 0 per invocation
  metrics::Counter& succeed_records;           // SucceedProcessing.Records (Count): Ok records
  metrics::Counter& succeed_bytes;             // SucceedProcessing.Bytes (Bytes): their bytes
};

}  // namespace sluice::delivery
