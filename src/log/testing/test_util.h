// Helpers shared by the log tests: scratch directories, record builders, whole-log reads.
#pragma once

#include <string>
#include <vector>

#include "log/log.h"

namespace sluice::log::testing {

// A fresh directory under the system temp dir, removed with everything in it on
// destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Owns record contents so RecordInput views stay valid.
struct OwnedRecord {
  std::string key;
  std::string data;
  std::optional<HashKey> hash;
  std::optional<int64_t> arrival_ms;
};
std::vector<RecordInput> Views(const std::vector<OwnedRecord>& records);
// n records "key-<i>" / "<prefix>-<i>" (data padded to data_size if larger).
std::vector<OwnedRecord> MakeRecords(const std::string& prefix, int n, size_t data_size = 0);

// Every readable record's data, from the start; fails the test on a read error.
std::vector<std::string> ReadAllData(const Log& log);

std::string ReadFileBytes(const std::string& path);
void WriteFileBytes(const std::string& path, const std::string& bytes);
std::vector<std::string> ListDir(const std::string& dir);

LogOptions TestOptions(const std::string& dir);

}  // namespace sluice::log::testing
