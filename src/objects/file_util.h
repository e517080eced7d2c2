// File helpers for the local object store over the FileSystem seam (base/file_system.h),
// so tests can inject faults into every call. Each returns ObjectError with
// kInternalError and the failing call, path and errno text on an I/O failure.
// Durability: WriteNewFile syncs the data (fdatasync) before returning; callers sync
// the directory after the rename that publishes the file.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
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

// Appends to a file through an aligned staging buffer: each full chunk goes to the disk
// with WritableFile::WriteDirect, bypassing the page cache (no copy into it, no
// allocation of cache pages, and a later Sync has only the tail left to flush, so it
// does not hold up other files' syncs in the file system's journal); Finish writes the
// staged rest through the cache. Does not sync: the caller still must. Does not own
// the file. The buffer (kChunk) is taken at the first Append.
class DirectAppender {
 public:
  static constexpr size_t kChunk = 1 << 20;

  explicit DirectAppender(WritableFile& f) : f_(f) {}
  ObjStatus Append(std::string_view data);
  // Writes what is staged; call after the last Append, before the file is synced.
  ObjStatus Finish();
  // Bytes appended, the staged ones included.
  uint64_t written() const { return appended_; }

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  WritableFile& f_;
  std::unique_ptr<char, Free> stage_;
  size_t staged_ = 0;
  uint64_t appended_ = 0;
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
