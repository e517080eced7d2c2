#include "cli/env_flags.h"

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "cli/serve_command.h"

namespace sluice::cli {
namespace {

struct Parsed {
  std::string data_dir;
  int port = 0;
  bool flag = false;
  double rate = 0;
};

// `sluice cmd ARGS` with the flags of a small command read from `env`.
class EnvFlagsTest : public ::testing::Test {
 protected:
  // Returns "" when parsing succeeded, else the error's message.
  std::string Parse(std::vector<std::string> args) {
    CLI::App app;
    CLI::App* cmd = app.add_subcommand("cmd");
    cmd->add_option("--data-dir", parsed_.data_dir);
    ReadFlagsFromEnvironment(*cmd, "SLUICE_", [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    });
    // Added after the call: still covered.
    cmd->add_option("--port", parsed_.port)->check(CLI::Range(0, 65535));
    cmd->add_flag("--some-flag", parsed_.flag);
    cmd->add_option("--rate", parsed_.rate);
    args.insert(args.begin(), "cmd");
    std::reverse(args.begin(), args.end());
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      return e.what();
    }
    return {};
  }

  std::map<std::string, std::string> env_;
  Parsed parsed_;
};

TEST(EnvFlags, NameIsPrefixAndUpperCasedLongFlag) {
  CLI::App app;
  int v = 0;
  EXPECT_EQ(EnvNameFor(*app.add_option("--max-body-bytes", v), "SLUICE_"), "SLUICE_MAX_BODY_BYTES");
  EXPECT_EQ(EnvNameFor(*app.add_option("-o,--output", v), "SLUICE_"), "SLUICE_OUTPUT");
  EXPECT_EQ(EnvNameFor(*app.add_option("-x", v), "SLUICE_"), "");
}

TEST_F(EnvFlagsTest, EveryFlagCanComeFromItsVariable) {
  env_ = {{"SLUICE_DATA_DIR", "/srv/data"}, {"SLUICE_PORT", "4566"}, {"SLUICE_SOME_FLAG", "true"},
          {"SLUICE_RATE", "2.5"}};
  ASSERT_EQ(Parse({}), "");
  EXPECT_EQ(parsed_.data_dir, "/srv/data");
  EXPECT_EQ(parsed_.port, 4566);
  EXPECT_TRUE(parsed_.flag);
  EXPECT_EQ(parsed_.rate, 2.5);
}

TEST_F(EnvFlagsTest, TheCommandLineWinsOverTheEnvironment) {
  env_ = {{"SLUICE_PORT", "4566"}, {"SLUICE_DATA_DIR", "/env"}};
  ASSERT_EQ(Parse({"--port", "9000"}), "");
  EXPECT_EQ(parsed_.port, 9000);
  EXPECT_EQ(parsed_.data_dir, "/env");
}

TEST_F(EnvFlagsTest, EmptyVariablesAndOtherPrefixesAreIgnored) {
  env_ = {{"SLUICE_PORT", ""}, {"PORT", "1"}, {"SLUICE_DATA_DIRX", "/x"}};
  ASSERT_EQ(Parse({}), "");
  EXPECT_EQ(parsed_.port, 0);
  EXPECT_EQ(parsed_.data_dir, "");
}

TEST_F(EnvFlagsTest, BooleanFlagsTakeTheUsualWords) {
  for (const char* yes : {"true", "1", "on", "yes"}) {
    env_ = {{"SLUICE_SOME_FLAG", yes}};
    parsed_.flag = false;
    ASSERT_EQ(Parse({}), "") << yes;
    EXPECT_TRUE(parsed_.flag) << yes;
  }
  for (const char* no : {"false", "0", "off", "no"}) {
    env_ = {{"SLUICE_SOME_FLAG", no}};
    parsed_.flag = true;
    ASSERT_EQ(Parse({}), "") << no;
    EXPECT_FALSE(parsed_.flag) << no;
  }
}

TEST_F(EnvFlagsTest, ABadValueIsAnErrorNamingTheVariable) {
  env_ = {{"SLUICE_PORT", "70000"}};
  EXPECT_EQ(Parse({}), "SLUICE_PORT=70000: --port: Value 70000 not in range 0 to 65535");
  env_ = {{"SLUICE_RATE", "fast"}};
  EXPECT_EQ(Parse({}), "SLUICE_RATE=fast: Could not convert: --rate = fast");
  env_ = {{"SLUICE_SOME_FLAG", "maybe"}};
  EXPECT_EQ(Parse({}), "SLUICE_SOME_FLAG=maybe: Could not convert: --some-flag = maybe");
}

TEST(EnvFlags, AParentsFlagsFollowingTheCommandAreReadButNotHelpOrVersion) {
  CLI::App app;
  app.set_version_flag("--version", "1.0");
  std::string level = "info";
  app.add_option("--log-level", level);
  CLI::App* cmd = app.add_subcommand("cmd");
  cmd->fallthrough();
  const std::map<std::string, std::string> env = {
      {"SLUICE_LOG_LEVEL", "debug"}, {"SLUICE_VERSION", "1"}, {"SLUICE_HELP", "1"}};
  ReadFlagsFromEnvironment(*cmd, "SLUICE_", [&env](std::string_view n) -> std::optional<std::string> {
    return env.count(std::string(n)) ? std::optional(env.at(std::string(n))) : std::nullopt;
  });
  std::vector<std::string> args = {"cmd"};
  EXPECT_NO_THROW(app.parse(args));
  EXPECT_EQ(level, "debug");
}

TEST_F(EnvFlagsTest, AnotherCommandIsNotAffected) {
  env_ = {{"SLUICE_PORT", "abc"}};
  CLI::App app;
  app.add_subcommand("other");
  CLI::App* cmd = app.add_subcommand("cmd");
  int port = 0;
  cmd->add_option("--port", port);
  ReadFlagsFromEnvironment(*cmd, "SLUICE_", [this](std::string_view n) -> std::optional<std::string> {
    return env_.count(std::string(n)) ? std::optional(env_.at(std::string(n))) : std::nullopt;
  });
  std::vector<std::string> args = {"other"};
  EXPECT_NO_THROW(app.parse(args));
}

}  // namespace
}  // namespace sluice::cli
