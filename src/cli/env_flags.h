// Flags from the environment: every long flag of a command can also be given as an
// environment variable, PREFIX + the flag's name upper-cased with '-' as '_'
// (--max-body-bytes <-> SLUICE_MAX_BODY_BYTES), so a service manager or a container
// can configure `sluice serve` without a command line. A flag given on the command line
// wins over its variable. A variable's value is checked exactly as the flag's would be;
// a bad one is a usage error naming the variable. Boolean flags take true/false,
// on/off, yes/no or 1/0. An empty variable counts as unset. A command that lets its
// parent's flags follow it (CLI11's fallthrough, as `serve` does for --log-level) reads
// those too (SLUICE_LOG_LEVEL). Help and --version have no variable.
#pragma once

#include <string>
#include <string_view>

#include "aws/credentials.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sluice::cli {

// The variable that stands for `option` ("SLUICE_DATA_DIR" for --data-dir), or "" when
// the option has no long name.
std::string EnvNameFor(const CLI::Option& option, std::string_view prefix);

// Makes `command` read each of its flags that the command line left unset from the
// environment, once it is chosen and parsed (before its own callback, which this
// sets, so the command must have none). Options added to `command` after this call are
// covered too. A bad value throws CLI::ValidationError out of parsing:
// "SLUICE_PORT=abc: ...".
void ReadFlagsFromEnvironment(CLI::App& command, std::string prefix, aws::EnvLookup env);

// What the callback does, for tests: applies the environment to `command` now.
void ApplyEnvironment(CLI::App& command, std::string_view prefix, const aws::EnvLookup& env);

}  // namespace sluice::cli
