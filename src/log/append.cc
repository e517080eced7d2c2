// The write path: batches are encoded outside the lock, written to the page cache in
// offset order under the lock, and acknowledged by the flusher after one fdatasync
// covers them (group commit). Writes and the fdatasync overlap: while the flusher
// syncs, the next appends are already being written.
#include <future>

#include "log_state.h"

namespace sluice::log {

Status Log::State::RollLocked(int64_t now_ms) {
  const std::shared_ptr<Segment>& old = segments.back();
  // Sync the outgoing segment before any later segment exists, whatever the policy:
  // recovery only repairs the last segment, so a sealed one must never have a torn
  // tail (it would read as permanent corruption). One fdatasync per segment_bytes.
  if (Status st = active_file->Sync(); !st.ok()) {
    failed = st;
    flush_cv.Signal();  // the flusher fails the waiters
    return st;
  }
  const Offset base = next_offset;
  const std::string path = JoinPath(opts.dir, format::SegmentFileName(base));
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> wf, fs.OpenWritable(path, OpenMode::kCreateNew));
  Result<std::unique_ptr<RandomAccessFile>> rf = fs.OpenReadable(path);
  if (!rf.ok()) {
    const Status st = fs.Remove(path);
    (void)st;  // an empty stray segment is harmless: recovery treats it as the last one
    return rf.status();
  }
  // The index is a checksummed cache: if this write is lost, the next open rebuilds it.
  const Status idx = ReplaceFile(fs, JoinPath(opts.dir, format::IndexFileName(old->base())),
                                 format::EncodeIndexFile(old->ToIndexFile()));
  (void)idx;
  // The flusher may still hold the old file for an fdatasync; the last holder closes it.
  active_file = std::move(wf);
  active_created_ms = now_ms;
  segments.push_back(std::make_shared<Segment>(path, base, std::move(rf).value(), opts.index_interval_bytes));
  dir_dirty = true;  // the new name must be durable before records in it are acknowledged
  flush_cv.Signal();
  return Status::OK();
}

Status Log::State::WriteLocked(std::span<const char> batch) {
  const uint64_t good_end = segments.back()->size();
  const Status st = WriteAll(*active_file, batch);
  if (st.ok()) return st;
  // Leave no partial batch behind: the next append would otherwise follow garbage
  // that recovery would cut off together with it.
  const Status tr = active_file->Truncate(good_end);
  if (tr.ok()) return st;
  failed = Status::IOError("write failed (" + st.ToString() + ") and truncating back to position " +
                           std::to_string(good_end) + " failed (" + tr.ToString() + ")");
  flush_cv.Signal();  // the flusher fails the waiters
  return failed;
}

void Log::AppendAsync(std::span<const RecordInput> records, AppendCallback done) {
  State& s = *s_;
  const int64_t now = s.clock.NowMillis();
  Result<std::vector<char>> encoded = format::EncodeBatch(records, now);
  if (!encoded.ok()) {
    done(encoded.status());
    return;
  }
  std::vector<char>& batch = *encoded;
  format::BatchHeader h;
  (void)format::DecodeBatchHeader(std::span<const char, format::kBatchHeaderSize>(batch.data(), format::kBatchHeaderSize), &h);

  MutexLock lock(s.mu);
  if (s.closed) {
    lock.Unlock();
    done(Status::Unavailable("log " + s.opts.dir + " is closed"));
    return;
  }
  if (!s.failed.ok()) {
    const Status st = s.failed;
    lock.Unlock();
    done(st);
    return;
  }
  const Segment& active = *s.segments.back();
  const bool too_big = active.size() + batch.size() > s.opts.segment_bytes;
  const bool too_old = s.opts.segment_max_age_ms > 0 && now - s.active_created_ms >= s.opts.segment_max_age_ms;
  if (!active.empty() && (too_big || too_old)) {
    const Status st = s.RollLocked(now);
    if (!st.ok()) {
      lock.Unlock();
      done(st);
      return;
    }
  }
  const Offset base = s.next_offset;
  format::SetBaseOffset(batch, base);
  h.base_offset = base.value();
  if (const Status st = s.WriteLocked(batch); !st.ok()) {
    lock.Unlock();
    done(st);
    return;
  }
  s.segments.back()->OnBatch(h, batch.size());
  s.next_offset = Offset(base.value() + h.record_count);
  const AppendResult result{base, Offset(base.value() + h.record_count - 1)};
  if (s.opts.fsync == FsyncPolicy::kAlways) {
    s.waiters.push_back(State::Waiter{s.next_offset, result, std::move(done)});
    s.flush_cv.Signal();
    return;
  }
  s.visible_end = s.next_offset;
  lock.Unlock();
  done(result);
}

Result<AppendResult> Log::Append(std::span<const RecordInput> records) {
  std::promise<Result<AppendResult>> promise;
  std::future<Result<AppendResult>> future = promise.get_future();
  AppendAsync(records, [&promise](Result<AppendResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void Log::State::FlusherLoop() {
  MutexLock lock(mu);
  while (true) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(opts.fsync_interval_ms);
    while (!(stop_flusher || dir_dirty ||
             (!waiters.empty() && (opts.fsync == FsyncPolicy::kAlways || !failed.ok())))) {
      if (opts.fsync != FsyncPolicy::kInterval) {
        flush_cv.Wait(mu);
      } else if (!flush_cv.WaitUntil(mu, deadline)) {
        break;  // the interval is up: sync whatever was written
      }
    }
    const bool stopping = stop_flusher;

    std::deque<Waiter> succeeded;
    if (failed.ok() && (next_offset != synced_end || dir_dirty)) {
      const Offset target = next_offset;
      const std::shared_ptr<WritableFile> file = active_file;
      const bool sync_dir = dir_dirty;
      dir_dirty = false;
      lock.Unlock();
      // Segments before the active one were synced when they were rolled, so the
      // active file and the directory are all that `target` depends on.
      Status st;
      if (sync_dir) st = fs.SyncDir(opts.dir);
      if (st.ok()) st = file->Sync();
      lock.Lock();
      if (st.ok()) {
        synced_end = std::max(synced_end, target);
        if (opts.fsync == FsyncPolicy::kAlways) visible_end = std::max(visible_end, target);
        while (!waiters.empty() && waiters.front().end <= target) {
          succeeded.push_back(std::move(waiters.front()));
          waiters.pop_front();
        }
      } else if (failed.ok()) {
        // Never retry: after a failed fdatasync the kernel may have dropped the dirty
        // pages, so a later "successful" sync would prove nothing.
        failed = st;
      }
    }
    std::deque<Waiter> doomed;
    if (!failed.ok()) {
      doomed = std::move(waiters);
      waiters.clear();
      dir_dirty = false;
    }
    if (!succeeded.empty() || !doomed.empty()) {
      const Status st = failed;
      lock.Unlock();
      for (Waiter& w : succeeded) w.done(w.result);
      for (Waiter& w : doomed) w.done(st);
      lock.Lock();
    }
    if (stopping && waiters.empty() && !dir_dirty &&
        (next_offset == synced_end || !failed.ok())) {
      return;
    }
  }
}

}  // namespace sluice::log
