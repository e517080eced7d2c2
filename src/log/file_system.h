// FileSystem: the only way the log touches files, so tests can inject faults and count
// syncs (LevelDB env.h style). All methods are thread-safe; a WritableFile is used by
// one thread at a time, a RandomAccessFile by any number at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::log {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends at the current end; may write fewer bytes than asked (the count is
  // returned) and the caller loops. An error means nothing more was written.
  virtual Result<size_t> Write(std::span<const char> data) = 0;
  // fdatasync: data written so far survives a crash once this returns OK.
  virtual Status Sync() = 0;
  // Cuts the file to `size`; later writes continue from there.
  virtual Status Truncate(uint64_t size) = 0;
  virtual Result<uint64_t> Size() = 0;
  virtual Status Close() = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // pread: reads up to out.size() bytes at `pos`; fewer only at end of file.
  virtual Result<size_t> Read(uint64_t pos, std::span<char> out) const = 0;
  virtual Result<uint64_t> Size() const = 0;
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
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Creates `dir` and missing parents; OK if it exists.
  virtual Status CreateDirs(const std::string& dir) = 0;
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

}  // namespace sluice::log
