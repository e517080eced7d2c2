// FileCache: a bounded set of open read handles for log segments, shared by many logs
// (LevelDB's TableCache idea). A segment whose file has its final name keeps no read
// descriptor of its own; reads get its handle here, opened on a miss, and the least
// recently used handles are closed once more than `capacity` are cached. So however
// many shards and segments exist, the descriptors the logs hold for reading stay
// bounded.
//
// A handle a reader still holds stays open after eviction until the reader drops it;
// the cache itself never holds more than `capacity`. Keys are unique per segment
// (NewKey), never paths, so a file that replaced another under the same name can never
// be served from a stale handle.
//
// Threading: thread-safe. Files are opened and closed outside the cache's lock.
// Lifetime: must outlive every Log that uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/file_system.h"
#include "base/mutex.h"

namespace sluice::log {

class FileCache {
 public:
  using Handle = std::shared_ptr<const RandomAccessFile>;

  // capacity 0: DefaultCapacity().
  explicit FileCache(size_t capacity = 0);
  FileCache(const FileCache&) = delete;
  FileCache& operator=(const FileCache&) = delete;

  // A quarter of the soft RLIMIT_NOFILE, within [kMinCapacity, kMaxCapacity]: leaves
  // three quarters of the descriptors to sockets, active segments and the catalog.
  static size_t DefaultCapacity();
  static constexpr size_t kMinCapacity = 16;
  static constexpr size_t kMaxCapacity = 65536;
  // The process-wide cache used by logs whose options name none; never destroyed.
  static FileCache& Default();
  // A key no other segment of this process has.
  static uint64_t NewKey();

  // The cached handle for `key`, or `path` opened through `fs` and cached. An open
  // failure (e.g. EMFILE) is returned as is; nothing is cached then.
  Result<Handle> Get(uint64_t key, FileSystem& fs, const std::string& path) EXCLUDES(mu_);
  // Caches an already open handle (most recently used), replacing one under `key`.
  void Insert(uint64_t key, Handle handle) EXCLUDES(mu_);
  // Drops the handle under `key`, if any (its descriptor closes once no reader holds it).
  void Erase(uint64_t key) EXCLUDES(mu_);

  size_t capacity() const { return capacity_; }
  size_t size() const EXCLUDES(mu_);

 private:
  struct Entry {
    uint64_t key;
    Handle handle;
  };
  // Returns the handles evicted, to be closed by the caller outside the lock.
  std::list<Entry> InsertLocked(uint64_t key, Handle handle) REQUIRES(mu_);

  const size_t capacity_;
  mutable Mutex mu_;
  std::list<Entry> lru_ GUARDED_BY(mu_);  // most recently used first
  std::unordered_map<uint64_t, std::list<Entry>::iterator> index_ GUARDED_BY(mu_);
};

}  // namespace sluice::log
