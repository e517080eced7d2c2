// glibc's allocator, tuned for `sluice serve`. A PutRecords or PutRecordBatch body is
// about 0.8 MiB and a Firehose object 5 MiB: by default glibc maps such blocks afresh
// and returns them on free (mmap threshold 128 KiB, adapting upwards; the free top of
// each thread's heap trimmed past twice that), so every request paid page faults and
// zero-filling for its buffers. Serving keeps blocks up to 32 MiB in the heaps and trims
// a heap only when more than 128 MiB of its top is free: the process keeps what its
// peak used, and PutRecords takes 10-20 % less CPU per byte (docs/benchmarks.md).
#pragma once

namespace sluice::cli {

inline constexpr int kServeMmapThresholdBytes = 32 << 20;
inline constexpr int kServeTrimThresholdBytes = 128 << 20;

// Applies the settings above, once, before the server's threads start. A GLIBC_TUNABLES
// environment variable that sets any glibc.malloc tunable wins: nothing is changed and
// false is returned. Not thread-safe (mallopt while other threads allocate is allowed,
// but the settings are meant for the whole run).
bool TuneAllocatorForServing();

}  // namespace sluice::cli
