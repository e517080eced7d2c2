// SparseIndex: for one segment, an entry every ~interval bytes mapping a batch's base
// offset to its file position, plus the newest arrival time of everything before it.
// Storing "max arrival so far" (not the batch's own time) keeps the entries sorted even
// when producers' clocks wobble, so a time lookup can binary-search and still never
// skip a record with arrival >= t. Not thread-safe; Segment guards it.
#pragma once

#include <cstdint>
#include <vector>

#include "log/format.h"

namespace sluice::log {

class SparseIndex {
 public:
  explicit SparseIndex(uint64_t interval_bytes) : interval_(interval_bytes) {}

  // Called for every batch appended or scanned, in file order.
  void OnBatch(Offset base, FilePosition pos, int64_t batch_max_arrival);

  // The last indexed batch with base offset <= `offset` (position 0 if none).
  format::IndexEntry LookupOffset(Offset offset) const;
  // Position from which a forward scan finds the first record with arrival >= t:
  // the last entry whose max_arrival_before < t (the start if none).
  format::IndexEntry LookupTime(int64_t t) const;

  int64_t max_arrival() const { return max_arrival_; }
  const std::vector<format::IndexEntry>& entries() const { return entries_; }
  // Restores the state saved in an index file.
  void Load(std::vector<format::IndexEntry> entries, uint64_t segment_bytes, int64_t max_arrival);

 private:
  format::IndexEntry First() const;

  uint64_t interval_;
  std::vector<format::IndexEntry> entries_;
  uint64_t next_index_pos_ = 0;     // the first batch at or past this gets an entry
  int64_t max_arrival_ = INT64_MIN; // over every batch seen
};

}  // namespace sluice::log
