#include "log/file_cache.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>

namespace sluice::log {

FileCache::FileCache(size_t capacity) : capacity_(capacity == 0 ? DefaultCapacity() : capacity) {}

size_t FileCache::DefaultCapacity() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return kMaxCapacity;
  return std::clamp<size_t>(static_cast<size_t>(lim.rlim_cur / 4), kMinCapacity, kMaxCapacity);
}

FileCache& FileCache::Default() {
  static FileCache* const cache = new FileCache();  // leaked: logs may close during exit
  return *cache;
}

uint64_t FileCache::NewKey() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

Result<FileCache::Handle> FileCache::Get(uint64_t key, FileSystem& fs, const std::string& path) {
  {
    const MutexLock lock(mu_);
    if (const auto it = index_.find(key); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->handle;
    }
  }
  // Opened without the lock: a slow open must not stall hits for other segments. Two
  // readers missing at once both open; the second insert replaces the first handle.
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs.OpenReadable(path));
  Handle handle(std::move(file));
  std::list<Entry> evicted;
  {
    const MutexLock lock(mu_);
    evicted = InsertLocked(key, handle);
  }
  return handle;  // `evicted` closes here, after the lock is released
}

void FileCache::Insert(uint64_t key, Handle handle) {
  std::list<Entry> evicted;
  const MutexLock lock(mu_);
  evicted = InsertLocked(key, std::move(handle));
}

std::list<FileCache::Entry> FileCache::InsertLocked(uint64_t key, Handle handle) {
  std::list<Entry> evicted;
  if (const auto it = index_.find(key); it != index_.end()) {
    evicted.splice(evicted.end(), lru_, it->second);
    index_.erase(it);
  }
  lru_.push_front(Entry{key, std::move(handle)});
  index_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().key);
    evicted.splice(evicted.end(), lru_, std::prev(lru_.end()));
  }
  return evicted;
}

void FileCache::Erase(uint64_t key) {
  std::list<Entry> evicted;
  const MutexLock lock(mu_);
  if (const auto it = index_.find(key); it != index_.end()) {
    evicted.splice(evicted.end(), lru_, it->second);
    index_.erase(it);
  }
}

size_t FileCache::size() const {
  const MutexLock lock(mu_);
  return lru_.size();
}

}  // namespace sluice::log
