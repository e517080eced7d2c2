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

void AddFirehoseCommand(CLI::App& app);

// The endpoint the commands call: --endpoint, then the SDKs' configuration, else the
// local server's default address.
Result<std::string> FirehoseEndpoint(const FirehoseCommandOptions& o);

}  // namespace sluice::cli
