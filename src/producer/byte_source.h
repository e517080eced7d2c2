// Where CSV bytes come from: a file, standard input, or (in tests) a string. Reads
// are sequential and never seek, so a pipe works as well as a file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

namespace sluice::producer {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `buf`; 0 means end of input.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  // Total size when known (a regular file), else -1; used for progress only.
  virtual int64_t SizeHint() const { return -1; }
};

// "-" is standard input.
Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path);
// Serves `data` in pieces of at most `max_chunk` bytes, so tests can put chunk
// boundaries anywhere inside a row.
std::unique_ptr<ByteSource> StringSource(std::string data, size_t max_chunk = SIZE_MAX);

}  // namespace sluice::producer
