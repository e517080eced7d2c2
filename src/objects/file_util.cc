#include "objects/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

namespace sluice::objects {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

ObjResult<std::string> PreadAll(int fd, uint64_t offset, uint64_t len, std::string_view path) {
  std::string out;
  out.resize(len);
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::pread(fd, out.data() + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

ObjectError IoError(std::string_view what, std::string_view path, int err) {
  return ObjectError{S3Error::kInternalError,
                     std::string(what) + " " + std::string(path) + ": " + std::strerror(err), err};
}

ObjStatus WritebackAppender::Append(std::string_view data) {
  // Small enough that writeback starts early, large enough that the extra syscall
  // per chunk costs nothing measurable.
  constexpr size_t kWritebackChunk = 4 << 20;
  size_t done = 0;
  while (done < data.size()) {
    const size_t want = std::min(data.size() - done, kWritebackChunk);
    const ssize_t n = ::write(fd_, data.data() + done, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path_, errno);
    }
    done += static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
    if (written_ - kicked_ >= kWritebackChunk) {
      // Only a hint: errors surface at the caller's fdatasync.
      ::sync_file_range(fd_, static_cast<off_t>(kicked_), static_cast<off_t>(written_ - kicked_),
                        SYNC_FILE_RANGE_WRITE);
      kicked_ = written_;
    }
  }
  return Done{};
}

ObjStatus WriteAll(int fd, std::string_view data, std::string_view path) {
  return WritebackAppender(fd, path).Append(data);
}

ObjStatus WriteNewFile(const std::string& path, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("open", path, errno);
  if (auto w = WriteAll(fd, data, path); !w.ok()) {
    ::close(fd);
    ::unlink(path.c_str());
    return w;
  }
  if (::fdatasync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return IoError("fdatasync", path, err);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return IoError("close", path, err);
  }
  return Done{};
}

ObjStatus SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("fsync", dir, err);
  return Done{};
}

ObjResult<std::string> ReadFileRange(const std::string& path, uint64_t offset, uint64_t len) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return IoError("open", path, errno);
  return PreadAll(fd.get(), offset, len, path);
}

ObjResult<std::string> ReadWholeFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return IoError("stat", path, errno);
  return ReadFileRange(path, 0, static_cast<uint64_t>(st.st_size));
}

ObjResult<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return IoError("opendir", dir, errno);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);
  return names;
}

ObjStatus RemoveTree(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Done{};
    return IoError("lstat", path, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("unlink", path, errno);
    return Done{};
  }
  auto names = ListDir(path);
  if (!names.ok()) return names.error();
  for (const std::string& n : *names) {
    auto r = RemoveTree(path + "/" + n);
    if (!r.ok()) return r;
  }
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return IoError("rmdir", path, errno);
  return Done{};
}

int64_t MtimeMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sluice::objects
