// Segment: one <base>.log file and its sparse index. The file content is immutable
// below size() except for the active segment's tail, which only the Log's append path
// extends. Thread-safe: readers hold a shared_ptr and query it while the writer appends.
//
// Descriptors: a segment starts pinned, holding the read handle it was created with
// (a new active segment, whose file may still carry its pending name, and segments
// being scanned at open). Once its file has its final name, the log unpins it: the
// handle moves to the shared FileCache and later reads reopen the file by path through
// the cache, so a segment holds no read descriptor of its own. A reader that
// got a handle keeps reading it even if retention unlinks the file meanwhile; a reader
// that must reopen a deleted file gets NotFound.
#pragma once

#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/file_system.h"
#include "log/file_cache.h"
#include "log/format.h"
#include "log/index.h"

namespace sluice::log {

class Segment {
 public:
  // `cache` must outlive the segment; `file` is `path` opened for reading (pinned).
  Segment(std::string path, Offset base, FileSystem& fs, FileCache& cache, std::unique_ptr<RandomAccessFile> file,
          uint64_t index_interval);
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  const std::string& path() const { return path_; }
  Offset base() const { return base_; }
  // A handle to read the file: the pinned one, or the cache's (opened on a miss, which
  // can fail, e.g. with EMFILE, or NotFound once retention removed the file).
  Result<FileCache::Handle> OpenFile() const EXCLUDES(mu_);
  // Hands the pinned handle to the cache. Only once the file has its final name.
  void Unpin() EXCLUDES(mu_);

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
  FileSystem& fs_;
  FileCache& cache_;
  const uint64_t cache_key_;
  mutable Mutex mu_;
  FileCache::Handle pinned_ GUARDED_BY(mu_);  // null once unpinned
  SparseIndex index_ GUARDED_BY(mu_);
  uint64_t size_ GUARDED_BY(mu_) = 0;
  Offset next_offset_ GUARDED_BY(mu_);
  int64_t first_arrival_ GUARDED_BY(mu_) = INT64_MAX;
};

}  // namespace sluice::log
