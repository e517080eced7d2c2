#include "cli/gen_command.h"

#include <CLI/CLI.hpp>

#include <memory>

#include "producer/gen_taxi.h"

namespace sluice::cli {

void AddGenCommand(CLI::App& app) {
  CLI::App* gen = app.add_subcommand("gen", "Generate test data");
  gen->require_subcommand(1);
  CLI::App* taxi = gen->add_subcommand("taxi", "Taxi trips around Porto in the public data set's CSV format");
  // Shared with the callback, which runs after parsing, when this function has returned.
  auto o = std::make_shared<producer::GenTaxiOptions>();
  taxi->add_option("--trips", o->trips, "Number of trips")->required()->check(CLI::Range(uint64_t{0}, uint64_t{1} << 40));
  taxi->add_option("--seed", o->seed, "Same seed, same bytes")->capture_default_str();
  taxi->add_option("--start", o->start_date, "First trip's day (UTC), YYYY-MM-DD")->capture_default_str();
  taxi->add_option("-o,--output", o->output, "Output file, - for standard output")->capture_default_str();
  taxi->add_option("--threads", o->threads, "Worker threads, 0 for one per core (output does not depend on it)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  taxi->callback([o] { throw CLI::RuntimeError(producer::RunGenTaxi(*o)); });
}

}  // namespace sluice::cli
