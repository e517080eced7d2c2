#include "cli/serve_command.h"

#include <CLI/CLI.hpp>

#include <chrono>

#include "cli/allocator_tuning.h"
#include "cli/env_flags.h"

namespace sluice::cli {

std::string CheckFsync(const std::string& v) {
  constexpr std::string_view kInterval = "interval:";
  if (v == "always" || v == "never") return {};
  if (std::string_view(v).starts_with(kInterval)) {
    const std::string_view ms = std::string_view(v).substr(kInterval.size());
    bool digits = !ms.empty() && ms.size() <= 7 && ms[0] != '0';
    for (const char c : ms) digits = digits && c >= '0' && c <= '9';
    if (digits) return {};
  }
  return "expected always, never or interval:MS (MS from 1 to 9999999), got '" + v + "'";
}

ServeCommand::ServeCommand(CLI::App& app)
    : header_timeout_ms_(options_.server.header_timeout.count()),
      idle_timeout_ms_(options_.server.idle_timeout.count()),
      grace_ms_(options_.server.shutdown_grace.count()) {
  auto& srv = options_.server;
  cmd_ = app.add_subcommand("serve", "Serve every API on one port");
  cmd_->fallthrough();  // global flags (--log-level) may follow the subcommand
  cmd_->add_option("--data-dir", options_.data_dir, "Where streams, objects and metadata live")
      ->capture_default_str();
  cmd_->add_option("--bind", srv.bind, "Address to listen on")->capture_default_str();
  cmd_->add_option("--port", srv.port, "Port to listen on (0 picks a free one)")->capture_default_str();
  cmd_->add_option("--fsync", options_.fsync, "always | interval:MS | never")
      ->capture_default_str()
      ->check(CheckFsync);
  cmd_->add_option("--credentials", options_.credentials,
                   "Verify SigV4 against the keys of this AWS shared-credentials file (every profile), or "
                   "`env` for AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
      ->envname("SLUICE_CREDENTIALS");
  cmd_->add_flag("--allow-anonymous", options_.allow_anonymous,
                 "Serve a non-loopback --bind without --credentials (anyone reaching it has full access)");
  cmd_->add_option("--tls-cert", srv.tls_cert_file, "PEM certificate chain (enables TLS)")
      ->check(CLI::ExistingFile);
  cmd_->add_option("--tls-key", srv.tls_key_file, "PEM private key")->check(CLI::ExistingFile);
  cmd_->add_option("--threads", srv.threads, "I/O threads")->capture_default_str()->check(CLI::Range(1, 256));
  cmd_->add_option("--max-body-bytes", srv.max_body_bytes, "Largest request body accepted")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{5} << 30));
  cmd_->add_option("--max-request-memory", options_.max_request_memory,
                   "Memory all requests in flight may hold together (bodies, parsed requests); "
                   "past it requests are answered 503")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1} << 20, uint64_t{1} << 40));
  cmd_->add_option("--header-timeout-ms", header_timeout_ms_, "Time allowed to send request headers")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  cmd_->add_option("--idle-timeout-ms", idle_timeout_ms_, "Keep-alive connections idle this long are closed")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  cmd_->add_option("--shutdown-grace-ms", grace_ms_, "On SIGTERM, time for in-flight requests to finish")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{3'600'000}));

  auto& so = options_.streams;
  cmd_->add_option("--create-stream-ms", so.create_delay_ms, "How long a new stream stays CREATING")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}));
  cmd_->add_option("--delete-stream-ms", so.delete_delay_ms, "How long a deleted stream stays DELETING")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}));
  cmd_->add_option("--shard-limit", so.shard_limit, "Open shards allowed across all streams")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}));
  cmd_->add_option("--update-stream-ms", so.update_delay_ms, "How long a resharded stream stays UPDATING")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}));
  cmd_->add_flag("--shard-limits", so.shard_limits,
                 "Enforce AWS's per-shard throughput limits (1 MiB/s and 1,000 records/s in, "
                 "2 MiB/s and 5 reads/s out); a stream tag sluice.shard-limits=on|off overrides");
  cmd_->add_flag("--firehose-rate-limits", options_.firehose_rate_limits,
                 "Enforce AWS's per-delivery-stream PutRecord(Batch) quota (us-east-1, us-west-2, eu-west-1: "
                 "2,000 calls, 500,000 records, 5 MiB per second; other regions 1,000, 100,000, 1 MiB)");
  cmd_->add_option("--fault-put-failure-rate", so.put_failure_rate,
                   "Fail this fraction of PutRecords records with InternalFailure (retry tests)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd_->add_option("--iterator-ttl-ms", so.iterator_lifetime_ms,
                   "Lifetime of shard iterators and NextTokens (AWS: 300000)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  cmd_->add_option("--region", so.region, "Region shown in ARNs")->capture_default_str();
  // Shard-log descriptors and the UpdateShardCount rate rule (docs/security.md).
  cmd_->add_option("--segment-file-cache", so.segment_file_cache,
                   "Log segments kept open for reading across all shards (0: a quarter of the "
                   "descriptor limit)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1'000'000}));
  cmd_->add_option("--update-shard-count-limit", so.update_shard_count_limit,
                   "UpdateShardCount calls allowed per stream per rolling 24 hours (AWS: 10; 0 = no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1'000'000));
  cmd_->add_option("--access-log", options_.access_log,
                   "Write one logfmt line per request to this file (appended), - for standard output")
      ->option_text("FILE|-");
  cmd_->add_option("--metrics", options_.metrics,
                   "on: every module reports CloudWatch-named metrics; off: none do (the store, "
                   "/metrics and PutMetricData still work)")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  cmd_->add_option("--python", options_.python,
                   "Interpreter for python3.x functions (default: the first python3 that has boto3)")
      ->option_text("PATH");
  cmd_->add_flag("--strict-runtimes", options_.strict_runtimes,
                 "Refuse deprecated Lambda runtimes (python3.6 ...) as AWS does, instead of warning");
  cmd_->add_option("--max-function-processes", options_.max_function_processes,
                   "Lambda runtime processes alive at once, across all functions")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd_->add_option("--custom-resource-timeout", options_.custom_resource_timeout_s,
                   "Seconds a CloudFormation custom resource waits for its function's response when it sets "
                   "no ServiceTimeout")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd_->add_option("--lake-endpoint", options_.lake_endpoint,
                   "Keep the lake (Firehose's objects, the built-in consumers' writes, what SQL reads) in this "
                   "S3-compatible store; keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws")
      ->option_text("URL");

  // Every flag, including ones added below this line, may come from SLUICE_<FLAG>.
  ReadFlagsFromEnvironment(*cmd_, "SLUICE_", aws::RealEnv());
}

bool ServeCommand::chosen() const { return cmd_->parsed(); }

int ServeCommand::Run() {
  options_.server.header_timeout = std::chrono::milliseconds(header_timeout_ms_);
  options_.server.idle_timeout = std::chrono::milliseconds(idle_timeout_ms_);
  options_.server.shutdown_grace = std::chrono::milliseconds(grace_ms_);
  TuneAllocatorForServing();
  return RunServe(options_);
}

}  // namespace sluice::cli
