// FaultFileSystem: wraps another FileSystem, counts operations and injects the faults
// the log must survive (short writes, EIO on fsync, ENOSPC after N bytes, failing
// truncate), and holds operations at gates so a test can force an interleaving (e.g.
// "appends while a sync is stuck") without sleeping. For tests and benchmarks;
// thread-safe; knobs may change at any time.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "log/file_system.h"

namespace sluice::log::testing {

// A gate that an operation passes through. While the gate is closed, operations that
// reach it wait there; a test closes it, waits until an operation is held (so it knows
// where that thread is), checks what still proceeds, then opens it. Thread-safe.
class Gate {
 public:
  void Close();
  void Open();
  // Called by the operation; `what` names it (a path). Waits while the gate is closed.
  void Pass(const std::string& what);
  // Waits until at least n operations in total have been held at the gate; returns
  // what the n-th one passed (operations held since the gate was created, in order).
  std::string AwaitHeld(size_t n = 1);

 private:
  Mutex mu_;
  CondVar cv_;
  bool closed_ GUARDED_BY(mu_) = false;
  std::vector<std::string> held_ GUARDED_BY(mu_);  // every operation ever held
};

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
  // File syncs (not directory syncs) and OpenWritable calls pass these gates first.
  Gate sync_gate;
  Gate open_gate;

  // --- counters ---
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> dir_syncs{0};
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> bytes_written{0};
  // The path (as opened) of every successful file Sync, in order.
  std::vector<std::string> SyncedPaths() const EXCLUDES(mu_);
  // Waits until at least n file syncs have succeeded.
  void AwaitSyncs(uint64_t n) EXCLUDES(mu_);
  void OnSynced(const std::string& path) EXCLUDES(mu_);  // called by the files

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
  mutable Mutex mu_;
  CondVar synced_cv_;
  std::vector<std::string> synced_ GUARDED_BY(mu_);
};

}  // namespace sluice::log::testing
