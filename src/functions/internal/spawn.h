// Starts a runtime process: argv/env as given, working directory, an address-space
// limit, stdin from /dev/null, stdout and stderr into one pipe the caller reads.
// The child gets a process group of its own so a timeout kills everything it started.
// Blocks for the fork only (a few milliseconds).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace sluice::functions {

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is the program (a path, or a name on PATH)
  std::vector<std::string> env;   // "NAME=value"
  std::string cwd;
  uint64_t address_space_bytes = 0;  // 0: no limit
};

struct Spawned {
  pid_t pid = -1;
  int output_fd = -1;  // read end, non-blocking, close-on-exec
};

Result<Spawned> Spawn(const SpawnSpec& spec);

// Runs `argv` to completion; its exit status (or -1). Its output (stdout and stderr)
// goes to `output` when given (at most 64 KiB kept), else is discarded.
int RunQuiet(const std::vector<std::string>& argv, std::string* output = nullptr);

}  // namespace sluice::functions
