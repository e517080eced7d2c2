// Log-bucketed histograms (histogram.h).
#include "histogram.h"

#include <algorithm>
#include <cmath>

namespace sluice::metrics::internal {
namespace {
const double kLogGamma = std::log(kGamma);
}  // namespace

int32_t BucketIndex(double magnitude) {
  return static_cast<int32_t>(std::ceil(std::log(magnitude) / kLogGamma));
}

double BucketValue(int32_t index) {
  return 2.0 * std::exp(index * kLogGamma) / (kGamma + 1.0);
}

void Histogram::AddTo(Buckets& buckets, int32_t index, double count) {
  auto it = std::lower_bound(buckets.begin(), buckets.end(), index,
                             [](const auto& b, int32_t i) { return b.first < i; });
  if (it != buckets.end() && it->first == index) {
    it->second += count;
  } else {
    buckets.insert(it, {index, count});
  }
}

void Histogram::Add(double value, double count) {
  // CloudWatch refuses non-finite values; one that gets here is not bucketed (its
  // bucket index would overflow).
  if (!(count > 0) || !std::isfinite(value)) return;
  const double magnitude = std::fabs(value);
  if (magnitude <= kMinMagnitude) {
    zero_ += count;
  } else {
    AddTo(value > 0 ? positive_ : negative_, BucketIndex(magnitude), count);
  }
}

void Histogram::MergeInto(Buckets& into, const Buckets& from) {
  if (from.empty()) return;
  Buckets merged;
  merged.reserve(into.size() + from.size());
  auto a = into.begin();
  auto b = from.begin();
  while (a != into.end() || b != from.end()) {
    if (b == from.end() || (a != into.end() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == into.end() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      merged.emplace_back(a->first, a->second + b->second);
      ++a;
      ++b;
    }
  }
  into = std::move(merged);
}

void Histogram::Merge(const Histogram& other) {
  MergeInto(positive_, other.positive_);
  MergeInto(negative_, other.negative_);
  zero_ += other.zero_;
}

double Histogram::TotalCount() const {
  double total = zero_;
  for (const auto& [i, c] : positive_) total += c;
  for (const auto& [i, c] : negative_) total += c;
  return total;
}

std::optional<double> Histogram::Percentile(double p, double lo, double hi) const {
  const double total = TotalCount();
  if (total <= 0) return std::nullopt;
  if (p <= 0) return lo;
  if (p >= 100) return hi;
  // The smallest value whose cumulative count reaches p % of the samples.
  const double rank = p / 100.0 * total;
  double seen = 0;
  auto clamp = [&](double v) { return std::clamp(v, lo, hi); };
  for (auto it = negative_.rbegin(); it != negative_.rend(); ++it) {
    seen += it->second;
    if (seen >= rank) return clamp(-BucketValue(it->first));
  }
  seen += zero_;
  if (seen >= rank) return clamp(0.0);
  for (const auto& [i, c] : positive_) {
    seen += c;
    if (seen >= rank) return clamp(BucketValue(i));
  }
  return hi;
}

Histogram Histogram::FromParts(Buckets positive, Buckets negative, double zero) {
  Histogram h;
  h.positive_ = std::move(positive);
  h.negative_ = std::move(negative);
  h.zero_ = zero;
  return h;
}

DenseBuckets::DenseBuckets() : base_(BucketIndex(kDenseLow)) {}

void DenseBuckets::Add(double value) {
  if (!(value > kMinMagnitude)) {  // zero, negative, NaN
    ++zero_;
    return;
  }
  const int slot = std::clamp(BucketIndex(std::clamp(value, kDenseLow, kDenseHigh)) - base_, 0,
                              kSize - 1);
  ++counts_[slot];
  lo_ = std::min(lo_, slot);
  hi_ = std::max(hi_, slot);
}

void DenseBuckets::DrainInto(Histogram& into, bool reset) {
  Histogram::Buckets positive;
  for (int slot = lo_; slot <= hi_; ++slot) {
    if (counts_[slot] == 0) continue;
    positive.emplace_back(base_ + slot, counts_[slot]);
    if (reset) counts_[slot] = 0;
  }
  into.Merge(Histogram::FromParts(std::move(positive), {}, zero_));
  if (reset) {
    zero_ = 0;
    lo_ = kSize;
    hi_ = -1;
  }
}

}  // namespace sluice::metrics::internal
