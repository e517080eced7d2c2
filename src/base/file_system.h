// FileSystem: the only way the log and the local object store touch files, so tests
// can inject faults and count syncs (LevelDB env.h style). FileSystem::Posix() is the
// real one; base/testing/fault_file_system.h wraps any FileSystem with faults and gates.
//
// Threading: every FileSystem method is thread-safe. A WritableFile is used by one
// thread at a time; a RandomAccessFile by any number at once.
// Durability: nothing is durable until synced. WritableFile::Sync makes a file's data
// (fdatasync) survive a crash; SyncDir makes the names created, renamed and removed in
// a directory survive. Errors carry the errno (Status::sys_errno) when there is one;
// callers test that or the code, never the message.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_slice.h"
#include "base/status.h"

namespace sluice {

// What stat tells about a file or directory.
struct FileInfo {
  uint64_t size = 0;
  int64_t mtime_ms = 0;  // modification time, milliseconds since the Unix epoch
  uint64_t inode = 0;    // identifies the file while it exists (survives renames)
  bool is_dir = false;
  bool is_regular = false;  // a plain file (not a directory, link, device...)
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // pread: reads up to out.size() bytes at `pos`; fewer only at end of file.
  virtual Result<size_t> Read(uint64_t pos, std::span<char> out) const = 0;
  virtual Result<uint64_t> Size() const = 0;
  // fstat of the open file: the file this handle reads, even if its name moved since.
  virtual Result<FileInfo> Stat() const = 0;
  // `length` bytes at `offset` as a FileSlice with a descriptor of its own (a dup), so
  // a response can stream it (sendfile) after this handle is gone.
  virtual Result<std::shared_ptr<const FileSlice>> Slice(uint64_t offset, uint64_t length) const = 0;
};

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends at the current end; may write fewer bytes than asked (the count is
  // returned) and the caller loops. An error means nothing more was written.
  virtual Result<size_t> Write(std::span<const char> data) = 0;
  // Appends `length` bytes read at `offset` of `src` (copy_file_range where it can, so
  // the kernel or the file system's reflinks move the bytes). Fewer only at src's end.
  virtual Result<uint64_t> AppendFrom(const RandomAccessFile& src, uint64_t offset, uint64_t length) = 0;
  // A hint to start writing back [offset, offset + length) now (sync_file_range), so a
  // later Sync waits for the tail only. Not a sync: errors surface at Sync.
  virtual void StartWriteback(uint64_t offset, uint64_t length) = 0;
  // fdatasync: data written so far survives a crash once this returns OK.
  virtual Status Sync() = 0;
  // Cuts the file to `size`; later writes continue from there.
  virtual Status Truncate(uint64_t size) = 0;
  virtual Result<uint64_t> Size() = 0;
  virtual Result<FileInfo> Stat() = 0;
  virtual Status Close() = 0;
};

enum class OpenMode {
  kCreateNew,       // fails with AlreadyExists if the file is there
  kOpenExisting,    // writes continue at the current end
  kCreateOrTruncate,
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, OpenMode mode) = 0;
  // NotFound (errno ENOENT) if absent. Does not follow a symbolic link as the last
  // component (fails with errno ELOOP).
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& path) = 0;
  // lstat: a symbolic link is described, not followed. NotFound (errno ENOENT) if absent.
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Removes a file (unlink).
  virtual Status Remove(const std::string& path) = 0;
  // Replaces `to` atomically if it exists (rename(2)).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Swaps two names atomically, both of which must exist (renameat2 RENAME_EXCHANGE).
  virtual Status Exchange(const std::string& a, const std::string& b) = 0;
  // A second name for the file `from` (a hard link); AlreadyExists if `to` exists.
  virtual Status Link(const std::string& from, const std::string& to) = 0;
  // Creates one directory; AlreadyExists (errno EEXIST) if the name is taken.
  virtual Status CreateDir(const std::string& dir) = 0;
  // Creates `dir` and missing parents; OK if it exists.
  virtual Status CreateDirs(const std::string& dir) = 0;
  // Removes an empty directory (rmdir); the errno tells ENOTEMPTY from ENOENT.
  virtual Status RemoveDir(const std::string& dir) = 0;
  // fsync of the directory, making created, renamed and removed names durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // The process-wide POSIX implementation.
  static FileSystem& Posix();
};

// Helpers over any FileSystem.
Result<std::string> ReadWholeFile(FileSystem& fs, const std::string& path);
// Writes `data` to `path` through a temporary name and a rename, so readers see either
// the old or the new file. Does not sync: used for caches whose content is checksummed.
Status ReplaceFile(FileSystem& fs, const std::string& path, std::string_view data);
// Loops over short writes.
Status WriteAll(WritableFile& f, std::span<const char> data);

}  // namespace sluice
