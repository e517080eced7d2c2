#include "log/testing/fault_file_system.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

namespace sluice::log::testing {

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultFileSystem& fs, std::string path, std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  Result<size_t> Write(std::span<const char> data) override {
    ++fs_.writes;
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
    if (fs_.fail_sync.load()) return Status::FromErrno("fdatasync", path_, EIO);
    RETURN_IF_ERROR(base_->Sync());
    fs_.OnSynced(path_);
    return Status::OK();
  }
  Status Truncate(uint64_t size) override {
    if (fs_.fail_truncate.load()) return Status::FromErrno("ftruncate", path_, EIO);
    return base_->Truncate(size);
  }
  Result<uint64_t> Size() override { return base_->Size(); }
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

Result<std::unique_ptr<WritableFile>> FaultFileSystem::OpenWritable(const std::string& path, OpenMode mode) {
  open_gate.Pass(path);
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> base, base_.OpenWritable(path, mode));
  return std::unique_ptr<WritableFile>(std::make_unique<FaultWritableFile>(*this, path, std::move(base)));
}

}  // namespace sluice::log::testing
