#include "producer/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sluice::producer {
namespace {

class FdSource final : public ByteSource {
 public:
  FdSource(int fd, bool owned, std::string name, int64_t size)
      : fd_(fd), owned_(owned), name_(std::move(name)), size_(size) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }
  Result<size_t> Read(char* buf, size_t n) override {
    while (true) {
      const ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return Status::FromErrno("read", name_, errno);
    }
  }
  int64_t SizeHint() const override { return size_; }

 private:
  int fd_;
  bool owned_;
  std::string name_;
  int64_t size_;
};

class StringSourceImpl final : public ByteSource {
 public:
  StringSourceImpl(std::string data, size_t max_chunk) : data_(std::move(data)), max_chunk_(max_chunk) {}
  Result<size_t> Read(char* buf, size_t n) override {
    const size_t k = std::min({n, max_chunk_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, k, buf);
    pos_ += k;
    return k;
  }
  int64_t SizeHint() const override { return static_cast<int64_t>(data_.size()); }

 private:
  std::string data_;
  size_t max_chunk_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path) {
  if (path == "-") return std::unique_ptr<ByteSource>(std::make_unique<FdSource>(0, false, "stdin", -1));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open", path, errno);
  struct stat st {};
  const int64_t size = (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) ? st.st_size : -1;
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<ByteSource>(std::make_unique<FdSource>(fd, true, path, size));
}

std::unique_ptr<ByteSource> StringSource(std::string data, size_t max_chunk) {
  return std::make_unique<StringSourceImpl>(std::move(data), std::max<size_t>(1, max_chunk));
}

}  // namespace sluice::producer
