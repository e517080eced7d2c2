#include "cli/logs_command.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

constexpr int64_t kNow = 1'764'547'200'000;  // 2025-12-01T00:00:00Z

TEST(LogsCommandTest, SinceTakesRelativeDurationsAndUtcTimes) {
  EXPECT_EQ(ParseSince("10m", kNow), kNow - 600'000);
  EXPECT_EQ(ParseSince("2h", kNow), kNow - 7'200'000);
  EXPECT_EQ(ParseSince("1w", kNow), kNow - 604'800'000);
  EXPECT_EQ(ParseSince("2025-11-30T23:59:00Z", kNow), kNow - 60'000);
  EXPECT_EQ(ParseSince("2025-11-30T23:59:00", kNow), kNow - 60'000);
  EXPECT_FALSE(ParseSince("10", kNow));
  EXPECT_FALSE(ParseSince("5h30m", kNow));
  EXPECT_FALSE(ParseSince("m", kNow));
  EXPECT_FALSE(ParseSince("2025-11-30T23:59:00Zjunk", kNow));
}

TEST(LogsCommandTest, LinesAreWhatAwsLogsTailPrints) {
  const nlohmann::json e = {{"timestamp", kNow + 123}, {"logStreamName", "2025/12/01/[$LATEST]ab"},
                            {"message", "START RequestId: r Version: $LATEST\n"}};
  EXPECT_EQ(FormatTailLine(e),
            "2025-12-01T00:00:00.123000+00:00 2025/12/01/[$LATEST]ab START RequestId: r Version: $LATEST\n");
  const nlohmann::json whole = {{"timestamp", kNow}, {"logStreamName", "s"}, {"message", "no newline"}};
  EXPECT_EQ(FormatTailLine(whole), "2025-12-01T00:00:00+00:00 s no newline\n");
}

TEST(LogsCommandTest, FunctionNamesMapToLambdasGroup) {
  EXPECT_EQ(LogGroupFor("fn"), "/aws/lambda/fn");
  EXPECT_EQ(LogGroupFor("/custom/group"), "/custom/group");
}

}  // namespace
}  // namespace sluice::cli
