// Which endpoint a client piece (`sluice produce`, the remote object store) sends a
// service's requests to, chosen as the AWS SDKs and the AWS CLI choose it ("Service-
// specific endpoints" in the AWS SDKs and Tools reference guide). First found wins:
//   1. the explicit URL (a flag such as --endpoint);
//   2. AWS_ENDPOINT_URL_<SERVICE> (KINESIS, S3, FIREHOSE, ...);
//   3. AWS_ENDPOINT_URL;
//   4. the profile's `services = NAME` pointing at a `[services NAME]` section of the
//      config file, whose `<service> =` block holds an indented `endpoint_url = URL`;
//   5. the profile's own `endpoint_url`;
//   6. none: the service's AWS endpoint in the region (EndpointFor).
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true, or `ignore_configured_endpoint_urls = true`
// in the profile (the variable wins over the profile), skips steps 2 to 5; the explicit
// URL still counts. Empty variables count as unset. Pure function of its inputs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "base/status.h"

namespace sluice::aws {

// The SDKs' names for a service, from its serviceId ("Kinesis", "S3", "ACM PCA"):
// spaces become '_', then upper case for the variable (AWS_ENDPOINT_URL_ACM_PCA) and
// lower case for the key in a `[services]` section (acm_pca).
std::string EndpointEnvName(std::string_view service_id);
std::string EndpointConfigKey(std::string_view service_id);

struct ConfiguredEndpoint {
  std::string url;     // without a trailing '/'
  std::string source;  // where it came from, for diagnostics: "--endpoint", "AWS_ENDPOINT_URL_S3", ...
};

struct EndpointQuery {
  std::string_view service_id;    // "Kinesis", "S3"
  std::string_view explicit_url;  // step 1; empty when not given
  std::string_view profile;       // --profile; empty: AWS_PROFILE, ..., "default"
};

// Steps 1 to 5: the endpoint configured for the service, or nullopt when none is (use
// the AWS endpoint). InvalidArgument, naming the source, for a URL without a scheme.
// `home` holds .aws/ (empty: $HOME from `env`).
Result<std::optional<ConfiguredEndpoint>> ResolveConfiguredEndpoint(const EndpointQuery& query,
                                                                    const EnvLookup& env,
                                                                    std::string home = {});

// Where a client command (`sluice produce`, `sluice query`) sends a service's requests
// and what it signs them with: the configured endpoint (steps 1 to 5 above) and the
// credentials and region (ResolveConfig). With no credentials anywhere but a configured
// endpoint (a local server needs a well-formed signature, not real keys) it signs with
// the placeholder keys "sluice-local"; a configured endpoint with no region named signs
// for us-east-1. Without a configured endpoint: ResolveConfig's errors, and the
// service's AWS endpoint in the region (EndpointFor).
struct ClientTarget {
  Credentials credentials;
  std::string region;
  std::string endpoint;              // URL without a trailing '/'
  bool configured_endpoint = false;  // steps 1 to 5 named it (not the AWS endpoint)
};

struct ClientQuery {
  std::string_view service_id;    // "Kinesis", "Athena" (EndpointQuery)
  std::string_view signing_name;  // "kinesis", "athena" (EndpointFor, SigV4)
  std::string_view explicit_url;  // --endpoint; empty when not given
  CredentialOptions credentials;  // flags; its profile also chooses the endpoint settings
  // Taken as configured when steps 1 to 5 name nothing, instead of the AWS endpoint:
  // sluice's own tools (`sluice firehose`, `sluice logs`, `sluice top`) default to the
  // local server. Empty: the AWS endpoint.
  std::string_view fallback_url = {};
};

Result<ClientTarget> ResolveClientTarget(const ClientQuery& query, const EnvLookup& env, std::string home = {});

}  // namespace sluice::aws
