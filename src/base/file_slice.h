// FileSlice: a byte range of an open file that owns its descriptor. It is how a large
// body travels from storage to the transport without being read into memory: the
// store opens the file, the HTTP session reads (or sends) the range in chunks.
//
// Lifetime: the descriptor closes with the last shared_ptr holding the slice. Because
// objects are only ever replaced by rename and never written in place, a slice keeps
// serving the bytes it was opened on even if the object is replaced or deleted
// meanwhile. Threading: immutable after construction; reads use pread, so several
// readers may share one slice.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice {

class FileSlice {
 public:
  // Takes ownership of `fd`.
  FileSlice(int fd, uint64_t offset, uint64_t length) : fd_(fd), offset_(offset), length_(length) {}
  FileSlice(const FileSlice&) = delete;
  FileSlice& operator=(const FileSlice&) = delete;
  ~FileSlice();

  int fd() const { return fd_; }
  uint64_t offset() const { return offset_; }
  uint64_t length() const { return length_; }

  // Reads up to `n` bytes at position `pos` of the slice (0 = its first byte) into
  // `out`. Returns the count (0 at the end of the slice, or if the file shrank), or
  // -1 with errno set. Retries EINTR.
  long ReadAt(uint64_t pos, char* out, size_t n) const;

 private:
  const int fd_;
  const uint64_t offset_;
  const uint64_t length_;
};

}  // namespace sluice
