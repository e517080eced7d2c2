// Names the calling thread, so that `top -H`, `perf` and /proc/<pid>/task/*/comm tell the
// server's threads apart (benchmarks attribute CPU by these names).
// Thread-safe: it changes only the calling thread.
#pragma once

#include <string_view>

namespace sluice {

// At most 15 bytes are kept (Linux's limit); a longer name is cut. Failure is ignored:
// a name is a diagnostic, never a condition for work.
void NameThisThread(std::string_view name);

}  // namespace sluice
