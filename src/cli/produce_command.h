// `sluice produce`: flag wiring for the produce engine (producer/produce.h).
#pragma once

#include <string_view>

#include "base/status.h"

namespace CLI {
class App;
}

namespace sluice::cli {

// Adds `produce` to `app`. When it is chosen, parsing runs RunProduce and ends with its
// exit code (through CLI::RuntimeError, as AddGenCommand does).
void AddProduceCommand(CLI::App& app);

// "--rate": records per second as "N" or "N/s"; 0 means unlimited.
Result<double> ParseRate(std::string_view text);

}  // namespace sluice::cli
