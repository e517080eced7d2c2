// Usage errors: what `sluice` prints when its command line is wrong. One line naming
// the mistake ("sluice: unknown command 'frobnicate'", "sluice serve: unknown flag
// '--frob'"), then the usage of the command it concerns, on stderr; exit code 2, as
// POSIX utilities and the AWS CLI use for usage errors.
#pragma once

#include <cstdio>
#include <string>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace sluice::cli {

// The exit code of a usage error.
inline constexpr int kUsageExitCode = 2;

struct UsageError {
  std::string message;  // one line, no trailing newline
  std::string usage;    // the concerned command's usage, several lines
};

// Describes `error`, thrown by parsing `app`'s command line (or by a flag read from the
// environment after it), in sluice's words. `app` is the top-level command.
UsageError DescribeUsageError(CLI::App& app, const CLI::ParseError& error);

// Handles whatever `app.parse` threw: help and --version are printed to stdout (exit
// 0), a subcommand's result (CLI::RuntimeError) is returned as its exit code silently,
// everything else is a usage error printed to `err` (exit 2).
int ExitForParseError(CLI::App& app, const CLI::ParseError& error, std::FILE* err = stderr);

}  // namespace sluice::cli
