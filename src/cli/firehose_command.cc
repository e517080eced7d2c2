#include "cli/firehose_command.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <ctime>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/json_service_client.h"

namespace sluice::cli {
namespace {

constexpr JsonService kFirehose{"Firehose", "firehose", "Firehose_20150804"};

Result<nlohmann::json> Call(const FirehoseCommandOptions& o, std::string_view action, const nlohmann::json& body) {
  return CallJsonService(kFirehose, {o.endpoint, o.profile, o.region}, action, body);
}

std::string Age(int64_t ms) {
  if (ms < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
  return buf;
}

int Fail(const Status& st) {
  std::fprintf(stderr, "sluice firehose: %s\n", st.message().c_str());
  return 1;
}

int RunLs(const FirehoseCommandOptions& o) {
  auto r = Call(o, "SluiceListDeliveryStreamStats", nlohmann::json::object());
  if (!r.ok()) return Fail(r.status());
  std::printf("%-32s %14s %10s %10s %8s  %s\n", "NAME", "BUFFERED_BYTES", "RECORDS", "OLDEST", "OBJECTS", "LAST_ERROR");
  for (const auto& s : r->value("DeliveryStreams", nlohmann::json::array())) {
    std::printf("%-32s %14lld %10lld %10s %8lld  %s\n", s.value("DeliveryStreamName", "").c_str(),
                static_cast<long long>(s.value("BufferedBytes", int64_t{0})),
                static_cast<long long>(s.value("BufferedRecords", int64_t{0})),
                Age(s.value("OldestRecordAgeMillis", int64_t{-1})).c_str(),
                static_cast<long long>(s.value("ObjectsWritten", int64_t{0})),
                s.value("LastError", "").empty() ? "-" : s.value("LastError", "").c_str());
  }
  return 0;
}

int RunFlush(const FirehoseCommandOptions& o, const std::string& name) {
  auto r = Call(o, "SluiceFlushDeliveryStream", {{"DeliveryStreamName", name}});
  if (!r.ok()) return Fail(r.status());
  const auto& s = (*r)["Stats"];
  std::printf("flushed %s: %lld objects written, %lld bytes buffered\n", name.c_str(),
              static_cast<long long>(s.value("ObjectsWritten", int64_t{0})),
              static_cast<long long>(s.value("BufferedBytes", int64_t{0})));
  return 0;
}

}  // namespace

void AddFirehoseCommand(CLI::App& app) {
  CLI::App* fh = app.add_subcommand("firehose", "Inspect and flush a running server's delivery streams");
  fh->require_subcommand(1);
  // Shared with the callbacks, which run after parsing, when this function has returned.
  auto o = std::make_shared<FirehoseCommandOptions>();
  auto name = std::make_shared<std::string>();
  const auto common = [o](CLI::App* cmd) {
    cmd->add_option("--endpoint", o->endpoint,
                    "Server URL (default: AWS_ENDPOINT_URL_FIREHOSE, AWS_ENDPOINT_URL, the profile, else " +
                        std::string(kLocalEndpoint) + ")");
    cmd->add_option("--profile", o->profile, "Profile in ~/.aws/credentials and ~/.aws/config");
    cmd->add_option("--region", o->region, "Signing region (default: environment, profile, else us-east-1)");
  };
  CLI::App* ls = fh->add_subcommand("ls", "Each delivery stream: buffered bytes, oldest record age, objects written, last error");
  common(ls);
  ls->callback([o] { throw CLI::RuntimeError(RunLs(*o)); });
  CLI::App* flush = fh->add_subcommand("flush", "Deliver what a delivery stream buffers now (a sluice extension)");
  flush->add_option("NAME", *name, "Delivery stream name")->required();
  common(flush);
  flush->callback([o, name] { throw CLI::RuntimeError(RunFlush(*o, *name)); });
}

}  // namespace sluice::cli
