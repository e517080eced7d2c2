#include "cli/logging.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

// Lines say what --log-level takes: "warn", not spdlog's own "warning".
TEST(Logging, LevelsAreSpelledAsTheFlagTakesThem) {
  EXPECT_EQ(LevelName(spdlog::level::trace), "trace");
  EXPECT_EQ(LevelName(spdlog::level::debug), "debug");
  EXPECT_EQ(LevelName(spdlog::level::info), "info");
  EXPECT_EQ(LevelName(spdlog::level::warn), "warn");
  EXPECT_EQ(LevelName(spdlog::level::err), "error");
  EXPECT_EQ(LevelName(spdlog::level::critical), "error");
}

}  // namespace
}  // namespace sluice::cli
