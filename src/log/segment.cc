#include "log/segment.h"

namespace sluice::log {

Segment::Segment(std::string path, Offset base, FileSystem& fs, FileCache& cache,
                 std::unique_ptr<RandomAccessFile> file, uint64_t index_interval)
    : path_(std::move(path)),
      base_(base),
      fs_(fs),
      cache_(cache),
      cache_key_(FileCache::NewKey()),
      pinned_(std::move(file)),
      index_(index_interval),
      next_offset_(base) {}

// The segment is gone (retention, or its log was destroyed): so is its cached handle,
// and with it the descriptor that would keep a deleted file's space allocated.
Segment::~Segment() { cache_.Erase(cache_key_); }

Result<FileCache::Handle> Segment::OpenFile() const {
  {
    const MutexLock lock(mu_);
    if (pinned_) return pinned_;
  }
  return cache_.Get(cache_key_, fs_, path_);
}

void Segment::Unpin() {
  FileCache::Handle h;
  {
    const MutexLock lock(mu_);
    h = std::move(pinned_);
    pinned_.reset();
  }
  if (h) cache_.Insert(cache_key_, std::move(h));
}

void Segment::OnBatch(const format::BatchHeader& h, uint64_t batch_bytes) {
  const MutexLock lock(mu_);
  index_.OnBatch(Offset(h.base_offset), FilePosition(size_), h.max_arrival_ms);
  if (size_ == 0) first_arrival_ = h.min_arrival_ms;
  size_ += batch_bytes;
  next_offset_ = Offset(h.base_offset + h.record_count);
}

void Segment::LoadIndex(const format::IndexFile& f) {
  const MutexLock lock(mu_);
  index_.Load(f.entries, f.segment_bytes, f.max_arrival_ms);
  size_ = f.segment_bytes;
  next_offset_ = f.next_offset;
  first_arrival_ = INT64_MIN;  // sealed: never rolled again, age is irrelevant
}

void Segment::SetNextOffset(Offset next) {
  const MutexLock lock(mu_);
  next_offset_ = next;
}

format::IndexFile Segment::ToIndexFile() const {
  const MutexLock lock(mu_);
  return format::IndexFile{base_, next_offset_, size_, index_.max_arrival(), index_.entries()};
}

uint64_t Segment::size() const {
  const MutexLock lock(mu_);
  return size_;
}
Offset Segment::next_offset() const {
  const MutexLock lock(mu_);
  return next_offset_;
}
bool Segment::empty() const {
  const MutexLock lock(mu_);
  return next_offset_ == base_;
}
int64_t Segment::max_arrival() const {
  const MutexLock lock(mu_);
  return index_.max_arrival();
}
int64_t Segment::first_arrival() const {
  const MutexLock lock(mu_);
  return first_arrival_;
}

format::IndexEntry Segment::LookupOffset(Offset offset) const {
  const MutexLock lock(mu_);
  return index_.LookupOffset(offset);
}
format::IndexEntry Segment::LookupTime(int64_t t) const {
  const MutexLock lock(mu_);
  return index_.LookupTime(t);
}

}  // namespace sluice::log
