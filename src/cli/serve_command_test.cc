#include "cli/serve_command.h"

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace sluice::cli {
namespace {

TEST(ServeCommand, FsyncTakesAlwaysNeverOrAnIntervalInRange) {
  EXPECT_EQ(CheckFsync("always"), "");
  EXPECT_EQ(CheckFsync("never"), "");
  EXPECT_EQ(CheckFsync("interval:1"), "");
  EXPECT_EQ(CheckFsync("interval:9999999"), "");
  for (const char* bad : {"", "sometimes", "interval:", "interval:0", "interval:01", "interval:10000000",
                          "interval:5ms", "Always"}) {
    EXPECT_EQ(CheckFsync(bad),
              std::string("expected always, never or interval:MS (MS from 1 to 9999999), got '") + bad + "'");
  }
}

// Parses `args` after "sluice serve"; returns CLI11's exit code (0: parsed).
int Parse(std::vector<std::string> args, bool* chosen) {
  CLI::App app;
  ServeCommand serve(app);
  args.insert(args.begin(), "serve");
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code();
  }
  *chosen = serve.chosen();
  return 0;
}

TEST(ServeCommand, FlagsOutsideTheirRangesAreRefused) {
  bool chosen = false;
  EXPECT_EQ(Parse({"--port", "0", "--threads", "4", "--fsync", "interval:5"}, &chosen), 0);
  EXPECT_TRUE(chosen);
  EXPECT_NE(Parse({"--threads", "0"}, &chosen), 0);
  EXPECT_NE(Parse({"--fsync", "sometimes"}, &chosen), 0);
  EXPECT_NE(Parse({"--fault-put-failure-rate", "1.5"}, &chosen), 0);
  EXPECT_NE(Parse({"--tls-cert", "/nonexistent/cert.pem"}, &chosen), 0);
  EXPECT_EQ(Parse({"--metrics", "off"}, &chosen), 0);
  EXPECT_NE(Parse({"--metrics", "maybe"}, &chosen), 0);
}

}  // namespace
}  // namespace sluice::cli
