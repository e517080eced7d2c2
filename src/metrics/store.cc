// Store: the registry and reader over one stored history (metrics.h).
//
// Samples recorded through handles wait in the handles until a fold; a fold drains
// them into the datapoints of the second (high-resolution series) and the minute that
// contain "now - 1 ms", so with the background fold running every second a sample lands
// in the second it was recorded in (give or take the fold's lag). PutMetricData datums
// go straight to the datapoints of their own timestamps. Every datapoint is kept in
// memory for its retention; what changed since the last write is kept aside and written
// once its period has ended (at shutdown, all of it), so a period normally costs one
// record. Files are read back at Open.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>
#include <vector>

#include "base/file_system.h"
#include "base/mutex.h"
#include "aggregate.h"
#include "handles.h"
#include "point_file.h"
#include "prometheus.h"
#include "metrics/metrics.h"
#include "base/thread_name.h"

namespace sluice::metrics {
namespace {

using internal::Aggregate;
using internal::CounterImpl;
using internal::DistributionImpl;
using internal::HandleInfo;
using internal::StoredPoint;

// The two resolutions: period, how long CloudWatch keeps them, the time span of one
// file, and the file name prefix.
struct Resolution {
  int64_t period_ms;
  int64_t retention_ms;
  int64_t chunk_ms;
  char prefix;
};
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr int kSeconds = 0;
constexpr int kMinutes = 1;
constexpr Resolution kResolutions[2] = {
    {1'000, 3 * kHourMs, kHourMs, 's'},
    {60'000, 15 * kDayMs, kDayMs, 'm'},
};

int64_t FloorTo(int64_t t, int64_t step) {
  const int64_t r = t % step;
  return r < 0 ? t - r - step : t - r;
}

// history: per resolution, per unit, period start -> datapoint.
struct SeriesData {
  std::map<Unit, std::map<int64_t, Aggregate>> points[2];
  bool empty() const { return points[0].empty() && points[1].empty(); }
};

struct PendingKey {
  int res;
  int64_t start;
  MetricId id;
  Unit unit;
  auto operator<=>(const PendingKey&) const = default;
};

// "s-1700000000.pts" -> (resolution, chunk start ms).
std::optional<std::pair<int, int64_t>> ParseFileName(std::string_view name) {
  if (name.size() < 7 || name[1] != '-' || !name.ends_with(".pts")) return std::nullopt;
  int res = -1;
  for (int r : {kSeconds, kMinutes}) {
    if (name[0] == kResolutions[r].prefix) res = r;
  }
  if (res < 0) return std::nullopt;
  std::string_view digits = name.substr(2, name.size() - 6);
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return std::pair{res, seconds * 1000};
}

std::string FileName(int res, int64_t chunk_start_ms) {
  return std::string(1, kResolutions[res].prefix) + "-" + std::to_string(chunk_start_ms / 1000) +
         ".pts";
}

class StoreImpl final : public Store {
 public:
  explicit StoreImpl(StoreOptions options) : options_(std::move(options)) {}
  ~StoreImpl() override { Shutdown(); }

  Status Load();
  void StartBackground() { thread_ = std::thread([this] { Loop(); }); }

  Status Put(std::span<const Datum> data) override;
  Result<std::vector<StatisticsPoint>> Statistics(const StatisticsQuery& query) const override;
  std::vector<MetricId> List(const ListFilter& filter) const override;
  Status Fold() override { return FoldImpl(false); }
  std::string PrometheusText() const override;
  void Shutdown() override;

 protected:
  Counter& CounterFor(const MetricId& id, Unit unit, bool high_resolution) override {
    MutexLock lock(handles_mu_);
    auto& slot = counters_[id];
    if (!slot) slot = std::make_unique<CounterImpl>(HandleInfo{id, unit, high_resolution});
    return *slot;
  }
  Distribution& DistributionFor(const MetricId& id, Unit unit, bool high_resolution) override {
    MutexLock lock(handles_mu_);
    auto& slot = distributions_[id];
    if (!slot) slot = std::make_unique<DistributionImpl>(HandleInfo{id, unit, high_resolution});
    return *slot;
  }

 private:
  struct Total {
    Unit unit = Unit::kNone;
    bool counter = false;
    Aggregate aggregate;
  };

  Status FoldImpl(bool final) EXCLUDES(mu_, handles_mu_);
  void Loop();
  void AddLocked(const MetricId& id, Unit unit, bool high_resolution, int64_t timestamp_ms,
                 const Aggregate& a, bool counter, int64_t now) REQUIRES(mu_);
  void PruneLocked(int64_t now) REQUIRES(mu_);
  Status WriteFile(const std::string& name, const std::string& records);
  Status DropExpiredFiles(int64_t now);

  const StoreOptions options_;
  FileSystem& fs_ = FileSystem::Posix();

  mutable Mutex handles_mu_;
  std::map<MetricId, std::unique_ptr<CounterImpl>> counters_ GUARDED_BY(handles_mu_);
  std::map<MetricId, std::unique_ptr<DistributionImpl>> distributions_ GUARDED_BY(handles_mu_);

  mutable Mutex mu_;
  std::map<MetricId, SeriesData> history_ GUARDED_BY(mu_);
  std::map<PendingKey, Aggregate> unwritten_ GUARDED_BY(mu_);
  std::map<MetricId, Total> totals_ GUARDED_BY(mu_);  // since Open, for Prometheus

  Mutex fold_mu_;  // one fold at a time; file writes run under it, outside mu_
  int64_t last_file_sweep_ms_ GUARDED_BY(fold_mu_) = 0;

  Mutex stop_mu_;
  CondVar stop_cv_;
  bool stop_ GUARDED_BY(stop_mu_) = false;
  bool shut_down_ GUARDED_BY(stop_mu_) = false;
  std::thread thread_;
};

Status StoreImpl::Load() {
  RETURN_IF_ERROR(fs_.CreateDirs(options_.dir));
  const int64_t now = options_.clock->NowMillis();
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_.ListDir(options_.dir));
  std::sort(names.begin(), names.end());
  MutexLock lock(mu_);
  for (const std::string& name : names) {
    auto parsed = ParseFileName(name);
    if (!parsed) continue;
    const auto [res, chunk_start] = *parsed;
    const std::string path = options_.dir + "/" + name;
    const Resolution& r = kResolutions[res];
    if (chunk_start + r.chunk_ms + r.retention_ms <= now) {
      RETURN_IF_ERROR(fs_.Remove(path));
      continue;
    }
    ASSIGN_OR_RETURN(std::string contents, ReadWholeFile(fs_, path));
    // Collected first and merged here, under the lock, where the analysis can see it.
    std::vector<StoredPoint> points;
    auto valid = internal::DecodePoints(contents, [&](StoredPoint p) {
      if (p.period_start_ms + r.period_ms + r.retention_ms <= now) return;
      points.push_back(std::move(p));
    });
    for (StoredPoint& p : points) {
      history_[p.id].points[res][p.unit][p.period_start_ms].Merge(p.aggregate);
    }
    if (!valid.ok()) return valid.status().WithContext(path);
    if (*valid < contents.size()) {
      spdlog::warn("msg=\"metrics torn tail truncated\" file=\"{}\" valid={} size={}", path,
                   *valid, contents.size());
      ASSIGN_OR_RETURN(auto f, fs_.OpenWritable(path, OpenMode::kOpenExisting));
      RETURN_IF_ERROR(f->Truncate(*valid));
      RETURN_IF_ERROR(f->Sync());
      RETURN_IF_ERROR(f->Close());
    }
  }
  return Status::OK();
}

void StoreImpl::AddLocked(const MetricId& id, Unit unit, bool high_resolution,
                          int64_t timestamp_ms, const Aggregate& a, bool counter, int64_t now) {
  for (int res : {kSeconds, kMinutes}) {
    if (res == kSeconds && !high_resolution) continue;
    const Resolution& r = kResolutions[res];
    const int64_t start = FloorTo(timestamp_ms, r.period_ms);
    if (start + r.period_ms + r.retention_ms <= now) continue;
    history_[id].points[res][unit][start].Merge(a);
    unwritten_[PendingKey{res, start, id, unit}].Merge(a);
  }
  Total& t = totals_[id];
  if (t.aggregate.empty()) {
    t.unit = unit;
    t.counter = counter;
  }
  t.aggregate.Merge(a);
}

Status StoreImpl::Put(std::span<const Datum> data) {
  const int64_t now = options_.clock->NowMillis();
  std::vector<Aggregate> aggregates;
  aggregates.reserve(data.size());
  for (const Datum& d : data) {
    Aggregate a;
    const int kinds = (d.value ? 1 : 0) + (d.values.empty() ? 0 : 1) + (d.statistic_values ? 1 : 0);
    if (kinds != 1) {
      return Status::InvalidArgument("a datum has exactly one of Value, Values, StatisticValues");
    }
    if (!d.counts.empty() && d.counts.size() != d.values.size()) {
      return Status::InvalidArgument("Counts must have as many entries as Values");
    }
    if (d.value) a.AddValue(*d.value, 1);
    for (size_t i = 0; i < d.values.size(); ++i) {
      a.AddValue(d.values[i], d.counts.empty() ? 1 : d.counts[i]);
    }
    if (d.statistic_values) {
      a.has_histogram = false;
      a.MergeStats(*d.statistic_values);
    }
    aggregates.push_back(std::move(a));
  }
  MutexLock lock(mu_);
  for (size_t i = 0; i < data.size(); ++i) {
    if (aggregates[i].empty()) continue;
    const Datum& d = data[i];
    AddLocked(d.id, d.unit, d.storage_resolution == kHighResolution, d.timestamp_ms,
              aggregates[i], /*counter=*/false, now);
  }
  return Status::OK();
}

void StoreImpl::PruneLocked(int64_t now) {
  for (auto it = history_.begin(); it != history_.end();) {
    for (int res : {kSeconds, kMinutes}) {
      auto& by_unit = it->second.points[res];
      const int64_t cutoff = now - kResolutions[res].retention_ms;
      for (auto u = by_unit.begin(); u != by_unit.end();) {
        auto& points = u->second;
        // A point goes once its whole period is older than the retention.
        points.erase(points.begin(), points.lower_bound(cutoff - kResolutions[res].period_ms + 1));
        u = points.empty() ? by_unit.erase(u) : std::next(u);
      }
    }
    it = it->second.empty() ? history_.erase(it) : std::next(it);
  }
}

Status StoreImpl::FoldImpl(bool final) {
  MutexLock fold(fold_mu_);
  const int64_t now = options_.clock->NowMillis();
  struct Drained {
    const HandleInfo* info;
    bool counter;
    Aggregate aggregate;
  };
  std::vector<Drained> drained;
  {
    MutexLock lock(handles_mu_);
    for (auto& [id, c] : counters_) {
      Aggregate a = c->Take(true);
      if (!a.empty()) drained.push_back({&c->info(), true, std::move(a)});
    }
    for (auto& [id, d] : distributions_) {
      Aggregate a = d->Take(true);
      if (!a.empty()) drained.push_back({&d->info(), false, std::move(a)});
    }
  }
  std::map<std::string, std::string> files;  // name -> records to append
  std::vector<std::pair<PendingKey, Aggregate>> writing;
  {
    MutexLock lock(mu_);
    for (const Drained& d : drained) {
      AddLocked(d.info->id, d.info->unit, d.info->high_resolution, now - 1, d.aggregate,
                d.counter, now);
    }
    for (auto it = unwritten_.begin(); it != unwritten_.end();) {
      const Resolution& r = kResolutions[it->first.res];
      if (!final && it->first.start + r.period_ms > now) {
        ++it;
        continue;
      }
      StoredPoint p{it->first.id, it->first.unit, it->first.start, it->second};
      internal::EncodePoint(p, files[FileName(it->first.res, FloorTo(it->first.start, r.chunk_ms))]);
      writing.emplace_back(it->first, std::move(it->second));
      it = unwritten_.erase(it);
    }
    PruneLocked(now);
  }
  Status result;
  for (const auto& [name, records] : files) {
    Status st = WriteFile(name, records);
    if (!st.ok() && result.ok()) result = st;
  }
  if (!result.ok()) {
    // Keep what was not written for the next fold (a record may then be written twice:
    // a write that failed after its bytes reached the file; the merge at load counts it
    // twice, the price of not tracking partial writes).
    MutexLock lock(mu_);
    for (auto& [key, a] : writing) unwritten_[key].Merge(a);
    return result;
  }
  if (final || now - last_file_sweep_ms_ >= 60'000) {
    last_file_sweep_ms_ = now;
    RETURN_IF_ERROR(DropExpiredFiles(now));
  }
  return Status::OK();
}

Status StoreImpl::WriteFile(const std::string& name, const std::string& records) {
  const std::string path = options_.dir + "/" + name;
  auto info = fs_.Stat(path);
  const bool exists = info.ok();
  if (!exists && info.status().code() != StatusCode::kNotFound) return info.status();
  ASSIGN_OR_RETURN(auto f, fs_.OpenWritable(path, exists ? OpenMode::kOpenExisting
                                                         : OpenMode::kCreateOrTruncate));
  ASSIGN_OR_RETURN(uint64_t size, f->Size());
  if (size == 0) RETURN_IF_ERROR(WriteAll(*f, internal::kPointFileMagic));
  RETURN_IF_ERROR(WriteAll(*f, records));
  RETURN_IF_ERROR(f->Sync());
  RETURN_IF_ERROR(f->Close());
  if (!exists) RETURN_IF_ERROR(fs_.SyncDir(options_.dir));
  return Status::OK();
}

Status StoreImpl::DropExpiredFiles(int64_t now) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_.ListDir(options_.dir));
  bool removed = false;
  for (const std::string& name : names) {
    auto parsed = ParseFileName(name);
    if (!parsed) continue;
    const Resolution& r = kResolutions[parsed->first];
    if (parsed->second + r.chunk_ms + r.retention_ms > now) continue;
    RETURN_IF_ERROR(fs_.Remove(options_.dir + "/" + name));
    removed = true;
  }
  if (removed) RETURN_IF_ERROR(fs_.SyncDir(options_.dir));
  return Status::OK();
}

void StoreImpl::Loop() {
  NameThisThread("metrics-store");
  MutexLock lock(stop_mu_);
  while (!stop_) {
    // Wake just after the next second boundary, so a fold closes the second that ended.
    const int64_t now = options_.clock->NowMillis();
    stop_cv_.WaitFor(stop_mu_, std::chrono::milliseconds(1000 - now % 1000 + 5));
    if (stop_) break;
    lock.Unlock();
    Status st = FoldImpl(false);
    if (!st.ok()) spdlog::error("msg=\"metrics fold failed\" error=\"{}\"", st.ToString());
    lock.Lock();
  }
}

void StoreImpl::Shutdown() {
  {
    MutexLock lock(stop_mu_);
    if (shut_down_) return;
    shut_down_ = true;
    stop_ = true;
    stop_cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
  Status st = FoldImpl(true);
  if (!st.ok()) spdlog::error("msg=\"metrics final fold failed\" error=\"{}\"", st.ToString());
}

Result<std::vector<StatisticsPoint>> StoreImpl::Statistics(const StatisticsQuery& q) const {
  const int32_t p = q.period_s;
  if (p <= 0 || (p < 60 && 60 % p != 0) || (p >= 60 && p % 60 != 0)) {
    return Status::InvalidArgument("The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60.");
  }
  const int64_t now = options_.clock->NowMillis();
  const int64_t period_ms = int64_t{p} * 1000;
  int res = kMinutes;
  int64_t start = 0;
  if (p < 60) {
    // Sub-minute periods start on even divisions of the minute.
    res = kSeconds;
    start = FloorTo(q.start_ms, period_ms);
  } else {
    // CloudWatch rounds the start by its age: a minute within 15 days, 5 minutes within
    // 63 days, an hour beyond.
    const int64_t age = now - q.start_ms;
    const int64_t step = age < 15 * kDayMs ? 60'000 : age < 63 * kDayMs ? 300'000 : kHourMs;
    start = FloorTo(q.start_ms, step);
  }
  std::map<std::pair<int64_t, Unit>, Aggregate> buckets;
  {
    MutexLock lock(mu_);
    auto series = history_.find(q.id);
    if (series == history_.end()) return std::vector<StatisticsPoint>{};
    // Points past their retention that no fold has dropped yet are not answered.
    const int64_t oldest = now - kResolutions[res].retention_ms - kResolutions[res].period_ms + 1;
    for (const auto& [unit, points] : series->second.points[res]) {
      if (q.unit && *q.unit != unit) continue;
      for (auto it = points.lower_bound(std::max(start, oldest)); it != points.end() && it->first < q.end_ms; ++it) {
        const int64_t bucket = start + (it->first - start) / period_ms * period_ms;
        buckets[{bucket, unit}].Merge(it->second);
      }
    }
  }
  std::vector<StatisticsPoint> out;
  out.reserve(buckets.size());
  for (const auto& [key, a] : buckets) {
    StatisticsPoint point{key.first, key.second, {}};
    point.values.reserve(q.statistics.size());
    for (const Statistic& s : q.statistics) point.values.push_back(a.Compute(s));
    out.push_back(std::move(point));
  }
  return out;
}

std::vector<MetricId> StoreImpl::List(const ListFilter& f) const {
  const int64_t active_since = options_.clock->NowMillis() - 3 * kHourMs;
  std::vector<MetricId> out;
  MutexLock lock(mu_);
  for (const auto& [id, data] : history_) {
    if (f.ns && *f.ns != id.ns) continue;
    if (f.name && *f.name != id.name) continue;
    const bool dims_match = std::all_of(f.dimensions.begin(), f.dimensions.end(), [&](const Dimension& want) {
      return std::any_of(id.dimensions.begin(), id.dimensions.end(), [&](const Dimension& have) {
        return have.name == want.name && (want.value.empty() || have.value == want.value);
      });
    });
    if (!dims_match) continue;
    if (f.recently_active) {
      bool active = false;
      for (const auto& [unit, points] : data.points[kMinutes]) {
        if (!points.empty() && points.rbegin()->first + 60'000 > active_since) active = true;
      }
      if (!active) continue;
    }
    out.push_back(id);
  }
  return out;
}

std::string StoreImpl::PrometheusText() const {
  std::map<MetricId, Total> totals;
  {
    MutexLock lock(mu_);
    totals = totals_;
  }
  // What the handles hold that no fold has taken yet.
  {
    MutexLock lock(handles_mu_);
    auto add = [&](const HandleInfo& info, bool counter, const Aggregate& a) {
      if (a.empty()) return;
      Total& t = totals[info.id];
      if (t.aggregate.empty()) {
        t.unit = info.unit;
        t.counter = counter;
      }
      t.aggregate.Merge(a);
    };
    for (const auto& [id, c] : counters_) add(c->info(), true, c->Take(false));
    for (const auto& [id, d] : distributions_) add(d->info(), false, d->Take(false));
  }
  std::vector<internal::PromSeries> series;
  series.reserve(totals.size());
  for (auto& [id, t] : totals) {
    series.push_back({&id, t.unit, t.counter, &t.aggregate});
  }
  return internal::RenderPrometheus(series);
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(StoreOptions options) {
  if (options.dir.empty()) return Status::InvalidArgument("metrics store needs a directory");
  if (options.clock == nullptr) options.clock = &Clock::Real();
  const bool background = options.background_fold;
  auto store = std::make_unique<StoreImpl>(std::move(options));
  RETURN_IF_ERROR(store->Load());
  if (background) store->StartBackground();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace sluice::metrics
