// FaultFileSystem: wraps another FileSystem, counts operations and injects the faults
// the log and the object store must survive (short writes, EIO on fsync, ENOSPC after N
// bytes, the Nth write failing with a chosen errno, failing truncate, and syncs or
// renames failing on paths under a prefix), and holds operations at gates so a test can force an interleaving (e.g.
// "appends while a sync is stuck") without sleeping. For tests and benchmarks;
// thread-safe; knobs may change at any time.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/file_system.h"

namespace sluice::testing {

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
  // The write numbered `fail_write_at` (counted by `writes`, from 1) fails with
  // `fail_write_errno` and writes nothing (0 = never).
  std::atomic<uint64_t> fail_write_at{0};
  std::atomic<int> fail_write_errno{EIO};
  // OpenReadable fails with this errno while non-zero (e.g. EMFILE: out of descriptors).
  std::atomic<int> fail_open_readable_errno{0};
  // File syncs of files whose path starts with the prefix fail with EIO ("" = none).
  void FailSyncsUnder(std::string prefix) EXCLUDES(mu_);
  // Directory syncs of directories whose path starts with the prefix fail with EIO.
  void FailDirSyncsUnder(std::string prefix) EXCLUDES(mu_);
  // Renames (and exchanges) whose destination starts with the prefix fail with EIO.
  void FailRenamesTo(std::string prefix) EXCLUDES(mu_);
  // Clears every prefix fault above.
  void ClearPathFaults() EXCLUDES(mu_);
  // Whether a file sync of `path` must fail (called by the files).
  bool SyncFails(const std::string& path) const EXCLUDES(mu_);

  // File syncs (not directory syncs) and OpenWritable calls pass these gates first.
  Gate sync_gate;
  Gate open_gate;

  // --- counters ---
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> dir_syncs{0};
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> bytes_written{0};
  // Files opened with OpenReadable and not yet destroyed: the read descriptors held.
  std::atomic<int64_t> open_readables{0};
  // The most open_readables ever reached (reset it to measure a phase).
  std::atomic<int64_t> max_open_readables{0};
  // The path (as opened) of every successful file Sync, in order.
  std::vector<std::string> SyncedPaths() const EXCLUDES(mu_);
  // Waits until at least n file syncs have succeeded.
  void AwaitSyncs(uint64_t n) EXCLUDES(mu_);
  void OnSynced(const std::string& path) EXCLUDES(mu_);  // called by the files

  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, OpenMode mode) override;
  Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override { return base_.Stat(path); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override { return base_.ListDir(dir); }
  Status Remove(const std::string& path) override { return base_.Remove(path); }
  Status Rename(const std::string& from, const std::string& to) override;
  Status Exchange(const std::string& a, const std::string& b) override;
  Status Link(const std::string& from, const std::string& to) override { return base_.Link(from, to); }
  Status CreateDir(const std::string& dir) override { return base_.CreateDir(dir); }
  Status CreateDirs(const std::string& dir) override { return base_.CreateDirs(dir); }
  Status RemoveDir(const std::string& dir) override { return base_.RemoveDir(dir); }
  Status SyncDir(const std::string& dir) override;

 private:
  static bool Under(const std::string& path, const std::string& prefix) {
    return !prefix.empty() && path.starts_with(prefix);
  }

  FileSystem& base_;
  mutable Mutex mu_;
  CondVar synced_cv_;
  std::vector<std::string> synced_ GUARDED_BY(mu_);
  std::string fail_syncs_under_ GUARDED_BY(mu_);
  std::string fail_dir_syncs_under_ GUARDED_BY(mu_);
  std::string fail_renames_to_ GUARDED_BY(mu_);
};

}  // namespace sluice::testing
