#include "base/testing/fault_file_system.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

namespace sluice::testing {

// Counts itself in open_readables while it lives.
class CountedRandomAccessFile final : public RandomAccessFile {
 public:
  CountedRandomAccessFile(FaultFileSystem& fs, std::unique_ptr<RandomAccessFile> base)
      : fs_(fs), base_(std::move(base)) {
    const int64_t now = ++fs_.open_readables;
    int64_t max = fs_.max_open_readables.load();
    while (now > max && !fs_.max_open_readables.compare_exchange_weak(max, now)) {
    }
  }
  ~CountedRandomAccessFile() override { --fs_.open_readables; }
  CountedRandomAccessFile(const CountedRandomAccessFile&) = delete;
  CountedRandomAccessFile& operator=(const CountedRandomAccessFile&) = delete;

  Result<size_t> Read(uint64_t pos, std::span<char> out) const override { return base_->Read(pos, out); }
  Result<uint64_t> Size() const override { return base_->Size(); }
  Result<FileInfo> Stat() const override { return base_->Stat(); }
  Result<std::shared_ptr<const FileSlice>> Slice(uint64_t offset, uint64_t length) const override {
    return base_->Slice(offset, length);
  }
  // AppendFrom of a FaultWritableFile passes this file to the wrapped one, which may
  // need the real type underneath.
  const RandomAccessFile& base() const { return *base_; }

 private:
  FaultFileSystem& fs_;
  std::unique_ptr<RandomAccessFile> base_;
};

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultFileSystem& fs, std::string path, std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  Result<size_t> Write(std::span<const char> data) override {
    const uint64_t nth = ++fs_.writes;
    if (nth == fs_.fail_write_at.load()) return Status::FromErrno("write", path_, fs_.fail_write_errno.load());
    size_t n = data.size();
    if (const size_t chunk = fs_.max_write_chunk.load(); chunk != 0) n = std::min(n, chunk);
    // Claim space atomically so concurrent writers cannot both pass the limit.
    int64_t left = fs_.space_left.load();
    while (left >= 0) {
      const auto take = static_cast<int64_t>(std::min<uint64_t>(n, static_cast<uint64_t>(left)));
      if (fs_.space_left.compare_exchange_weak(left, left - take)) {
        if (take == 0) return Status::FromErrno("write", path_, ENOSPC);
        n = static_cast<size_t>(take);
        break;
      }
    }
    ASSIGN_OR_RETURN(const size_t written, base_->Write(data.first(n)));
    fs_.bytes_written += written;
    return written;
  }
  Status Sync() override {
    ++fs_.syncs;
    fs_.sync_gate.Pass(path_);
    if (const int ms = fs_.sync_delay_ms.load(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (fs_.fail_sync.load() || fs_.SyncFails(path_)) return Status::FromErrno("fdatasync", path_, EIO);
    RETURN_IF_ERROR(base_->Sync());
    fs_.OnSynced(path_);
    return Status::OK();
  }
  Status Truncate(uint64_t size) override {
    if (fs_.fail_truncate.load()) return Status::FromErrno("ftruncate", path_, EIO);
    return base_->Truncate(size);
  }
  // Copies count as one write for the write faults (the object store copies parts).
  Result<uint64_t> AppendFrom(const RandomAccessFile& src, uint64_t offset, uint64_t length) override {
    const uint64_t nth = ++fs_.writes;
    if (nth == fs_.fail_write_at.load()) return Status::FromErrno("write", path_, fs_.fail_write_errno.load());
    const auto* counted = dynamic_cast<const CountedRandomAccessFile*>(&src);
    ASSIGN_OR_RETURN(const uint64_t n, base_->AppendFrom(counted ? counted->base() : src, offset, length));
    fs_.bytes_written += n;
    return n;
  }
  void StartWriteback(uint64_t offset, uint64_t length) override { base_->StartWriteback(offset, length); }
  Result<uint64_t> Size() override { return base_->Size(); }
  Result<FileInfo> Stat() override { return base_->Stat(); }
  Status Close() override { return base_->Close(); }

 private:
  FaultFileSystem& fs_;
  const std::string path_;
  std::unique_ptr<WritableFile> base_;
};

void Gate::Close() {
  const MutexLock lock(mu_);
  closed_ = true;
}

void Gate::Open() {
  const MutexLock lock(mu_);
  closed_ = false;
  cv_.SignalAll();
}

void Gate::Pass(const std::string& what) {
  MutexLock lock(mu_);
  if (!closed_) return;
  held_.push_back(what);
  cv_.SignalAll();
  while (closed_) cv_.Wait(mu_);
}

std::string Gate::AwaitHeld(size_t n) {
  MutexLock lock(mu_);
  while (held_.size() < n) cv_.Wait(mu_);
  return held_[n - 1];
}

std::vector<std::string> FaultFileSystem::SyncedPaths() const {
  const MutexLock lock(mu_);
  return synced_;
}

void FaultFileSystem::AwaitSyncs(uint64_t n) {
  MutexLock lock(mu_);
  while (synced_.size() < n) synced_cv_.Wait(mu_);
}

void FaultFileSystem::OnSynced(const std::string& path) {
  const MutexLock lock(mu_);
  synced_.push_back(path);
  synced_cv_.SignalAll();
}

void FaultFileSystem::FailSyncsUnder(std::string prefix) {
  const MutexLock lock(mu_);
  fail_syncs_under_ = std::move(prefix);
}

void FaultFileSystem::FailDirSyncsUnder(std::string prefix) {
  const MutexLock lock(mu_);
  fail_dir_syncs_under_ = std::move(prefix);
}

void FaultFileSystem::FailRenamesTo(std::string prefix) {
  const MutexLock lock(mu_);
  fail_renames_to_ = std::move(prefix);
}

void FaultFileSystem::ClearPathFaults() {
  const MutexLock lock(mu_);
  fail_syncs_under_.clear();
  fail_dir_syncs_under_.clear();
  fail_renames_to_.clear();
}

bool FaultFileSystem::SyncFails(const std::string& path) const {
  const MutexLock lock(mu_);
  return Under(path, fail_syncs_under_);
}

Status FaultFileSystem::Rename(const std::string& from, const std::string& to) {
  {
    const MutexLock lock(mu_);
    if (Under(to, fail_renames_to_)) return Status::FromErrno("rename", from, EIO);
  }
  return base_.Rename(from, to);
}

Status FaultFileSystem::Exchange(const std::string& a, const std::string& b) {
  {
    const MutexLock lock(mu_);
    if (Under(b, fail_renames_to_)) return Status::FromErrno("renameat2", b, EIO);
  }
  return base_.Exchange(a, b);
}

Status FaultFileSystem::SyncDir(const std::string& dir) {
  ++dir_syncs;
  {
    const MutexLock lock(mu_);
    if (Under(dir, fail_dir_syncs_under_)) return Status::FromErrno("fsync", dir, EIO);
  }
  return base_.SyncDir(dir);
}

Result<std::unique_ptr<RandomAccessFile>> FaultFileSystem::OpenReadable(const std::string& path) {
  if (const int err = fail_open_readable_errno.load(); err != 0) return Status::FromErrno("open", path, err);
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> base, base_.OpenReadable(path));
  return std::unique_ptr<RandomAccessFile>(std::make_unique<CountedRandomAccessFile>(*this, std::move(base)));
}

Result<std::unique_ptr<WritableFile>> FaultFileSystem::OpenWritable(const std::string& path, OpenMode mode) {
  open_gate.Pass(path);
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> base, base_.OpenWritable(path, mode));
  return std::unique_ptr<WritableFile>(std::make_unique<FaultWritableFile>(*this, path, std::move(base)));
}

}  // namespace sluice::testing
