// Retention: whole segments are deleted, oldest first, once their newest record is
// older than the cutoff. Readers holding a deleted segment keep reading it (the open
// descriptor outlives the unlink); new reads below the new start get "trimmed".
#include "log_state.h"

namespace sluice::log {

Result<RetentionResult> Log::ApplyRetention(int64_t now_ms, int64_t retention_ms) {
  if (retention_ms < 0) return Status::InvalidArgument("retention_ms must be >= 0");
  const int64_t cutoff = now_ms - retention_ms;
  State& s = *s_;
  bool rolled = false;
  {
    const MutexLock lock(s.mu);
    const Segment& active = *s.segments.back();
    // Only segments whose records are all acknowledged may go: deleting a record an
    // appender still waits for would make its success meaningless.
    if (!active.empty() && active.max_arrival() < cutoff && s.visible_end == s.next_offset && s.failed.ok() &&
        !s.closed) {
      RETURN_IF_ERROR(s.RollLocked(now_ms));
      rolled = true;
    }
  }
  // Seal the segment just rolled now rather than when the flusher gets to it, so that
  // it can go in this call.
  if (rolled) s.Flush(/*last_round=*/false);
  std::vector<std::shared_ptr<Segment>> doomed;
  RetentionResult result;
  {
    const MutexLock lock(s.mu);
    if (rolled && !s.failed.ok()) return s.failed;
    while (s.segments.size() > 1) {
      const std::shared_ptr<Segment>& oldest = s.segments.front();
      if (oldest->max_arrival() >= cutoff || oldest->next_offset() > s.visible_end) break;
      // A segment still being sealed is not durable and its successor has no name yet.
      if (!s.seals.empty() && s.seals.front().segment == oldest) break;
      doomed.push_back(oldest);
      s.segments.erase(s.segments.begin());
    }
    result.start_offset = s.segments.front()->base();
  }
  if (doomed.empty()) return result;
  // The successor's name carries the next offset; it must be durable before the
  // files that held lower offsets disappear, or a crash could restart at offset 0.
  RETURN_IF_ERROR(s.fs.SyncDir(s.opts.dir));
  for (const std::shared_ptr<Segment>& seg : doomed) {
    RETURN_IF_ERROR(s.fs.Remove(seg->path()));
    const Status st = s.fs.Remove(JoinPath(s.opts.dir, format::IndexFileName(seg->base())));
    (void)st;  // the index may never have been written
    ++result.segments_deleted;
  }
  RETURN_IF_ERROR(s.fs.SyncDir(s.opts.dir));
  return result;
}

}  // namespace sluice::log
