// The `sluice` command: global flags and one line per subcommand.
#include <CLI/CLI.hpp>

#include <string>

#include "cli/firehose_command.h"
#include "cli/gen_command.h"
#include "cli/logs_command.h"
#include "cli/top_command.h"
#include "cli/logging.h"
#include "cli/produce_command.h"
#include "cli/query_command.h"
#include "cli/serve_command.h"
#include "cli/usage.h"
#include "cli/version.h"

int main(int argc, char** argv) {
  CLI::App app{"sluice: the AWS streaming pipeline (Kinesis, Firehose, S3) on one machine"};
  app.set_version_flag("--version", std::string(sluice::cli::kVersion));
  app.require_subcommand(1);
  std::string log_level = "info";
  sluice::cli::AddLogLevelOption(app, log_level);

  sluice::cli::ServeCommand serve(app);
  sluice::cli::AddGenCommand(app);
  sluice::cli::AddProduceCommand(app);
  sluice::cli::AddFirehoseCommand(app);
  sluice::cli::AddQueryCommand(app);
  sluice::cli::AddLogsCommand(app);
  sluice::cli::AddTopCommand(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return sluice::cli::ExitForParseError(app, e);
  }

  sluice::cli::SetUpLogging(log_level);
  if (serve.chosen()) return serve.Run();
  return 0;
}
