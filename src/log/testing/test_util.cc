#include "log/testing/test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::log::testing {

ScratchDir::ScratchDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-log-test-XXXXXX").string();
  const char* p = ::mkdtemp(tmpl.data());
  if (p == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = p;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<RecordInput> Views(const std::vector<OwnedRecord>& records) {
  std::vector<RecordInput> out;
  for (const OwnedRecord& r : records) out.push_back(RecordInput{r.key, r.hash, r.data, r.arrival_ms});
  return out;
}

std::vector<OwnedRecord> MakeRecords(const std::string& prefix, int n, size_t data_size) {
  std::vector<OwnedRecord> out;
  for (int i = 0; i < n; ++i) {
    OwnedRecord r;
    r.key = "key-" + std::to_string(i);
    r.data = prefix + "-" + std::to_string(i);
    if (r.data.size() < data_size) r.data.resize(data_size, '.');
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> ReadAllData(const Log& log) {
  std::vector<std::string> out;
  Offset at = log.StartOffset();
  while (at < log.EndOffset()) {
    Result<ReadResult> r = log.Read(at, 1000, 1 << 20);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->records.empty()) break;
    for (const Record& rec : r->records) out.emplace_back(rec.data);
    at = r->next_offset;
  }
  return out;
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

LogOptions TestOptions(const std::string& dir) {
  LogOptions o;
  o.dir = dir;
  o.on_warning = [](std::string_view) {};
  return o;
}

}  // namespace sluice::log::testing
