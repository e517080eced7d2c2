// A test-only driver until `sluice gen taxi` and `sluice produce` are wired in the
// CLI: lets the generator's speed be measured and a produce run tried by hand.
//   producer_tool gen-taxi TRIPS SEED OUTPUT [THREADS]
//   producer_tool produce STREAM CSV ENDPOINT [CONCURRENCY] [RATE]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "producer/gen_taxi.h"
#include "producer/produce.h"

int main(int argc, char** argv) {
  using namespace sluice::producer;
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "gen-taxi" && argc >= 5) {
    GenTaxiOptions o;
    o.trips = std::strtoull(argv[2], nullptr, 10);
    o.seed = std::strtoull(argv[3], nullptr, 10);
    o.output = argv[4];
    if (argc > 5) o.threads = std::atoi(argv[5]);
    return RunGenTaxi(o);
  }
  if (cmd == "produce" && argc >= 5) {
    ProduceOptions o;
    o.stream = argv[2];
    o.csv = argv[3];
    o.endpoint = argv[4];
    if (argc > 5) o.concurrency = std::atoi(argv[5]);
    if (argc > 6) o.rate = std::atof(argv[6]);
    return RunProduce(o);
  }
  std::fprintf(stderr, "usage: producer_tool gen-taxi TRIPS SEED OUTPUT [THREADS]\n"
                       "       producer_tool produce STREAM CSV ENDPOINT [CONCURRENCY] [RATE]\n");
  return 2;
}
