#include "cli/usage.h"

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace sluice::cli {
namespace {

// A command tree shaped like sluice's: `top run --n N --name NAME` and `top gen taxi`.
UsageError Fail(std::vector<std::string> args) {
  CLI::App app;
  app.require_subcommand(1);
  CLI::App* run = app.add_subcommand("run", "Runs");
  run->fallthrough();
  int n = 0;
  std::string name;
  run->add_option("--n", n)->check(CLI::Range(1, 10));
  run->add_option("--name", name)->required();
  CLI::App* gen = app.add_subcommand("gen", "Generates");
  gen->require_subcommand(1);
  gen->add_subcommand("taxi", "Trips");
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return DescribeUsageError(app, e);
  }
  ADD_FAILURE() << "parsed";
  return {};
}

TEST(Usage, UnknownCommandListsTheCommands) {
  const UsageError e = Fail({"frobnicate"});
  EXPECT_EQ(e.message, "sluice: unknown command 'frobnicate'");
  EXPECT_EQ(e.usage,
            "usage: sluice [--log-level LEVEL] COMMAND [FLAGS]\ncommands:\n  run       Runs\n"
            "  gen       Generates\nRun 'sluice COMMAND --help' for a command's flags.\n");
}

TEST(Usage, EachKindOfMistakeHasItsOwnLine) {
  EXPECT_EQ(Fail({}).message, "sluice: missing command");
  EXPECT_EQ(Fail({"--frob"}).message, "sluice: unknown flag '--frob'");
  EXPECT_EQ(Fail({"run", "--name", "x", "--frob"}).message, "sluice run: unknown flag '--frob'");
  EXPECT_EQ(Fail({"run", "--name", "x", "extra"}).message, "sluice run: unexpected argument 'extra'");
  EXPECT_EQ(Fail({"run"}).message, "sluice run: missing required flag --name");
  EXPECT_EQ(Fail({"run", "--name", "x", "--n", "11"}).message, "sluice run: --n: Value 11 not in range 1 to 10");
  EXPECT_EQ(Fail({"run", "--name", "x", "--n", "x"}).message, "sluice run: --n: Value x not in range 1 to 10");
  EXPECT_EQ(Fail({"run", "--name", "x", "--n"}).message, "sluice run: --n: 1 required INT:INT in [1 - 10] missing");
  EXPECT_EQ(Fail({"gen"}).message, "sluice gen: missing command");
  EXPECT_EQ(Fail({"gen", "frob"}).message, "sluice gen: unknown command 'frob'");
}

TEST(Usage, ALeafCommandShowsItsRequiredFlags) {
  EXPECT_EQ(Fail({"run"}).usage, "usage: sluice run --name NAME [FLAGS]\nRun 'sluice run --help' for the flags.\n");
}

TEST(Usage, ResultsOfCommandsAndHelpAreNotUsageErrors) {
  CLI::App app;
  EXPECT_EQ(ExitForParseError(app, CLI::RuntimeError(1)), 1);
  EXPECT_EQ(ExitForParseError(app, CLI::RuntimeError(0)), 0);
}

}  // namespace
}  // namespace sluice::cli
