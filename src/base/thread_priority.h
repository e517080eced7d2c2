// CPU priority of background threads. Work that no request waits for (delivering
// Firehose buffers into objects) runs at a higher nice value than the request threads,
// so the scheduler gives it the CPU the requests leave (the time they wait on a sync or
// the network) and takes it back when they need it. The bound on how far such work may
// fall behind is not this file's: docs/benchmarks.md shows what it costs.
// Thread-safe: it changes only the calling thread (Linux keeps the nice value per
// thread; threads the caller starts afterwards inherit it).
#pragma once

#include "base/status.h"

namespace sluice {

// Sets the calling thread's nice value to `nice` (0 to 19) unless it is already at or
// above it: the priority is only ever lowered, which needs no privilege.
// InvalidArgument for a value outside 0..19; IOError when the system refuses.
Status LowerThisThreadPriority(int nice);

// The calling thread's nice value (-20 to 19).
int ThisThreadNice();

}  // namespace sluice
