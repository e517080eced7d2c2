#include "internal/put_metrics.h"

namespace sluice::frontends::firehose {

const CallMetrics& PutMetrics::For(const std::string& action, const std::string& stream) {
  const std::string key = action + "/" + stream;
  const MutexLock lock(mu_);
  const auto it = handles_.find(key);
  if (it != handles_.end()) return it->second;
  const auto id = [&](const char* suffix) {
    return metrics::MakeId("AWS/Firehose", action + suffix, {{"DeliveryStreamName", stream}});
  };
  CallMetrics m;
  m.bytes = &registry_.GetCounter(id(".Bytes"), metrics::Unit::kBytes);
  m.latency = &registry_.GetDistribution(id(".Latency"), metrics::Unit::kMilliseconds);
  m.requests = &registry_.GetCounter(id(".Requests"), metrics::Unit::kCount);
  if (action == "PutRecordBatch") m.records = &registry_.GetCounter(id(".Records"), metrics::Unit::kCount);
  return handles_.emplace(key, m).first->second;
}

}  // namespace sluice::frontends::firehose
