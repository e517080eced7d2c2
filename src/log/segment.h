// Segment: one <base>.log file and its sparse index. The file content is immutable
// below size() except for the active segment's tail, which only the Log's append path
// extends. Thread-safe: readers hold a shared_ptr and query it while the writer appends;
// a deleted segment stays readable until the last reader drops it (POSIX unlink).
#pragma once

#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/file_system.h"
#include "log/format.h"
#include "log/index.h"

namespace sluice::log {

class Segment {
 public:
  Segment(std::string path, Offset base, std::unique_ptr<RandomAccessFile> file, uint64_t index_interval);

  const std::string& path() const { return path_; }
  Offset base() const { return base_; }
  const RandomAccessFile& file() const { return *file_; }

  // Records a batch written (or found by a scan) at the current end.
  void OnBatch(const format::BatchHeader& h, uint64_t batch_bytes);
  // Restores sizes and index from a validated index file (sealed segments only).
  void LoadIndex(const format::IndexFile& f);
  // Declares where a sealed segment ends when only part of it could be scanned.
  void SetNextOffset(Offset next);
  format::IndexFile ToIndexFile() const;

  uint64_t size() const;
  Offset next_offset() const;
  bool empty() const;
  int64_t max_arrival() const;
  // Arrival time of the first batch, for age-based rolling (INT64_MAX when empty).
  int64_t first_arrival() const;

  format::IndexEntry LookupOffset(Offset offset) const;
  format::IndexEntry LookupTime(int64_t t) const;

 private:
  const std::string path_;
  const Offset base_;
  const std::unique_ptr<RandomAccessFile> file_;
  mutable Mutex mu_;
  SparseIndex index_ GUARDED_BY(mu_);
  uint64_t size_ GUARDED_BY(mu_) = 0;
  Offset next_offset_ GUARDED_BY(mu_);
  int64_t first_arrival_ GUARDED_BY(mu_) = INT64_MAX;
};

}  // namespace sluice::log
