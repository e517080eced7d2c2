#include "internal/lambda_metrics.h"

namespace sluice::functions {

using metrics::Unit;

LambdaMetrics::LambdaMetrics(metrics::Registry& registry) : registry_(registry), all_(Make("")) {}

LambdaMetrics::Series LambdaMetrics::Make(std::string_view function) {
  std::vector<metrics::Dimension> dims;
  if (!function.empty()) dims.push_back({"FunctionName", std::string(function)});
  auto id = [&](std::string_view name) { return metrics::MakeId(std::string(kLambdaNamespace), std::string(name), dims); };
  Series s;
  s.invocations = &registry_.GetCounter(id("Invocations"), Unit::kCount);
  s.errors = &registry_.GetCounter(id("Errors"), Unit::kCount);
  s.throttles = &registry_.GetCounter(id("Throttles"), Unit::kCount);
  s.concurrent = &registry_.GetCounter(id("ConcurrentExecutions"), Unit::kCount);
  s.duration = &registry_.GetDistribution(id("Duration"), Unit::kMilliseconds);
  s.iterator_age = &registry_.GetDistribution(id("IteratorAge"), Unit::kMilliseconds);
  return s;
}

LambdaMetrics::Series& LambdaMetrics::For(std::string_view function) {
  auto it = by_function_.find(function);
  if (it == by_function_.end()) it = by_function_.emplace(std::string(function), Make(function)).first;
  return it->second;
}

void LambdaMetrics::Started(std::string_view function) {
  const MutexLock lock(mu_);
  Series& f = For(function);
  f.concurrent->Add(static_cast<double>(++f.in_flight));
  all_.concurrent->Add(static_cast<double>(++all_.in_flight));
}

void LambdaMetrics::Finished(std::string_view function, double duration_ms, bool error) {
  const MutexLock lock(mu_);
  for (Series* s : {&For(function), &all_}) {
    --s->in_flight;
    s->invocations->Add(1);
    s->errors->Add(error ? 1 : 0);
    s->duration->Record(duration_ms);
  }
}

void LambdaMetrics::Throttled(std::string_view function) {
  const MutexLock lock(mu_);
  for (Series* s : {&For(function), &all_}) {
    --s->in_flight;
    s->throttles->Add(1);
  }
}

void LambdaMetrics::IteratorAge(std::string_view function, std::string_view mapping, double age_ms) {
  const MutexLock lock(mu_);
  For(function).iterator_age->Record(age_ms);
  all_.iterator_age->Record(age_ms);
  if (mapping.empty()) return;
  auto it = iterator_age_by_mapping_.find(mapping);
  if (it == iterator_age_by_mapping_.end()) {
    const metrics::MetricId id = metrics::MakeId(std::string(kLambdaNamespace), "IteratorAge",
                                                 {{std::string(kMappingDimension), std::string(mapping)}});
    it = iterator_age_by_mapping_.emplace(std::string(mapping), &registry_.GetDistribution(id, Unit::kMilliseconds)).first;
  }
  it->second->Record(age_ms);
}

}  // namespace sluice::functions
