// The `sluice` command: global flags and one line per subcommand.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "cli/gen_command.h"
#include "cli/logging.h"
#include "cli/produce_command.h"
#include "cli/serve_command.h"
#include "cli/version.h"

int main(int argc, char** argv) {
  CLI::App app{"sluice: the AWS streaming pipeline (Kinesis, Firehose, S3) on one machine"};
  app.set_version_flag("--version", std::string(sluice::cli::kVersion));
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")->capture_default_str();

  sluice::cli::ServeCommand serve(app);
  sluice::cli::AddGenCommand(app);
  sluice::cli::AddProduceCommand(app);

  CLI11_PARSE(app, argc, argv);

  if (auto st = sluice::cli::SetUpLogging(log_level); !st.ok()) {
    std::fprintf(stderr, "sluice: %s\n", st.message().c_str());
    return 2;
  }
  if (serve.chosen()) return serve.Run();
  return 0;
}
