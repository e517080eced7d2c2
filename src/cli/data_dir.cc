#include "cli/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace sluice::cli {

Result<std::unique_ptr<DataDir>> DataDir::Open(const std::string& path) {
  namespace fs = std::filesystem;
  const std::string where = "data dir " + path;
  if (path.empty()) return Status::InvalidArgument("data dir: empty path");
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_directory(path, ec)) {
    return Status::IOError(where + ": not a directory");
  }
  fs::create_directories(path, ec);
  if (ec) return Status::IOError(where + ": cannot create: " + ec.message());
  if (!fs::is_directory(path, ec)) return Status::IOError(where + ": not a directory");

  const std::string lock_path = path + "/LOCK";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(where + ": not writable: " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Status::Unavailable(where + ": in use by another sluice process");
    return Status::IOError(where + ": cannot lock: " + std::strerror(err));
  }
  return std::make_unique<DataDir>(PassKey{}, path, fd);
}

DataDir::~DataDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
}

}  // namespace sluice::cli
