// Recovery: turning the files found in a log directory back into Segments at open.
// Runs before the Log exists, single-threaded. Nothing here modifies a file: the
// caller applies the returned repairs (truncation, index writes) only once every
// segment has been checked, so an open that fails (e.g. a newer format version)
// leaves the directory exactly as it was.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/file_system.h"
#include "log/segment.h"

namespace sluice::log {

using WarningSink = std::function<void(std::string_view)>;

struct ScanOutcome {
  uint64_t valid_bytes = 0;  // the batches in [0, valid_bytes) are intact and contiguous
  std::string stop_reason;   // why the scan stopped before the end; empty if it did not
};

// Reads every batch of `seg` from position 0, verifying header and payload CRCs and
// offset continuity, feeding each intact batch to seg.OnBatch. Stops at the first bad
// batch. NotSupported if a batch with a valid header has a newer format version.
Result<ScanOutcome> ScanSegment(Segment& seg, uint64_t file_size);

// NotSupported naming the file if the first batch of `seg` is a newer format version.
Status CheckFirstBatchVersion(const Segment& seg);

struct SealedSegment {
  std::shared_ptr<Segment> segment;
  bool index_needs_write = false;  // the index was rebuilt by a clean scan
};
// A segment that is not the last one: loads its index file if it is intact and matches
// the segment, otherwise rebuilds the index by scanning. Damage found by the scan is
// never repaired (the data may be acknowledged): reads that reach it fail. The segment
// comes back pinned (segment.h); the caller unpins it once done with it.
Result<SealedSegment> OpenSealedSegment(FileSystem& fs, FileCache& cache, const std::string& dir, Offset base,
                                        Offset next_base, uint64_t index_interval, const WarningSink& warn);

struct LastSegment {
  std::shared_ptr<Segment> segment;
  uint64_t file_size = 0;
  uint64_t valid_bytes = 0;  // truncate to this if less than file_size
  std::string stop_reason;
};
// The last segment: scanned in full; a torn tail is reported for truncation.
Result<LastSegment> ScanLastSegment(FileSystem& fs, FileCache& cache, const std::string& dir, Offset base,
                                    uint64_t index_interval);

std::string JoinPath(const std::string& dir, std::string_view name);

}  // namespace sluice::log
