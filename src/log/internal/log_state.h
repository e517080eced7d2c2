// Internal state of a Log, shared by its implementation files (open/close, append and
// flusher, read, retention). Not part of the module's contract: only sluice_log's own
// sources can include it (PRIVATE include directory, and the guard below).
#pragma once

#ifndef SLUICE_LOG_INTERNAL
#error "log/internal/ is private to the log module; use log/log.h"
#endif

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "log/log.h"
#include "log/recovery.h"
#include "log/segment.h"

namespace sluice::log {

struct Log::State {
  LogOptions opts;
  FileSystem& fs;
  FileCache& cache;
  Clock& clock;
  WarningSink warn;

  FlusherPool& pool;
  // This log's task on the pool: runs Flush(false). Created by Open, cancelled by Close.
  std::unique_ptr<FlusherPool::Registration> flusher;

  // Lock order: close_mu, then flush_mu, then mu. Only `mu` is taken by appends and
  // reads, and no file is synced while it is held.
  mutable Mutex mu;

  // Sorted by base offset, never empty; back() is the active segment.
  std::vector<std::shared_ptr<Segment>> segments GUARDED_BY(mu);
  std::shared_ptr<WritableFile> active_file GUARDED_BY(mu);
  int64_t active_created_ms GUARDED_BY(mu) = 0;  // for segment_max_age_ms
  Offset next_offset GUARDED_BY(mu);  // the offset the next append gets (written end)
  Offset visible_end GUARDED_BY(mu);  // readers see [start, visible_end): acknowledged only
  Offset synced_end GUARDED_BY(mu);   // everything below is fdatasync'ed

  // A rolled segment that is not yet known to be durable. Its successor was created
  // under its pending name (format.h) and takes its real name only after this
  // segment's fdatasync, so recovery never finds a torn segment before another one.
  struct Seal {
    std::shared_ptr<Segment> segment;
    std::shared_ptr<WritableFile> file;  // the segment's writable file, to sync
    Offset end;                          // one past its last record
    std::string successor_pending;       // the successor's file as created...
    std::string successor_path;          // ...and its name once this one is durable
  };
  std::deque<Seal> seals GUARDED_BY(mu);  // oldest first; segments before them are durable

  struct Waiter {
    Offset end;  // the append is durable once synced_end >= end
    AppendResult result;
    AppendCallback done;
  };
  std::deque<Waiter> waiters GUARDED_BY(mu);  // in offset order
  Status failed GUARDED_BY(mu);  // non-OK: read-only failed state, never cleared
  bool closed GUARDED_BY(mu) = false;
  // The pool task was woken and its round has not started yet: later appends need not
  // wake it again (they are covered by that round).
  bool flush_requested GUARDED_BY(mu) = false;
  bool interval_armed GUARDED_BY(mu) = false;  // kInterval: a timed round is pending
  Mutex close_mu ACQUIRED_BEFORE(flush_mu);  // serializes Close
  // Serializes flush rounds: the pool's, and the ones Close and retention run themselves.
  Mutex flush_mu ACQUIRED_BEFORE(mu);

  State(LogOptions o, FileSystem& f, FileCache& fc, Clock& c, WarningSink w, FlusherPool& p)
      : opts(std::move(o)), fs(f), cache(fc), clock(c), warn(std::move(w)), pool(p) {}

  // Steps of Open, on a state nothing else sees yet. Takes the sealed segments in,
  // writing the indexes a clean scan rebuilt; makes the last segment the active one,
  // cutting a torn tail first; or, in a new log, creates an empty segment at offset 0
  // whose name is durable.
  void AdoptSealedSegments(std::vector<SealedSegment>& sealed) REQUIRES(mu);
  Status AdoptLastSegment(LastSegment& last) REQUIRES(mu);
  Status CreateFirstSegment() REQUIRES(mu);

  // Seals the active segment and starts a new one at next_offset, under its pending
  // name. Does no sync: the next flush round makes the sealed segment durable.
  Status RollLocked(int64_t now_ms) REQUIRES(mu);
  // Writes one encoded batch at the active segment's end; on error rewinds the file to
  // the last good end, or enters the failed state if that is impossible.
  Status WriteLocked(std::span<const char> batch) REQUIRES(mu);
  // Has the pool run a flush round soon (once per round, however many ask).
  void RequestFlushLocked() REQUIRES(mu);
  // One flush round, with `mu` held only to look and to publish: syncs every sealed
  // segment and gives its successor its name, syncs the active file (unless the policy
  // is kNever and this is not the last round), then completes the waiters that are now
  // durable, or fails them all if a sync failed. Callbacks run after every lock is
  // released.
  void Flush(bool last_round) EXCLUDES(flush_mu, mu);

  // Segments from the one holding `from` (or the first) onward, and the visible range.
  struct Snapshot {
    std::vector<std::shared_ptr<Segment>> segments;
    Offset start;
    Offset end;
  };
  Snapshot TakeSnapshot(Offset from) const EXCLUDES(mu);
};

}  // namespace sluice::log
