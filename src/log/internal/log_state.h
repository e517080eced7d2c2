// Internal state of a Log, shared by its implementation files (open/close, append and
// flusher, read, retention). Not part of the module's contract: only sluice_log's own
// sources can include it (PRIVATE include directory, and the guard below).
#pragma once

#ifndef SLUICE_LOG_INTERNAL
#error "log/internal/ is private to the log module; use log/log.h"
#endif

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "log/log.h"
#include "log/recovery.h"
#include "log/segment.h"

namespace sluice::log {

struct Log::State {
  LogOptions opts;
  FileSystem& fs;
  Clock& clock;
  WarningSink warn;

  mutable std::mutex mu;
  std::condition_variable flush_cv;  // wakes the flusher

  // Guarded by mu. Sorted by base offset, never empty; back() is the active segment.
  std::vector<std::shared_ptr<Segment>> segments;
  std::shared_ptr<WritableFile> active_file;
  int64_t active_created_ms = 0;  // for segment_max_age_ms
  Offset next_offset;             // the offset the next append gets (written end)
  Offset visible_end;             // readers see [start, visible_end): acknowledged only
  Offset synced_end;              // everything below is fdatasync'ed

  struct Waiter {
    Offset end;  // the append is durable once synced_end >= end
    AppendResult result;
    AppendCallback done;
  };
  std::deque<Waiter> waiters;  // in offset order
  bool dir_dirty = false;  // a segment file was created since the last directory sync
  Status failed;           // non-OK: read-only failed state, never cleared
  bool closed = false;
  bool stop_flusher = false;
  std::thread flusher;
  std::mutex close_mu;  // serializes Close

  State(LogOptions o, FileSystem& f, Clock& c, WarningSink w)
      : opts(std::move(o)), fs(f), clock(c), warn(std::move(w)) {}

  // Seals the active segment (fdatasync, then its index) and starts a new one at
  // next_offset. A failed sync puts the log into the failed state.
  Status RollLocked(int64_t now_ms);
  // Writes one encoded batch at the active segment's end; on error rewinds the file to
  // the last good end, or enters the failed state if that is impossible.
  Status WriteLocked(std::span<const char> batch);
  void FlusherLoop();

  // Segments from the one holding `from` (or the first) onward, and the visible range.
  struct Snapshot {
    std::vector<std::shared_ptr<Segment>> segments;
    Offset start;
    Offset end;
  };
  Snapshot TakeSnapshot(Offset from) const;
};

}  // namespace sluice::log
