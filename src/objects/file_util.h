// File helpers for the local object store over the FileSystem seam (base/file_system.h),
// so tests can inject faults into every call. Each returns ObjectError with
// kInternalError and the failing call, path and errno text on an I/O failure.
// Durability: WriteNewFile syncs the data (fdatasync) before returning; callers sync
// the directory after the rename that publishes the file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_system.h"
#include "objects/errors.h"

namespace sluice::objects {

ObjectError IoError(std::string_view what, std::string_view path, int err);
// A FileSystem error as the store reports it: kInternalError, its message and errno.
ObjectError FsError(const Status& status);
// Whether a FileSystem error means the name is not there (a path component missing or
// not a directory, or the last one a directory or a link where a file was expected).
bool IsMissing(const Status& status);

// Reads `len` bytes at `offset` from an open file (fewer only at its end).
ObjResult<std::string> ReadRange(const RandomAccessFile& f, uint64_t offset, uint64_t len);

// Appends to a file and hands every 4 MiB to the kernel for writeback
// (WritableFile::StartWriteback) as soon as it is in the page cache, so the disk works
// while the rest arrives and a later Sync waits for the tail only. Does not sync: the
// caller still must. Does not own the file.
class WritebackAppender {
 public:
  explicit WritebackAppender(WritableFile& f) : f_(f) {}
  ObjStatus Append(std::string_view data);
  uint64_t written() const { return written_; }

 private:
  WritableFile& f_;
  uint64_t written_ = 0;  // bytes appended, from the file's start
  uint64_t kicked_ = 0;   // bytes already handed to writeback
};

// Creates `path` (which must not exist), writes `data`, fdatasyncs and closes it. On
// failure the file is removed.
ObjStatus WriteNewFile(FileSystem& fs, const std::string& path, std::string_view data);
// fsync of a directory, so a rename or unlink in it survives a crash.
ObjStatus SyncDir(FileSystem& fs, const std::string& dir);
ObjResult<std::string> ReadFileText(FileSystem& fs, const std::string& path);
// The names in a directory, without "." and "..", unsorted.
ObjResult<std::vector<std::string>> ListDir(FileSystem& fs, const std::string& dir);
// Creates one directory; OK if it exists.
ObjStatus EnsureDir(FileSystem& fs, const std::string& dir);
// Removes a directory tree; missing is fine.
ObjStatus RemoveTree(FileSystem& fs, const std::string& path);
// Whether `path` is a directory (not following a last symbolic link).
bool IsDir(FileSystem& fs, const std::string& path);
int64_t NowMs();

}  // namespace sluice::objects
