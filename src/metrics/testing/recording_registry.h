// RecordingRegistry: a Registry for tests that keeps every sample per series, so a
// test can assert what a module reported ("IncomingRecords for StreamName=s summed
// to 3"). Thread-safe; not for production (it grows without bound).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "metrics/metrics.h"

namespace sluice::metrics::testing {

class RecordingRegistry final : public Registry {
 public:
  struct Series {
    Unit unit = Unit::kNone;
    bool high_resolution = false;
    std::vector<double> samples;
  };

  Counter& CounterFor(const MetricId& id, Unit unit, bool high_resolution) override {
    return Handle(id, unit, high_resolution);
  }
  Distribution& DistributionFor(const MetricId& id, Unit unit, bool high_resolution) override {
    return Handle(id, unit, high_resolution);
  }
  Status Put(std::span<const Datum> data) override {
    std::lock_guard lock(mu_);
    for (const Datum& d : data) put_.push_back(d);
    return Status::OK();
  }

  // The samples recorded for a series (empty if it was never reported).
  std::vector<double> Samples(const MetricId& id) const {
    std::lock_guard lock(mu_);
    auto it = handles_.find(id);
    return it == handles_.end() ? std::vector<double>{} : it->second->series.samples;
  }
  double Sum(const MetricId& id) const {
    double sum = 0;
    for (double v : Samples(id)) sum += v;
    return sum;
  }
  // Whether a handle was taken for the series, and with which unit.
  std::optional<Unit> UnitOf(const MetricId& id) const {
    std::lock_guard lock(mu_);
    auto it = handles_.find(id);
    if (it == handles_.end()) return std::nullopt;
    return it->second->series.unit;
  }
  std::vector<MetricId> Ids() const {
    std::lock_guard lock(mu_);
    std::vector<MetricId> ids;
    for (const auto& [id, h] : handles_) ids.push_back(id);
    return ids;
  }
  std::vector<Datum> PutData() const {
    std::lock_guard lock(mu_);
    return put_;
  }

 private:
  class RecordingHandle final : public Counter, public Distribution {
   public:
    RecordingHandle(std::mutex& mu, Unit unit, bool high_resolution) : mu_(mu) {
      series.unit = unit;
      series.high_resolution = high_resolution;
    }
    void DoAdd(double value) override {
      std::lock_guard lock(mu_);
      series.samples.push_back(value);
    }
    void DoRecord(double value) override { DoAdd(value); }
    Series series;

   private:
    std::mutex& mu_;
  };

  RecordingHandle& Handle(const MetricId& id, Unit unit, bool high_resolution) {
    std::lock_guard lock(mu_);
    auto& slot = handles_[id];
    if (!slot) slot = std::make_unique<RecordingHandle>(mu_, unit, high_resolution);
    return *slot;
  }

  mutable std::mutex mu_;
  std::map<MetricId, std::unique_ptr<RecordingHandle>> handles_;
  std::vector<Datum> put_;
};

}  // namespace sluice::metrics::testing
