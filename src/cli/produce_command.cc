#include "cli/produce_command.h"

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <string>

#include "producer/produce.h"

namespace sluice::cli {

Result<double> ParseRate(std::string_view text) {
  std::string_view number = text;
  if (number.ends_with("/s")) number.remove_suffix(2);
  double rate = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), rate);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(rate) ||
      rate < 0) {
    return Status::InvalidArgument("expected records per second as N or N/s, got '" + std::string(text) + "'");
  }
  return rate;
}

void AddProduceCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("produce", "Stream a CSV into a Kinesis stream (sluice or AWS)");
  // Shared with the callback, which runs after parsing, when this function has returned.
  auto o = std::make_shared<producer::ProduceOptions>();
  auto rate = std::make_shared<std::string>("0");
  cmd->add_option("--stream", o->stream, "Stream name")->required();
  cmd->add_option("--csv", o->csv, "CSV file with a header row, - for standard input")->required();
  cmd->add_option("--endpoint", o->endpoint, "Endpoint URL (default: AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL, the profile's "
                  "endpoint settings, else the AWS endpoint of the region)");
  cmd->add_option("--region", o->region, "Region (default: environment or profile)");
  cmd->add_option("--profile", o->profile, "Profile in ~/.aws/credentials and ~/.aws/config");
  cmd->add_option("--access-key-id", o->access_key_id, "Access key (default: environment or profile)");
  cmd->add_option("--secret-access-key", o->secret_access_key, "Secret key");
  cmd->add_option("--session-token", o->session_token, "Session token");
  cmd->add_option("--partition-key", o->partition_key,
                  "uuid (the record's event_id, even spread over shards) or a CSV column (one key's records on one shard)")
      ->capture_default_str();
  cmd->add_option("--rate", *rate, "Records per second, N or N/s; 0 is unlimited")
      ->capture_default_str()
      ->check([](const std::string& v) {
        Result<double> r = ParseRate(v);
        return r.ok() ? std::string() : r.status().message();
      });
  cmd->add_option("--concurrency", o->concurrency, "Requests in flight")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--rejects", o->rejects, "Write malformed rows here, each after a '# line N: why' comment");
  cmd->add_flag("--strict", o->strict, "Stop at the first malformed row");
  cmd->add_option("--max-attempts", o->max_attempts, "Sends per record before it counts as failed")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--request-timeout-ms", o->request_timeout_ms, "Per request")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  cmd->add_option("--seed", o->seed, "Reproducible event ids (0: from the OS entropy)")->capture_default_str();
  const std::map<std::string, producer::ProgressMode> modes = {{"auto", producer::ProgressMode::kAuto},
                                                                {"bar", producer::ProgressMode::kBar},
                                                                {"lines", producer::ProgressMode::kLines},
                                                                {"off", producer::ProgressMode::kOff}};
  cmd->add_option("--progress", o->progress, "auto (bar on a terminal, else lines), bar, lines or off")
      ->transform(CLI::CheckedTransformer(modes, CLI::ignore_case))
      ->option_text("auto|bar|lines|off");
  cmd->callback([o, rate] {
    o->rate = ParseRate(*rate).value();  // checked while parsing
    throw CLI::RuntimeError(producer::RunProduce(*o));
  });
}

}  // namespace sluice::cli
