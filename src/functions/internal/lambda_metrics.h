// Lambda's CloudWatch metrics (namespace AWS/Lambda), each reported twice as AWS does:
// per function (dimension FunctionName) and across all functions (no dimension).
//   Invocations (Count)            one per invocation that ran, function errors included
//   Errors (Count)                 one per invocation that ended in a function error
//   Duration (Milliseconds)        a Distribution: percentiles are offered
//   Throttles (Count)              one per invocation refused for concurrency
//   ConcurrentExecutions (Count)   in-flight invocations, sampled as each one starts
//                                  (CloudWatch's Maximum statistic is the useful one)
//   IteratorAge (Milliseconds)     per event-source-mapping batch: now minus the arrival
//                                  of the batch's last record; also per mapping
//                                  (dimension EventSourceMappingUUID, as CloudWatch keys
//                                  event-source-mapping metrics)
// Thread-safe; handles are taken once per function and reused.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/mutex.h"
#include "metrics/metrics.h"

namespace sluice::functions {

inline constexpr std::string_view kLambdaNamespace = "AWS/Lambda";
inline constexpr std::string_view kMappingDimension = "EventSourceMappingUUID";

class LambdaMetrics {
 public:
  explicit LambdaMetrics(metrics::Registry& registry);

  // An invocation starts: ConcurrentExecutions is sampled with it counted.
  void Started(std::string_view function) EXCLUDES(mu_);
  // It ended after running `duration_ms`; `error`: a function error.
  void Finished(std::string_view function, double duration_ms, bool error) EXCLUDES(mu_);
  // It never ran (the concurrency limit); pairs with Started.
  void Throttled(std::string_view function) EXCLUDES(mu_);
  // `mapping`: the event-source mapping's UUID (empty: none, the per-mapping series is skipped).
  void IteratorAge(std::string_view function, std::string_view mapping, double age_ms) EXCLUDES(mu_);
  // Where the built-ins report their own series (Sluice/Consumers InvalidRecords).
  metrics::Registry& registry() const { return registry_; }

 private:
  struct Series {
    metrics::Counter* invocations = nullptr;
    metrics::Counter* errors = nullptr;
    metrics::Counter* throttles = nullptr;
    metrics::Counter* concurrent = nullptr;
    metrics::Distribution* duration = nullptr;
    metrics::Distribution* iterator_age = nullptr;
    int64_t in_flight = 0;
  };
  Series Make(std::string_view function);
  Series& For(std::string_view function) REQUIRES(mu_);

  metrics::Registry& registry_;
  Mutex mu_;
  Series all_ GUARDED_BY(mu_);
  std::map<std::string, Series, std::less<>> by_function_ GUARDED_BY(mu_);
  std::map<std::string, metrics::Distribution*, std::less<>> iterator_age_by_mapping_ GUARDED_BY(mu_);
};

}  // namespace sluice::functions
