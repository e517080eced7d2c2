// The `sluice` command.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <regex>
#include <string>

#include "cli/gen_command.h"
#include "cli/logging.h"
#include "cli/produce_command.h"
#include "cli/serve.h"
#include "cli/version.h"

namespace {

// --fsync always | interval:MS | never
std::string CheckFsync(const std::string& v) {
  static const std::regex kPattern("always|never|interval:[1-9][0-9]{0,6}");
  if (std::regex_match(v, kPattern)) return {};
  return "expected always, never or interval:MS (MS from 1 to 9999999), got '" + v + "'";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice: the AWS streaming pipeline (Kinesis, Firehose, S3) on one machine"};
  app.set_version_flag("--version", std::string(sluice::cli::kVersion));
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->capture_default_str();

  sluice::cli::ServeOptions serve;
  auto& srv = serve.server;
  int64_t header_timeout_ms = srv.header_timeout.count();
  int64_t idle_timeout_ms = srv.idle_timeout.count();
  int64_t grace_ms = srv.shutdown_grace.count();
  CLI::App* serve_cmd = app.add_subcommand("serve", "Serve every API on one port");
  serve_cmd->fallthrough();  // global flags (--log-level) may follow the subcommand
  serve_cmd->add_option("--data-dir", serve.data_dir, "Where streams, objects and metadata live")
      ->capture_default_str();
  serve_cmd->add_option("--bind", srv.bind, "Address to listen on")->capture_default_str();
  serve_cmd->add_option("--port", srv.port, "Port to listen on (0 picks a free one)")
      ->capture_default_str();
  serve_cmd->add_option("--fsync", serve.fsync, "always | interval:MS | never")
      ->capture_default_str()
      ->check(CheckFsync);
  serve_cmd->add_option("--tls-cert", srv.tls_cert_file, "PEM certificate chain (enables TLS)")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--tls-key", srv.tls_key_file, "PEM private key")->check(CLI::ExistingFile);
  serve_cmd->add_option("--threads", srv.threads, "I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  serve_cmd->add_option("--max-body-bytes", srv.max_body_bytes, "Largest request body accepted")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{5} << 30));
  serve_cmd->add_option("--header-timeout-ms", header_timeout_ms,
                        "Time allowed to send request headers")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  serve_cmd->add_option("--idle-timeout-ms", idle_timeout_ms,
                        "Keep-alive connections idle this long are closed")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  serve_cmd->add_option("--shutdown-grace-ms", grace_ms,
                        "On SIGTERM, time for in-flight requests to finish")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{3'600'000}));

  auto& so = serve.streams;
  serve_cmd->add_option("--create-stream-ms", so.create_delay_ms,
                        "How long a new stream stays CREATING")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}));
  serve_cmd->add_option("--delete-stream-ms", so.delete_delay_ms,
                        "How long a deleted stream stays DELETING")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}));
  serve_cmd->add_option("--shard-limit", so.shard_limit, "Open shards allowed across all streams")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}));
  serve_cmd->add_option("--update-stream-ms", so.update_delay_ms,
                        "How long a resharded stream stays UPDATING")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}));
  serve_cmd->add_flag("--shard-limits", so.shard_limits,
                      "Enforce AWS's per-shard throughput limits (1 MiB/s and 1,000 records/s in, "
                      "2 MiB/s and 5 reads/s out); a stream tag sluice.shard-limits=on|off overrides");
  serve_cmd->add_option("--fault-put-failure-rate", so.put_failure_rate,
                        "Fail this fraction of PutRecords records with InternalFailure (retry tests)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  serve_cmd->add_option("--iterator-ttl-ms", so.iterator_lifetime_ms,
                        "Lifetime of shard iterators and NextTokens (AWS: 300000)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  serve_cmd->add_option("--region", so.region, "Region shown in ARNs")->capture_default_str();

  sluice::cli::AddGenCommand(app);
  sluice::cli::AddProduceCommand(app);

  CLI11_PARSE(app, argc, argv);

  if (auto st = sluice::cli::SetUpLogging(log_level); !st.ok()) {
    std::fprintf(stderr, "sluice: %s\n", st.message().c_str());
    return 2;
  }
  if (serve_cmd->parsed()) {
    srv.header_timeout = std::chrono::milliseconds(header_timeout_ms);
    srv.idle_timeout = std::chrono::milliseconds(idle_timeout_ms);
    srv.shutdown_grace = std::chrono::milliseconds(grace_ms);
    return sluice::cli::RunServe(serve);
  }
  return 0;
}
