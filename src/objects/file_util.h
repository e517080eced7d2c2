// Small POSIX file helpers for the local object store. Each returns ObjectError with
// kInternalError and the failing call, path and errno text on an I/O failure.
// Durability: WriteNewFile syncs the data (fdatasync) before returning; callers sync
// the directory after the rename that publishes the file.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "objects/errors.h"

namespace sluice::objects {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Reads `len` bytes at `offset` from an open file.
ObjResult<std::string> PreadAll(int fd, uint64_t offset, uint64_t len, std::string_view path);

ObjectError IoError(std::string_view what, std::string_view path, int err);

// Appends to an open file and hands every 4 MiB to the kernel for writeback
// (sync_file_range) as soon as it is in the page cache, so the disk works while the
// rest arrives and a later fdatasync waits for the tail only. Does not sync: the
// caller still must fdatasync. Does not own the descriptor.
class WritebackAppender {
 public:
  WritebackAppender(int fd, std::string_view path) : fd_(fd), path_(path) {}
  ObjStatus Append(std::string_view data);
  uint64_t written() const { return written_; }

 private:
  int fd_;
  std::string path_;
  uint64_t written_ = 0;  // bytes appended, from the file's start
  uint64_t kicked_ = 0;   // bytes already handed to writeback
};

// Writes all of `data` to a new, empty file `fd` (WritebackAppender). Does not sync.
ObjStatus WriteAll(int fd, std::string_view data, std::string_view path);
// Creates `path` (O_EXCL), writes `data`, fdatasyncs and closes it. On failure the
// file is removed.
ObjStatus WriteNewFile(const std::string& path, std::string_view data);
// fsync of a directory, so a rename or unlink in it survives a crash.
ObjStatus SyncDir(const std::string& dir);
ObjResult<std::string> ReadWholeFile(const std::string& path);
// Reads `len` bytes at `offset`.
ObjResult<std::string> ReadFileRange(const std::string& path, uint64_t offset, uint64_t len);
// The names in a directory, without "." and "..", unsorted.
ObjResult<std::vector<std::string>> ListDir(const std::string& dir);
// Removes a directory tree; missing is fine.
ObjStatus RemoveTree(const std::string& path);
int64_t MtimeMs(const struct stat& st);
int64_t NowMs();

}  // namespace sluice::objects
