#include "internal/stream_metrics.h"

namespace sluice::delivery {

using metrics::Unit;

metrics::MetricId FirehoseMetric(std::string_view metric, const std::string& name) {
  return metrics::MakeId(std::string(kMetricsNamespace), std::string(metric), {{"DeliveryStreamName", name}});
}

StreamMetrics::StreamMetrics(metrics::Registry& r, const std::string& name)
    : incoming_bytes(r.GetCounter(FirehoseMetric("IncomingBytes", name), Unit::kBytes)),
      incoming_records(r.GetCounter(FirehoseMetric("IncomingRecords", name), Unit::kCount)),
      incoming_put_requests(r.GetCounter(FirehoseMetric("IncomingPutRequests", name), Unit::kCount)),
      throttled_records(r.GetCounter(FirehoseMetric("ThrottledRecords", name), Unit::kCount)),
      s3_bytes(r.GetCounter(FirehoseMetric("DeliveryToS3.Bytes", name), Unit::kBytes)),
      s3_records(r.GetCounter(FirehoseMetric("DeliveryToS3.Records", name), Unit::kCount)),
      s3_success(r.GetCounter(FirehoseMetric("DeliveryToS3.Success", name), Unit::kCount)),
      s3_freshness(r.GetDistribution(FirehoseMetric("DeliveryToS3.DataFreshness", name), Unit::kSeconds)),
      processing_duration(
          r.GetDistribution(FirehoseMetric("ExecuteProcessing.Duration", name), Unit::kMilliseconds)),
      processing_success(r.GetCounter(FirehoseMetric("ExecuteProcessing.Success", name), Unit::kCount)),
      succeed_records(r.GetCounter(FirehoseMetric("SucceedProcessing.Records", name), Unit::kCount)),
      succeed_bytes(r.GetCounter(FirehoseMetric("SucceedProcessing.Bytes", name), Unit::kBytes)) {}

}  // namespace sluice::delivery
