#include "cli/allocator_tuning.h"

#include <malloc.h>

#include <cstdlib>
#include <string_view>

namespace sluice::cli {

bool TuneAllocatorForServing() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::string_view(tunables).find("glibc.malloc.") != std::string_view::npos) {
    return false;
  }
  const bool mmap_set = mallopt(M_MMAP_THRESHOLD, kServeMmapThresholdBytes) == 1;
  const bool trim_set = mallopt(M_TRIM_THRESHOLD, kServeTrimThresholdBytes) == 1;
  return mmap_set && trim_set;
}

}  // namespace sluice::cli
