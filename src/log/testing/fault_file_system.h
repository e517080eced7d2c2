// FaultFileSystem: wraps another FileSystem, counts operations and injects the faults
// the log must survive (short writes, EIO on fsync, ENOSPC after N bytes, failing
// truncate). For tests and benchmarks; thread-safe; knobs may change at any time.
#pragma once

#include <atomic>
#include <cstdint>

#include "log/file_system.h"

namespace sluice::log::testing {

class FaultFileSystem final : public FileSystem {
 public:
  explicit FaultFileSystem(FileSystem& base) : base_(base) {}

  // --- knobs ---
  // Each Write writes at most this many bytes (0 = unlimited): exercises short writes.
  std::atomic<size_t> max_write_chunk{0};
  // Every Sync fails with EIO while set (the file content is left as it was).
  std::atomic<bool> fail_sync{false};
  // Writes fail with ENOSPC once this many more bytes have been written (-1 = never).
  // The write that crosses the limit is short, like a real full disk.
  std::atomic<int64_t> space_left{-1};
  // Truncate fails with EIO while set.
  std::atomic<bool> fail_truncate{false};
  // Each Sync sleeps this long first: widens the window in which appends wait.
  std::atomic<int> sync_delay_ms{0};

  // --- counters ---
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> dir_syncs{0};
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> bytes_written{0};

  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, OpenMode mode) override;
  Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& path) override {
    return base_.OpenReadable(path);
  }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override { return base_.ListDir(dir); }
  Status Remove(const std::string& path) override { return base_.Remove(path); }
  Status Rename(const std::string& from, const std::string& to) override { return base_.Rename(from, to); }
  Status CreateDirs(const std::string& dir) override { return base_.CreateDirs(dir); }
  Status SyncDir(const std::string& dir) override {
    ++dir_syncs;
    return base_.SyncDir(dir);
  }

 private:
  FileSystem& base_;
};

}  // namespace sluice::log::testing
