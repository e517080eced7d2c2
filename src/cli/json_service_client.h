// A client for the AWS JSON 1.0 and 1.1 services of a running server (Firehose, Logs, ...):
// resolves the endpoint and credentials with aws::ResolveClientTarget (--endpoint, the
// SDKs' environment and profile, else the local server's default address; a local
// server needs only a well-formed signature), signs each request and turns AWS errors
// into statuses.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace sluice::cli {

inline constexpr std::string_view kLocalEndpoint = "http://127.0.0.1:4566";

struct JsonServiceOptions {
  std::string endpoint;  // empty: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile, else local
  std::string profile;
  std::string region;
};

struct JsonService {
  std::string_view service_id;     // the SDKs' service id for endpoint lookup: "Firehose"
  std::string_view signing_name;   // "firehose"
  std::string_view target_prefix;  // "Firehose_20150804"
  std::string_view content_type = "application/x-amz-json-1.1";  // CloudWatch: AWS JSON 1.0
};

// The endpoint the calls go to.
Result<std::string> ServiceEndpoint(const JsonService& service, const JsonServiceOptions& o);

// Calls one action and returns its JSON answer. An AWS error is a FailedPrecondition
// status whose message is "<__type>: <message>".
Result<nlohmann::json> CallJsonService(const JsonService& service, const JsonServiceOptions& o,
                                       std::string_view action, const nlohmann::json& body);

// A GET of a REST-JSON service (Lambda: `service.target_prefix` unused): `path` as sent
// on the wire (percent-encoded), `query` without '?'. Answers and errors as above
// (REST-JSON errors name their type in the x-amzn-errortype header).
Result<nlohmann::json> GetRestJson(const JsonService& service, const JsonServiceOptions& o, std::string path,
                                   std::string query);

}  // namespace sluice::cli
