#include "base/file_slice.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sluice {

FileSlice::~FileSlice() {
  if (fd_ >= 0) ::close(fd_);
}

long FileSlice::ReadAt(uint64_t pos, char* out, size_t n) const {
  if (pos >= length_) return 0;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(n, length_ - pos));
  while (true) {
    const ssize_t got = ::pread(fd_, out, want, static_cast<off_t>(offset_ + pos));
    if (got >= 0 || errno != EINTR) return static_cast<long>(got);
  }
}

}  // namespace sluice
