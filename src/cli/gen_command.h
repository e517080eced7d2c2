// `sluice gen taxi`: flag wiring for the trip generator (producer/gen_taxi.h).
#pragma once

namespace CLI {
class App;
}

namespace sluice::cli {

// Adds `gen taxi` to `app`. When it is chosen, parsing runs the generator and ends with
// its exit code (through CLI::RuntimeError, CLI11's documented way for a callback to
// set the code; CLI11_PARSE returns it without printing).
void AddGenCommand(CLI::App& app);

}  // namespace sluice::cli
