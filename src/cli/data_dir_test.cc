#include "cli/data_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sluice::cli {
namespace {

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("sluice-datadir-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
};

TEST_F(DataDirTest, CreatesMissingDirectories) {
  const auto p = (root_ / "a" / "b").string();
  auto dir = DataDir::Open(p);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_TRUE(std::filesystem::is_directory(p));
  EXPECT_EQ((*dir)->File("catalog.db"), p + "/catalog.db");
}

TEST_F(DataDirTest, SecondOpenIsRefusedWhileFirstHoldsTheLock) {
  const auto p = (root_ / "d").string();
  auto first = DataDir::Open(p);
  ASSERT_TRUE(first.ok());
  auto second = DataDir::Open(p);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("in use by another sluice process"), std::string::npos);
  EXPECT_NE(second.status().message().find(p), std::string::npos);
  first->reset();
  EXPECT_TRUE(DataDir::Open(p).ok()) << "the lock is released with the first handle";
}

TEST_F(DataDirTest, AFileInTheWayIsNamedInTheError) {
  const auto file = root_ / "plain-file";
  std::ofstream(file) << "x";
  auto dir = DataDir::Open(file.string());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find(file.string()), std::string::npos);
  EXPECT_NE(dir.status().message().find("not a directory"), std::string::npos);
  auto below = DataDir::Open((file / "sub").string());
  ASSERT_FALSE(below.ok());
  EXPECT_NE(below.status().message().find("cannot create"), std::string::npos);
}

}  // namespace
}  // namespace sluice::cli
