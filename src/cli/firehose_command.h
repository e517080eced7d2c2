// `sluice firehose ls` and `sluice firehose flush NAME`: operator tools that talk to a
// running server over its Firehose endpoint with sluice's own actions
// (Firehose_20150804.SluiceListDeliveryStreamStats, .SluiceFlushDeliveryStream).
#pragma once

#include <string>

#include "base/status.h"

namespace CLI {
class App;
}

namespace sluice::cli {

struct FirehoseCommandOptions {
  std::string endpoint;  // empty: AWS_ENDPOINT_URL_FIREHOSE, AWS_ENDPOINT_URL, the profile, else local
  std::string profile;
  std::string region;
};

// The commands resolve their endpoint and credentials as every client command does
// (cli/json_service_client.h over aws::ResolveClientTarget), the local server when
// nothing names an endpoint.
void AddFirehoseCommand(CLI::App& app);

}  // namespace sluice::cli
