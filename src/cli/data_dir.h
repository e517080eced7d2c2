// DataDir: the directory that holds everything sluice stores, locked for the life of
// the process so two servers never write the same files.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"

namespace sluice::cli {

class DataDir {
 public:
  // Creates the directory if needed and takes an exclusive lock on DIR/LOCK.
  // Errors name the directory: "data dir /x: not a directory", "... in use by another
  // sluice process".
  static Result<std::unique_ptr<DataDir>> Open(const std::string& path);
  ~DataDir();  // releases the lock

  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

  // Only Open constructs; the key keeps the constructor usable by make_unique.
  class PassKey {
    friend class DataDir;
    PassKey() = default;
  };
  DataDir(PassKey, std::string path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}

 private:
  std::string path_;
  int lock_fd_;
};

}  // namespace sluice::cli
