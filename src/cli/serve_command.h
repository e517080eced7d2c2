// `sluice serve`: flag wiring for the server (serve.h). The flags and their ranges are
// data here; RunServe does the work.
#pragma once

#include <cstdint>
#include <string>

#include "cli/serve.h"

namespace CLI {
class App;
}

namespace sluice::cli {

class ServeCommand {
 public:
  // Adds `serve` and its flags to `app`; `app` must outlive this object.
  explicit ServeCommand(CLI::App& app);
  // Whether the command line chose `serve`. After parsing.
  bool chosen() const;
  // Runs the server with the parsed flags; returns the exit code.
  int Run();

 private:
  CLI::App* cmd_ = nullptr;
  ServeOptions options_;
  int64_t header_timeout_ms_;
  int64_t idle_timeout_ms_;
  int64_t grace_ms_;
};

// "--fsync": always | never | interval:MS with MS from 1 to 9999999. Returns "" when
// valid, else the message CLI11 prints.
std::string CheckFsync(const std::string& value);

}  // namespace sluice::cli
