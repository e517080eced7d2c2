// `sluice serve`: opens the data dir, binds the port and serves until SIGINT/SIGTERM,
// then finishes in-flight requests, syncs and exits.
#pragma once

#include <string>

#include "http/server.h"
#include "stream/stream_manager.h"

namespace sluice::cli {

struct ServeOptions {
  std::string data_dir = "./sluice-data";
  std::string fsync = "always";  // always | interval:MS | never
  // Bound on memory held for requests in flight across the whole server (buffered
  // bodies, parsed requests); past it requests are answered 503 instead of growing.
  uint64_t max_request_memory = uint64_t{4} << 30;
  // --access-log: one logfmt line per request to this file, "-" for standard output;
  // empty for none (gateway/access_log.h).
  std::string access_log;
  // --credentials FILE|env: the access keys accepted (empty: any well-formed
  // signature, loopback only unless allow_anonymous).
  std::string credentials;
  bool allow_anonymous = false;
  // --firehose-rate-limits: AWS's per-delivery-stream PutRecord(Batch) quota.
  bool firehose_rate_limits = false;
  // Lambda runtimes: --python overrides the interpreter picked for python3.x functions;
  // --strict-runtimes refuses deprecated runtimes as AWS does.
  std::string python;
  bool strict_runtimes = false;
  int max_function_processes = 64;
  // --custom-resource-timeout: how long a custom resource waits for its function's
  // response when it sets no ServiceTimeout (CloudFormation: 3600 s).
  int custom_resource_timeout_s = 3600;
  // --lake-endpoint: keep the lake in this remote S3-compatible store (cli/lake_store.h).
  std::string lake_endpoint;
  // --metrics off: the modules report nothing (their handles are shared no-ops); the
  // store, /metrics and PutMetricData still work. For measuring what metrics cost.
  std::string metrics = "on";
  http::ServerOptions server;
  stream::StreamManagerOptions streams;  // dir, fsync and clock are filled in by RunServe
};

// Returns the process exit code; prints a one-line error to stderr on failure.
int RunServe(const ServeOptions& options);

}  // namespace sluice::cli
