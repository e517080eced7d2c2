// For the objects module's tests: an empty directory of its own for the running test
// (its name and the process id), to hold a store's data directory.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace sluice::objects {

inline std::filesystem::path FreshTestDir(std::string_view prefix) {
  const auto dir = std::filesystem::temp_directory_path() /
                   (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace sluice::objects
