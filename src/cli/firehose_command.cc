#include "cli/firehose_command.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <ctime>
#include <memory>

#include <nlohmann/json.hpp>

#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "aws/http_client.h"
#include "aws/sigv4.h"

namespace sluice::cli {
namespace {

constexpr std::string_view kLocalEndpoint = "http://127.0.0.1:4566";

// Calls one action and returns its JSON answer; an AWS error becomes a status naming
// its type and message.
Result<nlohmann::json> Call(const FirehoseCommandOptions& o, std::string_view action, const nlohmann::json& body) {
  ASSIGN_OR_RETURN(const std::string endpoint, FirehoseEndpoint(o));
  const aws::EnvLookup env = aws::RealEnv();
  aws::CredentialOptions co;
  co.profile = o.profile;
  co.region = o.region;
  Result<aws::ResolvedConfig> resolved = aws::ResolveConfig(co, env);
  // A local server needs a well-formed signature, not real keys.
  aws::Credentials credentials = resolved.ok() ? resolved->credentials : aws::Credentials{"sluice-local", "sluice-local", ""};
  std::string region = resolved.ok() ? resolved->region : o.region;
  if (region.empty()) region = "us-east-1";
  aws::HttpRequest req;
  req.method = "POST";
  req.endpoint = endpoint;
  req.path = "/";
  req.body = body.dump();
  req.SetHeader("Content-Type", "application/x-amz-json-1.1");
  req.SetHeader("X-Amz-Target", "Firehose_20150804." + std::string(action));
  RETURN_IF_ERROR(aws::SignRequest(req, credentials, {.region = region, .service = "firehose"},
                                   static_cast<int64_t>(std::time(nullptr))));
  aws::HttpClient client;
  auto resp = client.Send(req);
  if (!resp.ok()) return Status::Unavailable(endpoint + ": " + resp.error().ToString());
  const nlohmann::json answer = nlohmann::json::parse(resp->body, nullptr, false);
  if (resp->status != 200) {
    std::string type = "error";
    std::string message = resp->body;
    if (answer.is_object()) {
      type = answer.value("__type", type);
      message = answer.value("message", answer.value("Message", message));
    }
    return Status::FailedPrecondition(type + ": " + message);
  }
  if (answer.is_discarded()) return Status::Internal(endpoint + ": the answer is not JSON");
  return answer;
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

Result<std::string> FirehoseEndpoint(const FirehoseCommandOptions& o) {
  ASSIGN_OR_RETURN(const std::optional<aws::ConfiguredEndpoint> configured,
                   aws::ResolveConfiguredEndpoint({"Firehose", o.endpoint, o.profile}, aws::RealEnv()));
  return configured ? configured->url : std::string(kLocalEndpoint);
}

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
