// POSIX FileSystem: pwrite/pread/fdatasync on plain file descriptors.
#include <stdio.h>  // renameat2
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "base/file_system.h"

namespace sluice {
namespace {

FileInfo InfoFrom(const struct stat& st) {
  FileInfo i;
  i.size = static_cast<uint64_t>(st.st_size);
  i.mtime_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
  i.inode = static_cast<uint64_t>(st.st_ino);
  i.is_dir = S_ISDIR(st.st_mode);
  i.is_regular = S_ISREG(st.st_mode);
  return i;
}

Result<FileInfo> FStat(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno("fstat", path, errno);
  return InfoFrom(st);
}

// NotFound for ENOENT (callers test the code), keeping the errno either way.
Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  if (err == ENOENT) return Status(StatusCode::kNotFound, std::string(what) + " " + path + ": not found", err);
  if (err == EEXIST) return Status(StatusCode::kAlreadyExists, std::string(what) + " " + path + ": exists", err);
  return Status::FromErrno(what, path, err);
}

class PosixRandomAccessFile;


class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t pos) : path_(std::move(path)), fd_(fd), pos_(pos) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Result<size_t> Write(std::span<const char> data) override {
    while (true) {
      const ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(pos_));
      if (n >= 0) {
        pos_ += static_cast<uint64_t>(n);
        return static_cast<size_t>(n);
      }
      if (errno != EINTR) return Status::FromErrno("write", path_, errno);
    }
  }
  Result<uint64_t> AppendFrom(const RandomAccessFile& src, uint64_t offset, uint64_t length) override;
  void StartWriteback(uint64_t offset, uint64_t length) override {
    ::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(length), SYNC_FILE_RANGE_WRITE);
  }
  Result<FileInfo> Stat() override { return FStat(fd_, path_); }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Status::FromErrno("fdatasync", path_, errno);
    return Status::OK();
  }
  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return Status::FromErrno("ftruncate", path_, errno);
    pos_ = size;
    return Status::OK();
  }
  Result<uint64_t> Size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::FromErrno("fstat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }
  Status Close() override {
    if (fd_ < 0) return Status::OK();
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Status::FromErrno("close", path_, errno);
    return Status::OK();
  }

 private:
  const std::string path_;
  int fd_;
  uint64_t pos_;  // pwrite at a tracked position so Truncate can rewind writes
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Result<size_t> Read(uint64_t pos, std::span<char> out) const override {
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(pos + done));
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("pread", path_, errno);
      }
      done += static_cast<size_t>(n);
    }
    return done;
  }
  Result<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::FromErrno("fstat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }
  Result<FileInfo> Stat() const override { return FStat(fd_, path_); }
  Result<std::shared_ptr<const FileSlice>> Slice(uint64_t offset, uint64_t length) const override {
    const int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return Status::FromErrno("dup", path_, errno);
    return std::shared_ptr<const FileSlice>(std::make_shared<const FileSlice>(fd, offset, length));
  }
  int fd() const { return fd_; }

 private:
  const std::string path_;
  const int fd_;
};

Result<uint64_t> PosixWritableFile::AppendFrom(const RandomAccessFile& src, uint64_t offset, uint64_t length) {
  uint64_t done = 0;
  if (const auto* p = dynamic_cast<const PosixRandomAccessFile*>(&src)) {
    off_t in = static_cast<off_t>(offset);
    off_t out = static_cast<off_t>(pos_);
    while (done < length) {
      const ssize_t n = ::copy_file_range(p->fd(), &in, fd_, &out, length - done, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("copy_file_range", path_, errno);
      }
      if (n == 0) break;
      done += static_cast<uint64_t>(n);
      pos_ += static_cast<uint64_t>(n);
    }
    return done;
  }
  // Another implementation's file: through a buffer.
  std::string buf(std::min<uint64_t>(length, 1 << 20), '\0');
  while (done < length) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), length - done));
    ASSIGN_OR_RETURN(const size_t n, src.Read(offset + done, std::span<char>(buf.data(), want)));
    if (n == 0) break;
    RETURN_IF_ERROR(WriteAll(*this, std::span<const char>(buf.data(), n)));
    done += n;
  }
  return done;
}

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, OpenMode mode) override {
    int flags = O_WRONLY | O_CLOEXEC;
    switch (mode) {
      case OpenMode::kCreateNew: flags |= O_CREAT | O_EXCL; break;
      case OpenMode::kOpenExisting: break;
      case OpenMode::kCreateOrTruncate: flags |= O_CREAT | O_TRUNC; break;
    }
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) {
      if (errno == EEXIST) return Status::AlreadyExists(path);
      if (errno == ENOENT) return Status::NotFound(path);
      return Status::FromErrno("open", path, errno);
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno("fstat", path, err);
    }
    return std::unique_ptr<WritableFile>(
        std::make_unique<PosixWritableFile>(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixRandomAccessFile>(path, fd));
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return ErrnoStatus("lstat", path, errno);
    return InfoFrom(st);
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus("opendir", dir, errno);
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d)) {
      const std::string_view n(e->d_name);
      if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(d);
    return names;
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return Status::OK();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Status::FromErrno("rename", from, errno);
    return Status::OK();
  }

  Status Exchange(const std::string& a, const std::string& b) override {
    if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0) {
      return Status::FromErrno("renameat2", b, errno);
    }
    return Status::OK();
  }

  Status Link(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) return ErrnoStatus("link", to, errno);
    return Status::OK();
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) != 0) return ErrnoStatus("mkdir", dir, errno);
    return Status::OK();
  }

  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return ErrnoStatus("rmdir", dir, errno);
    return Status::OK();
  }

  Status CreateDirs(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IOError("mkdir " + dir + ": " + ec.message());
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("open", dir, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return Status::FromErrno("fsync", dir, err);
    return Status::OK();
  }
};

}  // namespace

FileSystem& FileSystem::Posix() {
  static PosixFileSystem fs;
  return fs;
}

Result<std::string> ReadWholeFile(FileSystem& fs, const std::string& path) {
  ASSIGN_OR_RETURN(const std::unique_ptr<RandomAccessFile> f, fs.OpenReadable(path));
  ASSIGN_OR_RETURN(const uint64_t size, f->Size());
  std::string out(size, '\0');
  ASSIGN_OR_RETURN(const size_t n, f->Read(0, std::span<char>(out.data(), out.size())));
  out.resize(n);
  return out;
}

Status ReplaceFile(FileSystem& fs, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  ASSIGN_OR_RETURN(const std::unique_ptr<WritableFile> f, fs.OpenWritable(tmp, OpenMode::kCreateOrTruncate));
  RETURN_IF_ERROR(WriteAll(*f, std::span<const char>(data.data(), data.size())));
  RETURN_IF_ERROR(f->Close());
  return fs.Rename(tmp, path);
}

Status WriteAll(WritableFile& f, std::span<const char> data) {
  while (!data.empty()) {
    ASSIGN_OR_RETURN(const size_t n, f.Write(data));
    if (n == 0) return Status::IOError("write made no progress");
    data = data.subspan(n);
  }
  return Status::OK();
}

}  // namespace sluice
