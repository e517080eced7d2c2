#include "cli/serve.h"

#include <signal.h>

#include <cstdio>
#include <memory>
#include <optional>

#include <spdlog/spdlog.h>

#include "base/logfmt.h"
#include "base/memory_budget.h"
#include "catalog/catalog.h"
#include "awsproto/sigv4_verify.h"
#include "base/clock.h"
#include "cli/alarm_actions.h"
#include "cli/data_dir.h"
#include "cli/lambda_transformer.h"
#include "cli/delivery_error_log.h"
#include "cli/delivery_sink.h"
#include "cli/lake_store.h"
#include "cli/server_auth.h"
#include "cli/version.h"
#include "delivery/delivery.h"
#include "frontends/firehose/firehose_service.h"
#include "frontends/athena/athena_service.h"
#include "frontends/cloudformation/cloudformation_service.h"
#include "frontends/cloudwatch/cloudwatch_service.h"
#include "frontends/kinesis/kinesis_service.h"
#include "frontends/lambda/lambda_service.h"
#include "frontends/lambda_runtime/runtime_api.h"
#include "frontends/logs/logs_service.h"
#include "functions/event_source_mappings.h"
#include "functions/functions.h"
#include "functions/logs.h"
#include "functions/runtime_broker.h"
#include "frontends/s3/s3_service.h"
#include "gateway/access_log.h"
#include "gateway/gateway.h"
#include "http/server.h"
#include "metrics/alarms.h"
#include "metrics/metrics.h"
#include "objects/local_store.h"
#include "query/query.h"
#include "stacks/providers.h"
#include "stacks/stacks.h"

namespace sluice::cli {

namespace {

// Object operations block on disk syncs; four workers overlap them.
constexpr int kS3Workers = 4;

// Blocks the shutdown signals in this thread and every thread it starts later, so
// they are received only by the sigwait below, never in the middle of I/O.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return set;
}

// --fsync always | interval:MS | never (already checked by the flag parser).
void ApplyFsync(const std::string& flag, stream::StreamManagerOptions& o) {
  if (flag == "never") {
    o.fsync = log::FsyncPolicy::kNever;
  } else if (flag.starts_with("interval:")) {
    o.fsync = log::FsyncPolicy::kInterval;
    o.fsync_interval_ms = std::stoll(flag.substr(9));
  } else {
    o.fsync = log::FsyncPolicy::kAlways;
  }
}

int Fail(const Status& st, int code = 1) {
  std::fprintf(stderr, "sluice: %s\n", st.message().c_str());
  return code;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  auto credentials = LoadServerCredentials(options.credentials, aws::RealEnv());
  if (!credentials.ok()) return Fail(credentials.status(), 2);
  if (auto refusal = AnonymousRefusal(options.server.bind, !credentials->empty(), options.allow_anonymous)) {
    return Fail(Status::InvalidArgument(*refusal), 2);
  }
  // Custom resources' ResponseURLs are presigned with a configured key, so that the
  // verifier accepts the functions' PUTs.
  const auto presign_key = credentials->Any().value_or(std::pair<std::string, std::string>{"sluice-local", "sluice-local"});
  const awsproto::SigV4Verifier verifier(*std::move(credentials), Clock::Real());
  const sigset_t signals = BlockShutdownSignals();

  auto dir = DataDir::Open(options.data_dir);
  if (!dir.ok()) return Fail(dir.status());

  auto catalog = catalog::Catalog::Open((*dir)->File("catalog.db"));
  if (!catalog.ok()) return Fail(catalog.status());
  // Metrics: every module reports to one store, kept under the data dir.
  auto metrics_store = metrics::Store::Open({.dir = (*dir)->File("metrics")});
  if (!metrics_store.ok()) return Fail(metrics_store.status());
  metrics::Store& metrics = **metrics_store;
  // What the modules report to: the store, or (--metrics off) nothing.
  metrics::Registry& reported = options.metrics == "off" ? metrics::NullRegistry() : metrics;

  stream::StreamManagerOptions so = options.streams;
  so.metrics = &reported;
  so.dir = (*dir)->File("streams");
  ApplyFsync(options.fsync, so);
  auto streams = stream::StreamManager::Open(so, **catalog);
  if (!streams.ok()) return Fail(streams.status());

  auto object_store = objects::LocalObjectStore::Open({.dir = (*dir)->path()});
  if (!object_store.ok()) return Fail(Status::IOError(object_store.error().message));
  // The lake: Firehose's objects, the built-ins' writes, SQL scans (cli/lake_store.h).
  auto lake = LakeStore::Open(options.lake_endpoint, **object_store);
  if (!lake.ok()) return Fail(lake.status());
  if (lake->remote()) spdlog::info("msg=\"lake in a remote store\" endpoint={}", LogfmtValue(options.lake_endpoint));

  // Function logs: CloudWatch Logs groups /aws/lambda/<name>, served by the Logs front end;
  // delivery streams write their error log (CloudWatchLoggingOptions) there too.
  auto function_logs = functions::LogStore::Open(
      {.dir = (*dir)->File("functions/logs"), .region = so.region, .account = so.account_id}, **catalog);
  if (!function_logs.ok()) return Fail(function_logs.status());
  DeliveryErrorLog delivery_error_log(**function_logs);

  delivery::DeliveryOptions delivery_options;
  delivery_options.dir = (*dir)->File("delivery");
  delivery_options.error_log = &delivery_error_log;
  // The Lambda processor runs functions in process, once they are open (bound below).
  LambdaTransformer lambda_transformer;
  delivery_options.transformer = &lambda_transformer;
  delivery_options.fsync = so.fsync;
  delivery_options.fsync_interval_ms = so.fsync_interval_ms;
  delivery_options.streams = streams->get();
  delivery_options.region = so.region;
  delivery_options.rate_limits = options.firehose_rate_limits;
  auto delivery = delivery::DeliveryManager::Open(delivery_options, **catalog, lake->store(), reported);
  if (!delivery.ok()) return Fail(delivery.status());
  // send_to_firehose puts records into delivery streams in process.
  DeliverySink delivery_sink(**delivery);
  functions::FunctionManagerOptions fo;
  fo.sink = &delivery_sink;
  fo.logs = function_logs->get();
  fo.metrics = reported;
  fo.dir = (*dir)->File("functions");
  fo.region = options.streams.region;
  fo.python = options.python;
  fo.strict_runtimes = options.strict_runtimes;
  fo.max_processes = options.max_function_processes;
  auto functions = functions::FunctionManager::Open(fo, **catalog, **object_store);
  if (!functions.ok()) return Fail(functions.status());
  lambda_transformer.Bind(functions->get());
  // The Lambda Runtime API for function processes: loopback only, a port of its own.
  frontends::lambda_runtime::RuntimeApiHandler runtime_handler((*functions)->broker());
  http::ServerOptions runtime_options;
  runtime_options.bind = "127.0.0.1";
  runtime_options.port = 0;
  runtime_options.threads = 1;
  runtime_options.idle_timeout = std::chrono::hours(24);  // a warm process waits on `next`
  runtime_options.shutdown_grace = std::chrono::milliseconds(500);
  auto runtime_server = http::Server::Start(runtime_options, runtime_handler);
  if (!runtime_server.ok()) return Fail(runtime_server.status());
  (*functions)->SetRuntimeApi("127.0.0.1:" + std::to_string((*runtime_server)->port()));

  // CloudWatch alarms: evaluated over the metric store; Lambda actions invoke functions.
  FunctionAlarmActions alarm_actions(**functions);
  auto alarms = metrics::AlarmManager::Open({.catalog = catalog->get(), .reader = &metrics,
                                             .actions = &alarm_actions, .region = so.region,
                                             .account_id = so.account_id,
                                             .before_evaluation = [&metrics] {
                                               if (Status st = metrics.Fold(); !st.ok()) {
                                                 spdlog::warn("msg=\"metrics fold failed\" error=\"{}\"", st.ToString());
                                               }
                                             }});
  if (!alarms.ok()) return Fail(alarms.status());

  // Event-source mappings poll streams in process and run functions through the
  // FunctionManager (the Invoker); send_to_firehose writes through the delivery sink.
  functions::MappingManager::Options mo;
  mo.sink = &delivery_sink;
  mo.region = options.streams.region;
  mo.account_id = options.streams.account_id;
  mo.store = &lake->store();
  mo.metrics = reported;
  mo.logs = function_logs->get();
  auto mappings = functions::MappingManager::Open(mo, **catalog, **streams, **functions);
  if (!mappings.ok()) return Fail(mappings.status());
  // CloudFormation: stacks provision through the other modules' public APIs (created
  // last, destroyed first: a stack operation in flight finishes while they exist).
  // Custom resources' responses come back to the CloudFormation front end.
  stacks::CustomResourceResponses custom_responses({.region = so.region});
  stacks::ResourceProviders providers;
  stacks::AddBuiltinProviders(providers, {.objects = object_store->get(), .streams = streams->get(),
                                          .delivery = delivery->get(), .functions = functions->get(),
                                          .mappings = mappings->get(), .alarms = alarms->get(),
                                          .logs = function_logs->get(), .custom_responses = &custom_responses,
                                          .custom_resource_timeout_ms = int64_t{options.custom_resource_timeout_s} * 1000,
                                          .region = so.region, .account_id = so.account_id});
  auto stack_manager = stacks::StackManager::Open(
      {.catalog = catalog->get(), .providers = &providers, .region = so.region, .account_id = so.account_id});
  if (!stack_manager.ok()) return Fail(Status::Internal(stack_manager.error().message));

  MemoryBudget request_memory(options.max_request_memory);

  // SQL over the lake: DDL in the catalog, scans through the object store.
  query::Engine query_engine(**catalog, lake->store());
  auto query_executions = query::Executions::Open(query_engine, **object_store, **catalog, Clock::Real());
  if (!query_executions.ok()) return Fail(query_executions.status());

  // One registration line per AWS service (docs/adding-a-service.md).
  gateway::Gateway gateway{std::string(kVersion), &request_memory, &verifier};
  gateway.ServeMetrics([&metrics] { return metrics.PrometheusText(); });
  gateway.Add(std::make_unique<frontends::kinesis::KinesisService>(**streams));
  gateway.Add(std::make_unique<frontends::firehose::FirehoseService>(**delivery, reported));
  gateway.Add(std::make_unique<frontends::athena::AthenaService>(query_engine, **query_executions));
  gateway.Add(std::make_unique<frontends::cloudformation::CloudFormationService>(
      **stack_manager, object_store->get(), &custom_responses));
  gateway.Add(std::make_unique<frontends::lambda::LambdaService>(
      frontends::lambda::LambdaBackends{**functions, mappings->get()}));
  // PutMetricData goes to the store whatever --metrics says: it is the client's data.
  gateway.Add(std::make_unique<frontends::cloudwatch::CloudWatchService>(metrics, metrics, **alarms));
  gateway.Add(std::make_unique<frontends::logs::LogsService>(**function_logs));
  gateway.AddCatchAll(std::make_unique<frontends::s3::S3Service>(**object_store, kS3Workers, reported));

  // --access-log wraps the gateway; without it the server calls the gateway directly.
  std::unique_ptr<gateway::AccessLogFile> access_file;
  std::optional<gateway::AccessLog> access_log;
  http::Handler* handler = &gateway;
  if (!options.access_log.empty()) {
    auto file = gateway::AccessLogFile::Open(options.access_log);
    if (!file.ok()) return Fail(file.status());
    access_file = std::move(*file);
    access_log.emplace(gateway, *access_file, [&gateway](const http::RequestHead& head) {
      // /health and /metrics: answered by the gateway itself.
      if (gateway.IsOwn(head)) return std::string(head.Path().substr(1));
      const awsproto::Service* service = gateway.Route(head);
      return service != nullptr ? std::string(service->Name()) : std::string("-");
    });
    handler = &*access_log;
  }

  http::ServerOptions server_options = options.server;
  server_options.memory_budget = &request_memory;
  auto server = http::Server::Start(server_options, *handler);
  if (!server.ok()) return Fail(server.status());

  const std::string scheme = (*server)->tls() ? "https" : "http";
  const std::string url =
      scheme + "://" + options.server.bind + ":" + std::to_string((*server)->port());
  // Functions' SDK calls come back here (a wildcard bind is reached on loopback).
  const bool wildcard = options.server.bind == "0.0.0.0" || options.server.bind == "::";
  const std::string self_url = scheme + "://" + (wildcard ? std::string("127.0.0.1") : options.server.bind) + ":" +
                               std::to_string((*server)->port());
  (*functions)->SetEndpointUrl(self_url);
  custom_responses.SetEndpoint(self_url, presign_key.first, presign_key.second);
  spdlog::info(
      "msg=\"listening\" url={} data_dir={} fsync={} threads={} server_id={} catalog_schema={}",
      LogfmtValue(url), LogfmtValue(options.data_dir), LogfmtValue(options.fsync), options.server.threads,
      LogfmtValue((*catalog)->server_id()), (*catalog)->schema_version());
  if (verifier.enforcing()) {
    spdlog::info("msg=\"authentication on: SigV4 verified\" access_keys={}", verifier.key_count());
  } else if (IsLoopback(options.server.bind)) {
    // The default: only this machine can connect, so this is said, not warned about.
    spdlog::info("msg=\"authentication off: no --credentials, any well-formed signature is accepted\" bind={}",
                 LogfmtValue(options.server.bind));
  } else {
    spdlog::warn("msg=\"authentication off on a non-loopback address (--allow-anonymous): any "
                 "well-formed signature is accepted\" bind={}",
                 LogfmtValue(options.server.bind));
  }
  std::printf("sluice %s serving on %s (data dir %s)\n", std::string(kVersion).c_str(),
              url.c_str(), options.data_dir.c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("msg=\"shutting down\" signal={} grace_ms={}", sig == SIGINT ? "SIGINT" : "SIGTERM",
               options.server.shutdown_grace.count());
  (*server)->Stop();
  (*server)->Wait();
  // Work still on the handlers' pools (an upload's last sync) finishes while the
  // server's executors, which its answers are posted to, still exist.
  gateway.Quiesce();
  // Stack operations in flight finish (their resources through the modules below); one
  // waiting for a custom resource's response is cut short and resumed after the next start.
  (*stack_manager)->Stop();
  custom_responses.Shutdown();
  stack_manager->reset();
  // Alarms stop evaluating (and invoking) before the functions go.
  (*alarms)->Shutdown();
  // Pollers stop (a batch in flight finishes) before the functions they invoke.
  (*mappings)->Close();
  // Every request is answered; now sync and close the logs. What delivery streams
  // buffer stays in their logs and is delivered after the next start. Delivery stops
  // before the functions its Lambda processors invoke.
  if (const Status st = (*delivery)->Close(); !st.ok()) {
    spdlog::error("msg=\"closing delivery streams failed\" error={}", LogfmtValue(st.ToString()));
    return 1;
  }
  lambda_transformer.Bind(nullptr);
  // Runtime processes go before the runtime API that serves them.
  (*functions)->Shutdown();
  (*runtime_server)->Stop();
  (*runtime_server)->Wait();
  // Every request is answered; now sync and close the logs.
  if (const Status st = (*streams)->Close(); !st.ok()) {
    spdlog::error("msg=\"closing streams failed\" error={}", LogfmtValue(st.ToString()));
    return 1;
  }
  // Last: whatever the modules reported up to here is folded and written.
  metrics.Shutdown();
  spdlog::info("msg=\"stopped\"");
  return 0;
}

}  // namespace sluice::cli
