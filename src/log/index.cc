#include "log/index.h"

#include <algorithm>

namespace sluice::log {

void SparseIndex::OnBatch(Offset base, FilePosition pos, int64_t batch_max_arrival) {
  if (pos.value() >= next_index_pos_) {
    entries_.push_back({base, pos, max_arrival_});
    next_index_pos_ = pos.value() + interval_;
  }
  max_arrival_ = std::max(max_arrival_, batch_max_arrival);
}

format::IndexEntry SparseIndex::First() const {
  return entries_.empty() ? format::IndexEntry{Offset(0), FilePosition(0), INT64_MIN} : entries_.front();
}

format::IndexEntry SparseIndex::LookupOffset(Offset offset) const {
  const auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                                   [](Offset o, const format::IndexEntry& e) { return o < e.offset; });
  if (it == entries_.begin()) return First();
  return *std::prev(it);
}

format::IndexEntry SparseIndex::LookupTime(int64_t t) const {
  // Entries are sorted by max_arrival_before (a running max), so partition_point works.
  const auto it = std::partition_point(entries_.begin(), entries_.end(),
                                       [t](const format::IndexEntry& e) { return e.max_arrival_before < t; });
  if (it == entries_.begin()) return First();
  return *std::prev(it);
}

void SparseIndex::Load(std::vector<format::IndexEntry> entries, uint64_t segment_bytes, int64_t max_arrival) {
  entries_ = std::move(entries);
  max_arrival_ = max_arrival;
  next_index_pos_ = entries_.empty() ? 0 : std::max(entries_.back().position.value() + interval_, segment_bytes);
}

}  // namespace sluice::log
